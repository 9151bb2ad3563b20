"""Log lines for machines: ``POS_LOG_FORMAT=json`` (or ``pos --log-format json ...``).

One JSON object per record, one record per line, on stderr: ``time`` (UTC, ISO 8601),
``level``, ``logger``, ``message``, and ``trace_id``/``span_id`` when the record was
written inside a span (`pos.trace_export`), so a log search jumps to the trace and back;
``request_id`` on the gateway's lines while a request runs, when the `RequestId` plugin
gives requests one (``x-request-id``).
An exception adds ``exception`` (the formatted traceback, one string). uvicorn's access
log keeps its one line per request at INFO, with ``client``, ``method``, ``path``,
``http_version`` and ``status`` as fields; ``POS_ACCESS_LOG=off`` (or ``--no-access-log``)
turns those lines off in either format.

uvicorn configures its own loggers when it starts a server, after the command line has
run; so the JSON formatter is also put into uvicorn's default logging configuration,
which every `uvicorn.run` and `uvicorn.Config` here uses.
"""

from __future__ import annotations

import logging
import os
import sys
from datetime import UTC, datetime
from typing import Any, Literal

import orjson
from opentelemetry import trace

FORMAT_ENV = "POS_LOG_FORMAT"
ACCESS_ENV = "POS_ACCESS_LOG"
LogFormat = Literal["text", "json"]
_ACCESS_FIELDS = ("client", "method", "path", "http_version", "status")


class JsonFormatter(logging.Formatter):
    """A record as one line of JSON, with the current trace and span ids."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        args = record.args
        if record.name == "uvicorn.access" and isinstance(args, tuple) and len(args) == 5:
            line.update(zip(_ACCESS_FIELDS, args, strict=True))
        context = trace.get_current_span().get_span_context()
        if context.is_valid:
            line["trace_id"] = f"{context.trace_id:032x}"
            line["span_id"] = f"{context.span_id:016x}"
        request_id = _request_id()
        if request_id is not None:
            line["request_id"] = request_id
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            line["exception"] = record.exc_text
        return orjson.dumps(line, default=str).decode()


def _request_id() -> str | None:
    """The gateway's request id (the `RequestId` plugin's), when a gateway runs here.

    Looked up in `sys.modules` rather than imported: processes without a gateway (a
    relay, a projector) must not load one to write a log line."""
    plugins = sys.modules.get("supergraph.runtime.plugins.api")
    context = plugins.request_context.get() if plugins is not None else None
    found = context.get("request_id") if isinstance(context, dict) else None
    return found if isinstance(found, str) else None


def chosen_format(value: str | None = None) -> LogFormat:
    """`value`, else ``POS_LOG_FORMAT``, else text; anything else is refused by name."""
    chosen = (value or os.environ.get(FORMAT_ENV) or "text").strip().lower()
    if chosen not in ("text", "json"):
        raise ValueError(f"log format {chosen!r}: use text or json ({FORMAT_ENV})")
    return "json" if chosen == "json" else "text"


def access_log_on(value: bool | None = None) -> bool:
    if value is not None:
        return value
    return os.environ.get(ACCESS_ENV, "on").strip().lower() not in ("off", "0", "false", "no")


def configure_logging(
    log_format: str | None = None, *, access_log: bool | None = None, level: str | None = None
) -> LogFormat:
    """Set the process's log format (and uvicorn's); returns the format chosen.

    Text keeps every logger as it is (commands set their own levels). JSON replaces the
    root handler with one JSON line per record at `level` (``POS_LOG_LEVEL``, default
    INFO).
    """
    chosen = chosen_format(log_format)
    from uvicorn.config import LOGGING_CONFIG

    if not access_log_on(access_log):
        LOGGING_CONFIG["loggers"]["uvicorn.access"]["level"] = "WARNING"
    if chosen == "text":
        return chosen
    for name in ("default", "access"):
        LOGGING_CONFIG["formatters"][name] = {"()": f"{__name__}.JsonFormatter"}
    LOGGING_CONFIG["handlers"]["access"]["stream"] = "ext://sys.stderr"
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel((level or os.environ.get("POS_LOG_LEVEL") or "INFO").upper())
    return chosen
