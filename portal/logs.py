"""Structured logs: one JSON object a line (PORTAL_LOG_FORMAT=json, the default in production).

Each line carries the time (UTC), level, logger, message, the process id, and, when the event
happened while serving a request, that request's id (X-Request-ID from the proxy, or one made
here) and the first 16 hex digits of the session's digest (what the database keeps of a session
token: it opens nothing, and it ties the lines of one session together). Nothing secret is
written: the portal never logs passwords, codes, tickets or tokens, and this module's filter
blanks any `password=…`, `code=…`, `token=…`, `ticket=…`, `secret=…` or session cookie that a
library might put in a message anyway.

Imported by the app module and the tests; no Reflex import.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import json
import logging
import re
import sys
from typing import TextIO

REQUEST_ID: contextvars.ContextVar[str] = contextvars.ContextVar("portal_request_id", default="")
SESSION: contextvars.ContextVar[str] = contextvars.ContextVar("portal_session", default="")

REDACTED = "[redacted]"
# name=value, name: value, "name": "value" for the names of secrets (not "username", "code_address"…)
_SECRET_PAIR = re.compile(
    r"""(?ix)
    \b(password|passwd|pwd|code|otp|token|ticket|secret|portal_session|authorization|cookie)
    (["']?\s*[:=]\s*["']?)
    ([^\s"'&,;}]+)
    """
)
# Paths that carry a one-time ticket: /api/download/<token>
_TICKET_PATH = re.compile(r"(/api/download/)[^\s/?\"']+")


def redact(text: str) -> str:
    """`text` without the values of anything named like a secret."""
    return _TICKET_PATH.sub(r"\1" + REDACTED, _SECRET_PAIR.sub(r"\1\2" + REDACTED, text))


class JsonFormatter(logging.Formatter):
    """A log record as one JSON object on one line."""

    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, object] = {
            "time": dt.datetime.fromtimestamp(record.created, tz=dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": redact(record.getMessage()),
            "pid": record.process,
        }
        if request_id := REQUEST_ID.get():
            payload["request_id"] = request_id
        if session := SESSION.get():
            payload["session"] = session
        if record.exc_info and record.exc_info[0] is not None:
            payload["exception"] = redact(self.formatException(record.exc_info))
        return json.dumps(payload, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """The classic one-line text, with the request id when there is one, and secrets blanked."""

    def __init__(self):
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        line = redact(super().format(record))
        request_id = REQUEST_ID.get()
        return f"{line} [request {request_id}]" if request_id else line


def handler(log_format: str, stream: TextIO | None = None) -> logging.Handler:
    """A handler writing `log_format` ("json" or "text") lines to `stream` (standard error)."""
    chosen = logging.StreamHandler(stream or sys.stderr)
    chosen.setFormatter(JsonFormatter() if log_format == "json" else TextFormatter())
    return chosen


def configure(log_format: str, level: int = logging.INFO, stream: TextIO | None = None) -> logging.Handler:
    """Route every log record of the process through one handler of `log_format`: the root
    logger's, and that of every logger that already has handlers of its own (the server's)."""
    chosen = handler(log_format, stream)
    root = logging.getLogger()
    for existing in list(root.handlers):
        root.removeHandler(existing)
    root.addHandler(chosen)
    root.setLevel(level)
    for name in list(logging.root.manager.loggerDict):
        logger = logging.getLogger(name)
        if logger.handlers:
            for existing in list(logger.handlers):
                logger.removeHandler(existing)
            logger.addHandler(chosen)
    logging.getLogger("portal").setLevel(level)
    return chosen
