"""What clients may read of errors: no stack traces ever, and in production no internals.

Both profiles: `extensions.exception` and `extensions.stacktrace` (what some subgraph
servers add in debug mode) are dropped, so a trace never reaches a client.

Production (`mask=True`):
- *Unexpected* errors, the gateway's own (`INTERNAL_SERVER_ERROR`) and subgraph errors
  that are not client errors (no code of their own: `DOWNSTREAM_SERVICE_ERROR`, or
  `INTERNAL_SERVER_ERROR`), and transport failures (`SUBREQUEST_HTTP_ERROR`: a subgraph
  did not answer, its socket error text) get a generic message; `extensions.code` is
  kept and `extensions.errorId` added. One log record (ERROR, logger
  `supergraph.runtime.execution.masking`) holds that errorId with the code, the
  subgraph and the original message, so a support request quoting the errorId finds it.
- Errors a subgraph raised on purpose for clients keep their message and code
  (`BAD_USER_INPUT`, `NOT_FOUND`, `CONFLICT` and domain codes: "insufficient stock" is
  for the cashier) — but no subgraph error shows which subgraph it came from:
  `serviceName` and `service` are removed.
- Field suggestions ("Did you mean ...?") are cut from every message: they reveal the
  schema piece by piece when introspection is off.

Development keeps everything (messages, `serviceName`, suggestions) except traces.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)

TRACE_KEYS = ("exception", "stacktrace")
SOURCE_KEYS = ("serviceName", "service")
UNEXPECTED_CODES = frozenset(
    {"INTERNAL_SERVER_ERROR", "DOWNSTREAM_SERVICE_ERROR", "SUBREQUEST_HTTP_ERROR"}
)
GENERIC_MESSAGES = {
    "SUBREQUEST_HTTP_ERROR": "A service behind the gateway did not answer; retry later.",
}
GENERIC_MESSAGE = "Unexpected error; quote its errorId when reporting it."
_SUGGESTION = re.compile(r"\s*Did you mean [^?]*\?")


@dataclass(frozen=True)
class ErrorMasking:
    mask: bool = True
    """Production: generic messages for unexpected errors, no subgraph names."""
    suggestions: bool = False
    """Keep "Did you mean ...?" in messages (development)."""
    unexpected_codes: frozenset[str] = UNEXPECTED_CODES

    def body(self, body: Any) -> Any:
        """`body` (a response, or a list of them for a batch) with its errors made safe."""
        if isinstance(body, list):
            return [self.body(entry) for entry in body]
        if not isinstance(body, dict):
            return body
        out = body
        errors = body.get("errors")
        if isinstance(errors, list) and errors:
            out = {**body, "errors": self.errors(errors)}
        incremental = body.get("incremental")
        if isinstance(incremental, list):
            out = {**out, "incremental": [self.body(entry) for entry in incremental]}
        return out

    def errors(self, errors: Iterable[Any]) -> list[Any]:
        return [self.error(e) if isinstance(e, dict) else e for e in errors]

    def error(self, error: dict[str, Any]) -> dict[str, Any]:
        extensions = error.get("extensions")
        extensions = dict(extensions) if isinstance(extensions, dict) else {}
        for key in TRACE_KEYS:
            extensions.pop(key, None)
        out = {**error}
        message = str(error.get("message", ""))
        if not self.suggestions:
            message = _SUGGESTION.sub("", message)
        if self.mask:
            code = extensions.get("code")
            service = extensions.get("serviceName") or extensions.get("service")
            for key in SOURCE_KEYS:
                extensions.pop(key, None)
            if not isinstance(code, str) or code in self.unexpected_codes:
                error_id = uuid.uuid4().hex[:16]
                log.error(
                    "masked error errorId=%s code=%s service=%s path=%s message=%r",
                    error_id,
                    code,
                    service,
                    error.get("path"),
                    message,
                )
                extensions = {"code": code or "INTERNAL_SERVER_ERROR", "errorId": error_id}
                message = GENERIC_MESSAGES.get(str(code), GENERIC_MESSAGE)
        out["message"] = message
        if extensions or "extensions" in error:
            out["extensions"] = extensions
        return out
