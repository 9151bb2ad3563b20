"""Request headers reach subgraphs only through the configured allow-list."""

from __future__ import annotations


async def test_allow_listed_headers_forwarded_to_every_subgraph(shop) -> None:
    seen: list[dict[str, str]] = []
    for sub in shop.subgraphs.values():
        original = sub._serve

        async def spy(request, _original=original):
            seen.append(dict(request.headers))
            return await _original(request)

        sub.app.router.routes[0].endpoint = spy
        sub.app.router.routes[0].app = __import__("starlette.routing").routing.request_response(spy)
    await shop.query(
        "{ me { name reviews { body } } }",
        headers={"Authorization": "Bearer t0k3n", "X-Secret": "no"},
    )
    assert len(seen) == 2
    for headers in seen:
        assert headers["authorization"] == "Bearer t0k3n"
        assert "x-secret" not in headers
