"""Root fields answered by one subgraph, and entity fields from others."""

from __future__ import annotations


async def test_root_field_from_one_subgraph(shop) -> None:
    result = await shop.query("{ topProducts(first: 2) { upc name } }")
    assert result == {
        "data": {"topProducts": [{"upc": "1", "name": "Table"}, {"upc": "2", "name": "Couch"}]}
    }
    assert len(shop.requests_to("products")) == 1
    assert shop.requests_to("reviews") == []


async def test_entity_fields_from_three_subgraphs(shop) -> None:
    result = await shop.query(
        "{ topProducts { name inStock reviews { body author { username name } } } }"
    )
    assert result == {
        "data": {
            "topProducts": [
                {
                    "name": "Table",
                    "inStock": True,
                    "reviews": [
                        {"body": "Love it!", "author": {"username": "ada", "name": "Ada Lovelace"}},
                        {
                            "body": "Too expensive.",
                            "author": {"username": "alan", "name": "Alan Turing"},
                        },
                    ],
                },
                {
                    "name": "Couch",
                    "inStock": True,
                    "reviews": [
                        {
                            "body": "Could be better.",
                            "author": {"username": "ada", "name": "Ada Lovelace"},
                        }
                    ],
                },
                {"name": "Chair", "inStock": False, "reviews": []},
            ]
        }
    }
    # one request per subgraph per step, representations deduplicated (u1 twice -> once)
    assert len(shop.requests_to("products")) == 1
    assert len(shop.requests_to("reviews")) == 1
    assert len(shop.requests_to("inventory")) == 1
    accounts = shop.requests_to("accounts")
    assert len(accounts) == 1
    assert accounts[0]["variables"]["representations"] == [
        {"__typename": "User", "id": "u1"},
        {"__typename": "User", "id": "u2"},
    ]
