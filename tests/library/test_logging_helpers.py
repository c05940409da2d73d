"""Console and file logging helpers.

Each test runs in a fresh interpreter: both helpers configure process-wide logging (stdlib
root logger and structlog), which must not leak into other tests.
"""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap


def run_python(code: str, cwd) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )


def console_root_level(verbosity: int, cwd) -> str:
    code = f"""
        import logging
        from diffsync.logging import enable_console_logging
        enable_console_logging(verbosity={verbosity})
        print(logging.getLevelName(logging.getLogger().level))
    """
    return run_python(code, cwd).stdout.strip()


def test_console_logging_verbosity_zero_is_warning(tmp_path):
    assert console_root_level(0, tmp_path) == "WARNING"


def test_console_logging_verbosity_one_is_info(tmp_path):
    assert console_root_level(1, tmp_path) == "INFO"


def test_console_logging_verbosity_two_or_more_is_debug(tmp_path):
    assert console_root_level(2, tmp_path) == "DEBUG"
    assert console_root_level(5, tmp_path) == "DEBUG"


def test_console_logging_renders_structlog_events_above_the_level(tmp_path):
    code = """
        import structlog
        from diffsync.logging import enable_console_logging
        enable_console_logging(verbosity=1)
        structlog.get_logger().info("visible-event", answer=42)
        structlog.get_logger().debug("hidden-event")
    """
    result = run_python(code, tmp_path)
    output = result.stdout + result.stderr
    assert "visible-event" in output
    assert "answer" in output
    assert "hidden-event" not in output


def test_console_logging_uses_bare_messages_with_a_minute_dot_second_timestamp(tmp_path):
    code = """
        import structlog
        from diffsync.logging import enable_console_logging
        enable_console_logging(verbosity=1)
        structlog.get_logger().warning("stamped-event")
    """
    result = run_python(code, tmp_path)
    line = next(line for line in (result.stdout + result.stderr).splitlines() if "stamped-event" in line)
    assert re.search(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}\.\d{2}", line)
    assert "WARNING:root" not in line


def test_console_logging_configures_structlog_for_the_stdlib(tmp_path):
    code = """
        import structlog
        from diffsync.logging import enable_console_logging
        enable_console_logging()
        config = structlog.get_config()
        print(type(config["logger_factory"]).__name__)
        print(config["wrapper_class"].__name__)
        print(config["context_class"].__name__)
        print(config["cache_logger_on_first_use"])
        print(type(config["processors"][-1]).__name__)
    """
    assert run_python(code, tmp_path).stdout.split() == [
        "LoggerFactory",
        "BoundLogger",
        "dict",
        "True",
        "ConsoleRenderer",
    ]


def test_initialize_logging_returns_none_and_sets_root_to_debug(tmp_path):
    code = """
        import logging
        from diffsync.log import initialize_logging
        print(initialize_logging())
        print(logging.getLevelName(logging.getLogger().level))
    """
    assert run_python(code, tmp_path).stdout.split() == ["None", "DEBUG"]


def test_initialize_logging_writes_debug_records_to_the_file(tmp_path):
    logfile = tmp_path / "diffsync.log"
    code = f"""
        import logging
        from diffsync.log import initialize_logging
        initialize_logging(filename={str(logfile)!r})
        logging.getLogger("diffsync.test").debug("file-only-detail")
    """
    result = run_python(code, tmp_path)
    content = logfile.read_text()
    assert "Logging initialized." in content
    assert "file-only-detail" in content
    assert "file-only-detail" not in result.stdout + result.stderr


def test_initialize_logging_stream_level_follows_the_argument(tmp_path):
    code = """
        import logging
        from diffsync.log import initialize_logging
        initialize_logging(level="DEBUG")
        logging.getLogger("diffsync.test").debug("stream-detail")
    """
    result = run_python(code, tmp_path)
    output = result.stdout + result.stderr
    assert "Logging initialized." in output
    assert "stream-detail" in output


def test_initialize_logging_default_stream_hides_debug(tmp_path):
    code = """
        import logging
        from diffsync.log import initialize_logging
        initialize_logging()
        logging.getLogger("diffsync.test").debug("quiet-detail")
        logging.getLogger("diffsync.test").info("loud-info")
    """
    result = run_python(code, tmp_path)
    output = result.stdout + result.stderr
    assert "quiet-detail" not in output
    assert "Logging initialized." not in output
    assert "loud-info" in output


def test_initialize_logging_applies_a_given_config(tmp_path):
    code = """
        import logging
        from diffsync.log import initialize_logging
        initialize_logging(config={"version": 1, "root": {"level": "ERROR"}})
        print(logging.getLevelName(logging.getLogger().level))
    """
    assert run_python(code, tmp_path).stdout.split() == ["ERROR"]
