"""The response every HTTP policy refuses with: a GraphQL error body and its code."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson
from starlette.responses import Response


def refusal(
    status: int,
    message: str,
    code: str,
    *,
    headers: Mapping[str, str] | None = None,
    **extensions: Any,
) -> Response:
    """`{"errors": [{"message", "extensions": {"code", ...}}]}` with `status`."""
    body = {"errors": [{"message": message, "extensions": {"code": code, **extensions}}]}
    return Response(
        orjson.dumps(body), status, headers=dict(headers or {}), media_type="application/json"
    )
