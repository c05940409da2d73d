"""How a process logs in to the Redis holding a job's state: URL, ACL user, password, TLS.

Stage pods, the cleanup pod and the operator itself read the same variables (see
`stages.config`): `DIFFSYNC_REDIS_URL`, `DIFFSYNC_REDIS_USERNAME`, `DIFFSYNC_REDIS_PASSWORD`,
`DIFFSYNC_REDIS_CA_CERT`, `DIFFSYNC_REDIS_CLIENT_CERT` and `DIFFSYNC_REDIS_CLIENT_KEY`.

Why PEM text in variables rather than mounted files: a variable filled by `secretKeyRef` is
the one way a Secret reaches every pod the same way (the operator's own Deployment and the
stage pods it builds), and it keeps the pods free of volumes. Python's `ssl` loads a client
certificate only from files, so `connect` writes the certificate and key once per process
into a private temporary directory (mode 0700, files 0600, removed at exit); the CA needs no
file (`ssl_ca_data`).

A URL never carries a password (`url_problem` says why and what to do instead): URLs end up
in pod specs, logs and error messages, where a password must not be.
"""

from __future__ import annotations

import atexit
import hashlib
import os
import shutil
import tempfile
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from diffsync_operator.stages.config import (
    ENV_REDIS_CA_CERT,
    ENV_REDIS_CLIENT_CERT,
    ENV_REDIS_CLIENT_KEY,
    ENV_REDIS_PASSWORD,
    ENV_REDIS_URL,
    ENV_REDIS_USERNAME,
)

if TYPE_CHECKING:
    from diffsync.store.redis import RedisClient


def url_problem(url: str, where: str) -> str | None:
    """Why `url` (named `where` in the message) cannot be used, or None when it can."""
    if urlsplit(url).password is not None:
        return (
            f"{where}: the URL holds a password; remove it from the URL and pass the password "
            "from a Secret instead (URLs are shown in pod specs and messages)"
        )
    return None


def login_variables(url: str) -> dict[str, str]:
    """The login variables for a URL that may carry a user and password (the local CLI's
    `--redis-url`): the URL without them, and the user and password in their own variables."""
    parts = urlsplit(url)
    if parts.password is None and parts.username is None:
        return {ENV_REDIS_URL: url}
    bare = f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}{parts.path}"
    variables = {ENV_REDIS_URL: bare + (f"?{parts.query}" if parts.query else "")}
    if parts.username:
        variables[ENV_REDIS_USERNAME] = unquote(parts.username)
    if parts.password is not None:
        variables[ENV_REDIS_PASSWORD] = unquote(parts.password)
    return variables


@dataclass(frozen=True)
class RedisLogin:
    """Everything needed to open a client to one Redis as one ACL user."""

    url: str
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    ca_cert: str | None = field(default=None, repr=False)
    client_cert: str | None = field(default=None, repr=False)
    client_key: str | None = field(default=None, repr=False)

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> RedisLogin:
        """The login the environment describes; ValueError names the variable and the fix."""
        url = env.get(ENV_REDIS_URL, "").strip()
        if not url:
            raise ValueError(f"{ENV_REDIS_URL} is empty: set spec.redis.url or the operator's default")
        login = cls(
            url=url,
            username=env.get(ENV_REDIS_USERNAME) or None,
            password=env.get(ENV_REDIS_PASSWORD) or None,
            ca_cert=env.get(ENV_REDIS_CA_CERT) or None,
            client_cert=env.get(ENV_REDIS_CLIENT_CERT) or None,
            client_key=env.get(ENV_REDIS_CLIENT_KEY) or None,
        )
        if problems := login.problems(ENV_REDIS_URL):
            raise ValueError("; ".join(problems))
        return login

    @property
    def uses_tls(self) -> bool:
        return self.url.startswith(("rediss://", "rediss+cluster://"))

    def problems(self, url_field: str) -> list[str]:
        """What is inconsistent in this login, naming the variables."""
        found = []
        if (problem := url_problem(self.url, url_field)) is not None:
            found.append(problem)
        tls_given = [
            name
            for name, value in (
                (ENV_REDIS_CA_CERT, self.ca_cert),
                (ENV_REDIS_CLIENT_CERT, self.client_cert),
                (ENV_REDIS_CLIENT_KEY, self.client_key),
            )
            if value
        ]
        if tls_given and not self.uses_tls:
            found.append(
                f"{', '.join(tls_given)} given but {url_field} is not a rediss:// (or rediss+cluster://) URL"
            )
        if bool(self.client_cert) != bool(self.client_key):
            pair = f"{ENV_REDIS_CLIENT_CERT} and {ENV_REDIS_CLIENT_KEY}"
            found.append(f"{pair} go together: set both or neither")
        return found

    def connection_kwargs(self) -> dict[str, Any]:
        """The TLS options redis-py takes for this login (empty without TLS material)."""
        options: dict[str, Any] = {}
        if not self.uses_tls:
            return options
        if self.ca_cert:
            options["ssl_ca_data"] = self.ca_cert
        if self.client_cert and self.client_key:
            options["ssl_certfile"], options["ssl_keyfile"] = _client_certificate_files(
                self.client_cert, self.client_key
            )
        return options

    def connect(self, client_name: str | None = None) -> RedisClient:
        """A client with the store's timeouts and retries (`client_from_url`), logged in as this
        user; `client_name` labels its connections in `CLIENT LIST`."""
        from diffsync.store.redis import client_from_url

        options = self.connection_kwargs()
        if client_name:
            options["client_name"] = client_name
        return client_from_url(
            self.url, username=self.username, password=self.password, connection_kwargs=options or None
        )


_FILES_LOCK = threading.Lock()
_FILES: dict[str, tuple[str, str]] = {}
_DIRECTORY: list[Path] = []


def _client_certificate_files(cert: str, key: str) -> tuple[str, str]:
    """Paths of files holding `cert` and `key`, written once per process (see the module doc)."""
    digest = hashlib.sha256(f"{cert}\0{key}".encode()).hexdigest()[:16]
    with _FILES_LOCK:
        if digest in _FILES:
            return _FILES[digest]
        if not _DIRECTORY:
            directory = Path(tempfile.mkdtemp(prefix="diffsync-redis-tls-"))  # mode 0700
            atexit.register(shutil.rmtree, directory, ignore_errors=True)
            _DIRECTORY.append(directory)
        paths = []
        for suffix, text in (("crt", cert), ("key", key)):
            path = _DIRECTORY[0] / f"{digest}.{suffix}"
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(descriptor, "w") as handle:
                handle.write(text)
            paths.append(str(path))
        _FILES[digest] = (paths[0], paths[1])
        return _FILES[digest]
