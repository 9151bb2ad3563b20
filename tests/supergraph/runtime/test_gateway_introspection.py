"""Introspection of the API schema, answered by the gateway itself."""

from __future__ import annotations


async def test_type_introspection_hides_federation_machinery(shop) -> None:
    result = await shop.query(
        '{ __type(name: "Product") { name fields { name } } '
        'c: __type(name: "Currency") { enumValues { name } } '
        'j: __type(name: "join__Graph") { name } }'
    )
    assert result == {
        "data": {
            "__type": {
                "name": "Product",
                "fields": [
                    {"name": "upc"},
                    {"name": "weight"},
                    {"name": "inStock"},
                    {"name": "shippingEstimate"},
                    {"name": "name"},
                    {"name": "price"},
                    {"name": "category"},
                    {"name": "reviews"},
                    {"name": "topReview"},
                ],
            },
            "c": {"enumValues": [{"name": "USD"}, {"name": "EUR"}]},
            "j": None,
        }
    }
    assert all(not s.received for s in shop.subgraphs.values())


async def test_schema_introspection_next_to_data(shop) -> None:
    result = await shop.query(
        "{ __schema { queryType { name } mutationType { name } directives { name } } me { name } }"
    )
    schema = result["data"]["__schema"]
    assert schema["queryType"] == {"name": "Query"}
    assert schema["mutationType"] == {"name": "Mutation"}
    names = {d["name"] for d in schema["directives"]}
    assert {"include", "skip", "deprecated"} <= names
    assert not any(n.startswith(("join__", "link")) or n == "inaccessible" for n in names)
    assert result["data"]["me"] == {"name": "Ada Lovelace"}
