"""Enums and input types that differ between subgraphs (merged by composition)."""

from __future__ import annotations


async def test_output_enum_values_from_both_subgraphs(start_graph) -> None:
    async with start_graph("inputs") as g:
        result = await g.query("{ things { id size fitSize } }")
        assert result == {
            "data": {
                "things": [
                    {"id": "t1", "size": "S", "fitSize": "L"},
                    {"id": "t2", "size": "M", "fitSize": "M"},
                ]
            }
        }
        sizes = await g.query('{ __type(name: "Size") { enumValues { name } } }')
        assert sizes == {
            "data": {"__type": {"enumValues": [{"name": "M"}, {"name": "L"}, {"name": "S"}]}}
        }


async def test_input_type_is_the_intersection(start_graph) -> None:
    async with start_graph("inputs") as g:
        ok = await g.query(
            "query($f: ThingFilter) { things(filter: $f) { id } thingCount(filter: $f) }",
            {"f": {"color": "GREEN"}},
        )
        assert ok == {"data": {"things": [{"id": "t2"}], "thingCount": 1}}
        rejected = await g.query("{ things(filter: {minSize: 1}) { id } }")
        assert rejected["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
