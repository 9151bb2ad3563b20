"""@shareable: the subgraph that avoids extra fetches is chosen; @override moves a field."""

from __future__ import annotations


async def test_shareable_root_field_resolved_where_the_rest_lives(start_graph) -> None:
    async with start_graph("choice") as g:
        result = await g.query("{ topProduct { name stock } }")
        assert result == {"data": {"topProduct": {"name": "Lamp", "stock": 3}}}
        assert g.requests_to("alpha") == []
        assert len(g.requests_to("beta")) == 1


async def test_shareable_field_read_locally(start_graph) -> None:
    async with start_graph("choice") as g:
        result = await g.query("{ products { name } }")
        assert result == {"data": {"products": [{"name": "Lamp"}, {"name": "Desk"}]}}
        assert g.requests_to("beta") == []


async def test_overridden_field_comes_from_the_new_owner(start_graph) -> None:
    async with start_graph("choice") as g:
        result = await g.query("{ products { price } }")
        # alpha still has price 1/2 in its data; beta overrides with 10/20
        assert result == {"data": {"products": [{"price": 10}, {"price": 20}]}}
        assert "price" not in g.requests_to("alpha")[0]["query"]
