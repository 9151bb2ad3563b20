"""@inaccessible elements are absent from the API schema and rejected in operations."""

from __future__ import annotations


async def test_inaccessible_field_and_type_rejected(start_graph) -> None:
    async with start_graph("inputs") as g:
        for query in ("{ things { secret } }", "{ things { vault { code } } }"):
            result = await g.query(query)
            assert result["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
        assert g.requests_to("things") == []
        schema = await g.query(
            '{ t: __type(name: "Thing") { fields { name } } v: __type(name: "Vault") { name } }'
        )
        assert schema == {
            "data": {
                "t": {
                    "fields": [
                        {"name": "id"},
                        {"name": "fitSize"},
                        {"name": "color"},
                        {"name": "size"},
                    ]
                },
                "v": None,
            }
        }


async def test_inaccessible_enum_value_rejected_as_input(shop) -> None:
    result = await shop.query('{ product(upc: "1") { price(currency: GBP) } }')
    assert result["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
