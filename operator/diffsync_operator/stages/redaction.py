"""Make text from adapters and stages safe to show: no secrets, bounded length.

Error messages come from code the job author wrote (their adapters) and from libraries that
quote the values they were given: pydantic's `ValidationError` prints `input_value=<the
value>`, a connection error may print the URL with its password, an adapter may raise
`ValueError(f"login failed with token={token}")`. Job data and credentials must never reach
a SyncJob's status, conditions or Events, nor the operator's logs, so every message copied
there passes through `redact` first (the worker applies it too, at the source).

What `redact` removes (each replaced by `***`):

- pydantic's `input_value=...` (up to its `, input_type=` or the end of the bracket);
- the password of a URL (`redis://user:***@host`) and a bare user-info token
  (`https://***@host`);
- the value after a secret-sounding key: `password=`, `passwd:`, `token=`, `secret=`,
  `api_key=`, `apikey`, `access_key`, `private_key`, `credentials`, `auth=` (also quoted, as
  in JSON or a repr), and `Authorization: Bearer/Basic <value>`.

It cannot know every secret (a password printed bare, with no key or URL around it, stays);
the rule it enforces is the one adapters are asked to follow: say *which* field is wrong,
never its value.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

#: The longest message kept in a status field, condition or Event.
MESSAGE_LIMIT = 1000
MASK = "***"

# pydantic writes `[type=..., input_value=<repr>, input_type=<type>]` on one line; a repr may
# hold `]` or `, ` itself, so the end is `, input_type=` when the line has one.
_INPUT_VALUE = re.compile(r"input_value=(?:.*?(?=, input_type=)|[^\]\n]*)")
_URL_PASSWORD = re.compile(r"(?P<scheme>\b[A-Za-z][A-Za-z0-9+.-]*://)(?P<user>[^\s/@:]*):[^\s/@]*@")
_URL_TOKEN = re.compile(r"(?P<scheme>\b[A-Za-z][A-Za-z0-9+.-]*://)[^\s/@:]+@")
# Names of keys whose values are secrets (the names, not secrets themselves).
_SENSITIVE_FIELDS = (
    r"pass(?:word|wd)?|pwd|secret(?:[_-]?key)?|token|api[_-]?key|access[_-]?key|private[_-]?key"
    r"|client[_-]?secret|credentials?|auth"
)
_KEY_VALUE = re.compile(
    rf"""(?P<key>["']?\b[\w-]*(?:{_SENSITIVE_FIELDS})["']?\s*[=:]\s*)"""
    r"""(?P<value>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|[^\s,;&)\]}]+)""",
    re.IGNORECASE,
)
_AUTH_HEADER = re.compile(r"\b(?P<scheme>Bearer|Basic|Token)\s+[A-Za-z0-9._~+/=-]+", re.IGNORECASE)


def _mask_value(match: re.Match[str]) -> str:
    value = match.group("value")
    if value == MASK or value.strip("\"'") == MASK:
        return match.group(0)
    quote = value[0] if value[:1] in ("'", '"') else ""
    return f"{match.group('key')}{quote}{MASK}{quote}"


def redact(text: str, limit: int | None = MESSAGE_LIMIT) -> str:
    """`text` without the secrets listed in the module docstring, cut to `limit` characters.

    Idempotent: redacting a redacted text changes nothing, so a status can be passed through
    it on every reconciliation.
    """
    text = _INPUT_VALUE.sub(f"input_value={MASK}", text)
    text = _URL_PASSWORD.sub(lambda m: f"{m.group('scheme')}{m.group('user')}:{MASK}@", text)
    text = _URL_TOKEN.sub(lambda m: f"{m.group('scheme')}{MASK}@", text)
    text = _AUTH_HEADER.sub(lambda m: f"{m.group('scheme')} {MASK}", text)
    text = _KEY_VALUE.sub(_mask_value, text)
    if limit is not None and len(text) > limit:
        text = text[: limit - 3] + "..."
    return text


def redact_url(url: str) -> str:
    """`url` with any password replaced by `***`, for messages and reports (never raises)."""
    try:
        parts = urlsplit(url)
        if not parts.password:
            return url
        port = parts.port
    except ValueError:  # not a URL to take apart (a port out of range, say): hide the user part
        return url.split("://", 1)[0] + f"://{MASK}@" + url.rsplit("@", 1)[-1] if "@" in url else url
    user = f"{parts.username}:" if parts.username else ":"
    host = parts.hostname or ""
    if port:
        host += f":{port}"
    return urlunsplit(parts._replace(netloc=f"{user}{MASK}@{host}"))
