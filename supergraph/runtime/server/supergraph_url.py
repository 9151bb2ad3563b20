"""A supergraph served over HTTP (any registry or file server), polled with its ETag.

`pos gateway --supergraph-url URL` reads the supergraph from there at start and then every
`--supergraph-poll` seconds with `If-None-Match`: a 304 costs the server nothing, a 200
with a new text is handed to `reload` (the gateway's hot reload), and any failure (the
server down, a 500, a supergraph that does not load) is logged and the running one kept.
A registry that sends no ETag still works: the text is compared instead.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass

import httpx

log = logging.getLogger(__name__)


class SupergraphFetchError(Exception):
    """The supergraph could not be read from its URL."""


@dataclass
class Fetched:
    sdl: str
    etag: str | None


async def fetch(url: str, client: httpx.AsyncClient, etag: str | None = None) -> Fetched | None:
    """The supergraph at `url`; None when the server says it has not changed (304)."""
    headers = {"accept": "text/plain, application/graphql, */*"}
    if etag:
        headers["if-none-match"] = etag
    try:
        response = await client.get(url, headers=headers)
    except httpx.HTTPError as e:
        raise SupergraphFetchError(f"{url}: {e.__class__.__name__}: {e}") from e
    if response.status_code == 304:
        return None
    if response.status_code != 200:
        raise SupergraphFetchError(f"{url}: HTTP {response.status_code}")
    return Fetched(response.text, response.headers.get("etag"))


def fetch_now(url: str, timeout: float = 10.0) -> Fetched:
    """The first read, before the gateway starts (it has nothing to serve without it)."""

    async def once() -> Fetched:
        async with httpx.AsyncClient(timeout=timeout) as client:
            fetched = await fetch(url, client)
        assert fetched is not None  # no ETag sent: never a 304
        return fetched

    return asyncio.run(once())


async def poll(
    url: str,
    first: Fetched,
    reload: Callable[[str], None],
    interval: float,
    timeout: float = 10.0,
) -> None:
    """Until cancelled: every `interval` seconds, reload what changed at `url`."""
    current = first
    async with httpx.AsyncClient(timeout=timeout) as client:
        while True:
            await asyncio.sleep(interval)
            try:
                fetched = await fetch(url, client, current.etag)
            except SupergraphFetchError as e:
                log.error("supergraph poll failed, still serving the previous: %s", e)
                continue
            if fetched is None or fetched.sdl == current.sdl:
                if fetched is not None:
                    current = fetched
                continue
            try:
                reload(fetched.sdl)
            except Exception as e:  # a bad supergraph must never stop a serving gateway
                log.error(
                    "supergraph from %s does not load, still serving the previous: %s", url, e
                )
                current = Fetched(current.sdl, fetched.etag)  # not asked again until it changes
                continue
            log.warning("supergraph reloaded from %s (etag %s)", url, fetched.etag)
            current = fetched
