"""Turn a delivered record into a `Message`, never raising on a bad body.

Both transports share this so that a poison body looks the same wherever it arrives:
`envelope=None` plus an `error` the projection runner writes into the dead letter.
"""

from __future__ import annotations

from collections.abc import Iterable

from eventbus.envelope import Envelope
from eventbus.ports import Message


def decode_message(
    topic: str,
    partition: int,
    offset: int,
    key: bytes | str | None,
    body: bytes | None,
    headers: Iterable[tuple[str, bytes]] = (),
) -> Message:
    raw = body or b""
    text_key = key.decode("utf-8", "replace") if isinstance(key, bytes) else key
    envelope: Envelope | None = None
    error: str | None = None
    try:
        envelope = Envelope.from_json(raw)
    except Exception as exc:  # any malformed body: JSON, missing field, wrong type
        error = f"undecodable envelope ({type(exc).__name__}: {exc})"
    return Message(
        topic=topic,
        partition=partition,
        offset=offset,
        key=text_key,
        envelope=envelope,
        raw=raw,
        error=error,
        headers=tuple(headers),
    )
