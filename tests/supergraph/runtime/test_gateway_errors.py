"""Errors: null propagation, forwarded subgraph errors, partial data, request errors."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.usefixtures("data_path")  # Python path and compiled core


async def test_subgraph_error_forwarded_with_extensions_and_client_path(shop) -> None:
    result = await shop.query('{ first: product(upc: "1") { reviews { id note: moderatorNote } } }')
    assert result == {
        "errors": [
            {
                "message": "Moderator notes of review r2 are restricted.",
                "path": ["first", "reviews", 1, "note"],
                "extensions": {"code": "FORBIDDEN", "serviceName": "reviews"},
            }
        ],
        "data": {"first": {"reviews": [{"id": "r1", "note": None}, {"id": "r2", "note": None}]}},
    }


async def test_entity_error_path_points_at_the_client_object(shop) -> None:
    result = await shop.query("{ topProducts { name reviews { score } } }")
    # r3's non-null score fails: reviews of product 2 null out, then (non-null) the Product,
    # then the non-null list, up to the nullable root: data is null.
    assert result == {
        "errors": [
            {
                "message": "Score of r3 could not be computed.",
                "path": ["topProducts", 1, "reviews", 0, "score"],
                "extensions": {"code": "DOWNSTREAM_SERVICE_ERROR", "serviceName": "reviews"},
            }
        ],
        "data": None,
    }


async def test_null_propagates_to_nearest_nullable_parent(shop) -> None:
    result = await shop.query('{ product(upc: "2") { name topReview { id score } } }')
    assert result == {
        "errors": [
            {
                "message": "Score of r3 could not be computed.",
                "path": ["product", "topReview", "score"],
                "extensions": {"code": "DOWNSTREAM_SERVICE_ERROR", "serviceName": "reviews"},
            }
        ],
        "data": {"product": {"name": "Couch", "topReview": None}},
    }


async def test_missing_non_null_value_reported_with_its_path(shop) -> None:
    shop.subgraphs["inventory"].references["Product"] = lambda rep: None
    result = await shop.query('{ product(upc: "1") { name inStock } }')
    assert result == {
        "errors": [
            {
                "message": "Cannot return null for non-nullable field Product.inStock.",
                "path": ["product", "inStock"],
                "extensions": {"code": "INVALID_GRAPHQL"},
            }
        ],
        "data": {"product": None},
    }


async def test_partial_data_when_a_subgraph_fails(shop) -> None:
    shop.subgraphs["inventory"].fail_with_status = 500
    result = await shop.query('{ product(upc: "1") { name shippingEstimate } }')
    assert result == {
        "errors": [
            {
                "message": "HTTP fetch failed from 'inventory': 500: Internal Server Error",
                "path": ["product"],  # the object the failed entity fetch was to complete
                "extensions": {
                    "code": "SUBREQUEST_HTTP_ERROR",
                    "service": "inventory",
                    "http": {"status": 500},
                },
            }
        ],
        "data": {"product": {"name": "Table", "shippingEstimate": None}},
    }


async def test_partial_data_when_a_subgraph_times_out(start_graph) -> None:
    async with start_graph("shop", timeout=0.3) as g:
        g.subgraphs["reviews"].delay = 2.0
        result = await g.query('{ me { name } product(upc: "1") { topReview { body } } }')
        assert result == {
            "errors": [
                {
                    "message": "HTTP fetch failed from 'reviews': request timed out",
                    "path": ["product"],
                    "extensions": {"code": "SUBREQUEST_HTTP_ERROR", "service": "reviews"},
                }
            ],
            "data": {"me": {"name": "Ada Lovelace"}, "product": {"topReview": None}},
        }


async def test_unreachable_subgraph_names_it(start_graph) -> None:
    async with start_graph("shop") as g:
        await g.servers[1].stop()  # products
        response = await g.post("{ topProducts { name } }")
        assert response.status_code == 200
        body = response.json()
        assert body["data"] is None
        [error] = body["errors"]
        assert error["extensions"]["code"] == "SUBREQUEST_HTTP_ERROR"
        assert error["message"].startswith("HTTP fetch failed from 'products'")


async def test_validation_error_code(shop) -> None:
    response = await shop.post("{ topProducts { nope } }")
    assert response.status_code == 200
    assert response.json() == {
        "errors": [
            {
                "message": "Cannot query field 'nope' on type 'Product'. Did you mean 'name'?",
                "locations": [{"line": 1, "column": 17}],
                "extensions": {"code": "GRAPHQL_VALIDATION_FAILED"},
            }
        ]
    }


async def test_parse_error_code(shop) -> None:
    response = await shop.post("{ topProducts { name ")
    assert response.status_code == 200
    assert response.json() == {
        "errors": [
            {
                "message": "Syntax Error: Expected Name, found <EOF>.",
                "locations": [{"line": 1, "column": 22}],
                "extensions": {"code": "GRAPHQL_PARSE_FAILED"},
            }
        ]
    }


async def test_bad_variable_is_bad_user_input_without_any_fetch(shop) -> None:
    result = await shop.query("query($n: Int!) { topProducts(first: $n) { upc } }", {"n": "x"})
    assert [e["extensions"]["code"] for e in result["errors"]] == ["BAD_USER_INPUT"]
    assert "data" not in result
    assert shop.requests_to("products") == []


async def test_failed_entity_fetch_error_points_into_the_list(shop) -> None:
    shop.subgraphs["inventory"].fail_with_status = 503
    result = await shop.query("{ topProducts { name shippingEstimate } }")
    [error] = result["errors"]
    assert error["path"] == ["topProducts", 0]
    assert error["extensions"]["code"] == "SUBREQUEST_HTTP_ERROR"
    assert result["data"]["topProducts"][0] == {"name": "Table", "shippingEstimate": None}
