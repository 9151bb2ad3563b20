"""Read-your-writes across the graph, at the gateway (docs/consistency.md).

A built-in plugin (on in every gateway), because it needs exactly the three stages:

- **supergraph request**: the client's consistency token, from the ``POS-Consistency``
  header or the request's ``extensions.consistency``, is read (malformed: the request is
  refused with ``BAD_USER_INPUT`` and nothing runs).
- **subgraph request**: every fetch of the plan carries the gateway's wait bound
  (``pos-consistency-wait-ms``) and, when the client sent one, the token
  (``pos-consistency``). Each subgraph waits, up to the bound, until its projections have
  handled the events the token names (`subgraphs.hosting.consistency`); the fetches of a
  plan step run in parallel, so their waits overlap.
- **subgraph response / supergraph response**: the tokens subgraphs return for what they
  wrote (``extensions.consistency``) merge into one token in the client's response
  ``extensions.consistency``; how the waits went merges into
  ``extensions.consistencyWait``: ``{"reached": bool, "waitedMs": int}`` plus, when a
  subgraph did not get there, ``"behind": [<subgraph>, ...]``.

Any subgraph may take part: it only has to answer the same extensions. A subgraph that
does not know the protocol ignores the headers and reports nothing; the gateway then
claims nothing for it (it is not listed in ``behind``, and ``reached`` speaks for the
subgraphs that reported).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Mapping
from typing import Any

from eventbus.consistency import MalformedToken, Span, format_token, merge_tokens, parse_token

from .api import Body, Plugin, SubgraphRequest, SupergraphRequest

HEADER = "pos-consistency"
WAIT_HEADER = "pos-consistency-wait-ms"
EXTENSION = "consistency"
WAIT_EXTENSION = "consistencyWait"
DEFAULT_WAIT = 2.0

_TOKEN = "consistency.token"
_WRITTEN = "consistency.written"
_WAITS = "consistency.waits"


class ReadYourWrites(Plugin):
    """Forward the client's token to every subgraph; hand back what the operation wrote.

    `wait` bounds each subgraph's wait, in seconds (subgraphs cap it at 10 s).
    """

    name = "read-your-writes"

    def __init__(self, wait: float = DEFAULT_WAIT) -> None:
        self.wait_ms = str(max(0, round(wait * 1000)))

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> ReadYourWrites:
        """`POS_CONSISTENCY_WAIT_MS` (default 2000) sets the bound."""
        raw = (os.environ if env is None else env).get("POS_CONSISTENCY_WAIT_MS", "")
        return cls(int(raw) / 1000 if raw.isdigit() else DEFAULT_WAIT)

    async def supergraph_request(self, request: SupergraphRequest) -> Body | None:
        sent = request.request.headers.get(HEADER)
        if sent is None:
            sent = (request.request.extensions or {}).get(EXTENSION)
        request.context[_WRITTEN] = []
        request.context[_WAITS] = {}
        if sent is None:
            return None
        if not isinstance(sent, str):
            return _refusal(
                "The consistency token must be the string a mutation's response carried in "
                "extensions.consistency."
            )
        try:
            request.context[_TOKEN] = format_token(parse_token(sent))
        except MalformedToken as exc:
            return _refusal(str(exc))
        return None

    async def subgraph_request(self, request: SubgraphRequest) -> Body | None:
        request.headers[WAIT_HEADER] = self.wait_ms
        token = request.context.get(_TOKEN)
        if token is not None:
            request.headers[HEADER] = token
        return None

    async def subgraph_response(self, request: SubgraphRequest, body: Body) -> Body:
        extensions = body.get("extensions")
        if not isinstance(extensions, dict):
            return body
        written = extensions.get(EXTENSION)
        if isinstance(written, str) and _WRITTEN in request.context:
            # a subgraph's own bug: no token is better than a wrong one
            with contextlib.suppress(MalformedToken):
                request.context[_WRITTEN].append(parse_token(written))
        wait = extensions.get(WAIT_EXTENSION)
        if isinstance(wait, dict) and _WAITS in request.context:
            waits: dict[str, dict[str, Any]] = request.context[_WAITS]
            known = waits.get(request.service)
            reached = bool(wait.get("reached")) and (known is None or known["reached"])
            waited = _int(wait.get("waitedMs"))
            if known is not None:
                waited = max(waited, known["waitedMs"])
            waits[request.service] = {"reached": reached, "waitedMs": waited}
        return body

    async def supergraph_response(self, request: SupergraphRequest, body: Body) -> Body:
        written: list[dict[str, Span]] = request.context.get(_WRITTEN) or []
        waits: dict[str, dict[str, Any]] = request.context.get(_WAITS) or {}
        if not written and not waits and _TOKEN not in request.context:
            return body
        extensions = dict(body.get("extensions") or {})
        if written:
            extensions[EXTENSION] = format_token(merge_tokens(*written))
        if _TOKEN in request.context:
            behind = sorted(name for name, wait in waits.items() if not wait["reached"])
            report: dict[str, Any] = {
                "reached": not behind,
                "waitedMs": max((w["waitedMs"] for w in waits.values()), default=0),
            }
            if behind:
                report["behind"] = behind
            extensions[WAIT_EXTENSION] = report
        return {**body, "extensions": extensions}


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 0


def _refusal(message: str) -> Body:
    return {"errors": [{"message": message, "extensions": {"code": "BAD_USER_INPUT"}}]}
