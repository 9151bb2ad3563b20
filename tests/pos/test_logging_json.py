"""`pos.logging_json`: one JSON object per record, with the ids that lead to a trace."""

from __future__ import annotations

import json
import logging
import sys

import pytest
from opentelemetry import trace

from pos.logging_json import JsonFormatter, access_log_on, chosen_format
from supergraph.runtime.plugins.api import request_context
from tests.tracing_capture import capturing, install


def _record(name: str, message: str, args: tuple[object, ...] = ()) -> logging.LogRecord:
    return logging.LogRecord(name, logging.INFO, __file__, 1, message, args, None)


def test_a_record_is_one_line_of_json_with_trace_and_request_ids() -> None:
    install()
    formatter = JsonFormatter()
    token = request_context.set({"request_id": "req-42"})
    try:
        with capturing(), trace.get_tracer("t").start_as_current_span("s") as span:
            line = formatter.format(_record("pos.test", "sold %d items", (3,)))
    finally:
        request_context.reset(token)
    assert "\n" not in line
    parsed = json.loads(line)
    context = span.get_span_context()
    assert parsed["message"] == "sold 3 items" and parsed["level"] == "INFO"
    assert parsed["trace_id"] == f"{context.trace_id:032x}"
    assert parsed["span_id"] == f"{context.span_id:016x}"
    assert parsed["request_id"] == "req-42"


def test_outside_a_span_and_a_request_there_are_no_ids() -> None:
    parsed = json.loads(JsonFormatter().format(_record("pos.test", "idle")))
    assert not {"trace_id", "span_id", "request_id"} & set(parsed)


def test_access_lines_become_fields_and_exceptions_one_string() -> None:
    access = _record(
        "uvicorn.access", '%s - "%s %s HTTP/%s" %d', ("127.0.0.1:5", "POST", "/graphql", "1.1", 200)
    )
    parsed = json.loads(JsonFormatter().format(access))
    assert (parsed["method"], parsed["path"], parsed["status"]) == ("POST", "/graphql", 200)
    try:
        raise ValueError("broken\nline")
    except ValueError:
        failed = logging.LogRecord("x", logging.ERROR, __file__, 1, "boom", (), sys.exc_info())
    line = JsonFormatter().format(failed)
    assert "\n" not in line and "ValueError: broken" in json.loads(line)["exception"]


def test_the_format_and_access_switches_refuse_what_they_do_not_know(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("POS_LOG_FORMAT", "JSON")
    assert chosen_format() == "json"
    assert chosen_format("text") == "text"
    with pytest.raises(ValueError, match="log format 'yaml'"):
        chosen_format("yaml")
    monkeypatch.setenv("POS_ACCESS_LOG", "off")
    assert access_log_on() is False and access_log_on(True) is True
