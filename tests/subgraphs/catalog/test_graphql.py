"""The catalog subgraph through its GraphQL endpoint (embedded: SQLite + in-process bus)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from subgraphs.catalog import CATALOG
from tests.subgraphs.catalog.queries import (
    ADD_PRODUCT,
    PRODUCT_FIELDS,
    add_product,
    create_category,
    unique_sku,
)
from tests.subgraphs.hosting.harness import Harness, running


@pytest.fixture(scope="module")
async def h(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Harness]:
    async with running(
        [CATALOG], backend="sqlite", tmp_path=tmp_path_factory.mktemp("catalog")
    ) as harness:
        yield harness


def error_codes(body: dict[str, Any]) -> list[str]:
    return [e["extensions"]["code"] for e in body.get("errors") or []]


async def test_add_product_answers_with_the_stored_product_and_queries_see_it(h: Harness) -> None:
    category = await create_category(h, "Coffee")
    sku = unique_sku("bean")
    product = await add_product(h, category["id"], sku=sku, amount="12.5")
    assert product["sku"] == sku.upper()
    assert product["unitPrice"] == {"amount": "12.50", "currency": "EUR"}
    assert product["active"] is True
    assert product["category"] == {"id": category["id"], "name": "Coffee"}
    data = await h.data(
        "catalog",
        f"""query($id: ID!, $sku: String!) {{
          product(id: $id) {{ {PRODUCT_FIELDS} }}
          productBySku(sku: $sku) {{ id }}
        }}""",
        {"id": product["id"], "sku": sku.lower()},
    )
    assert data["product"] == product
    assert data["productBySku"] == {"id": product["id"]}


async def test_commands_change_what_queries_read(h: Harness) -> None:
    category = await create_category(h)
    product = await add_product(h, category["id"])
    pid = product["id"]
    data = await h.data(
        "catalog",
        """mutation($id: ID!) {
          changeProductPrice(input: {id: $id, unitPrice: {amount: "9.99", currency: "usd"}}) {
            unitPrice { amount currency } }
          renameProduct(input: {id: $id, name: "  Decaf   beans "}) { name }
          deactivateProduct(id: $id) { active }
        }""",
        {"id": pid},
    )
    assert data == {
        "changeProductPrice": {"unitPrice": {"amount": "9.99", "currency": "USD"}},
        "renameProduct": {"name": "Decaf beans"},
        "deactivateProduct": {"active": False},
    }
    again = await h.gql(
        "catalog", "mutation($id: ID!) { deactivateProduct(id: $id) { id } }", {"id": pid}
    )
    assert error_codes(again) == ["CONFLICT"]
    assert "already inactive" in again["errors"][0]["message"]
    data = await h.data(
        "catalog",
        "mutation($id: ID!) { activateProduct(id: $id) { active name } }",
        {"id": pid},
    )
    assert data["activateProduct"] == {"active": True, "name": "Decaf beans"}


async def test_duplicate_sku_is_a_conflict_and_writes_nothing(h: Harness) -> None:
    category = await create_category(h)
    sku = unique_sku()
    first = await add_product(h, category["id"], sku=sku)
    body = await h.gql(
        "catalog",
        ADD_PRODUCT,
        {"sku": sku.lower(), "name": "Copy", "cat": category["id"], "amount": "1", "cur": "EUR"},
    )
    assert error_codes(body) == ["CONFLICT"]
    assert sku in body["errors"][0]["message"]
    assert body["data"] is None
    data = await h.data(
        "catalog",
        "query($s: String!) { products(search: $s) { totalCount nodes { id } } }",
        {"s": sku},
    )
    assert data["products"] == {"totalCount": 1, "nodes": [{"id": first["id"]}]}


@pytest.mark.parametrize(
    ("variables", "field", "words"),
    [
        ({"amount": "-1"}, "unitPrice.amount", "negative"),
        ({"amount": "twelve"}, "unitPrice.amount", "not a number"),
        ({"amount": "1.234"}, "unitPrice.amount", "decimals"),
        ({"cur": "XYZ"}, "unitPrice.currency", "ISO 4217"),
        ({"sku": "bad sku!"}, "sku", "letters, digits"),
        ({"sku": "A" * 65}, "sku", "at most 64"),
        ({"name": "   "}, "name", "must not be empty"),
        ({"name": "x" * 201}, "name", "at most 200"),
        ({"cat": "not-a-uuid"}, "categoryId", "not a valid category id"),
    ],
)
async def test_bad_input_is_rejected_precisely(
    h: Harness, variables: dict[str, str], field: str, words: str
) -> None:
    category = await create_category(h)
    payload = {
        "sku": unique_sku(),
        "name": "Tea",
        "cat": category["id"],
        "amount": "3.00",
        "cur": "EUR",
        **variables,
    }
    body = await h.gql("catalog", ADD_PRODUCT, payload)
    assert error_codes(body) == ["BAD_USER_INPUT"]
    error = body["errors"][0]
    assert error["extensions"]["field"] == field
    assert words in error["message"]
    assert error["path"] == ["addProduct"]
    count = await h.data(
        "catalog", "query($s: String!) { products(search: $s) { totalCount } }", {"s": "Tea"}
    )
    assert count["products"]["totalCount"] == 0


async def test_unknown_category_and_product_are_not_found(h: Harness) -> None:
    missing = "00000000-0000-4000-8000-000000000000"
    body = await h.gql(
        "catalog",
        ADD_PRODUCT,
        {"sku": unique_sku(), "name": "X", "cat": missing, "amount": "1", "cur": "EUR"},
    )
    assert error_codes(body) == ["NOT_FOUND"]
    body = await h.gql(
        "catalog", "mutation($id: ID!) { deactivateProduct(id: $id) { id } }", {"id": missing}
    )
    assert error_codes(body) == ["NOT_FOUND"]
    data = await h.data("catalog", "query($id: ID!) { product(id: $id) { id } }", {"id": missing})
    assert data == {"product": None}


async def test_products_page_through_a_filtered_list_with_cursors(h: Harness) -> None:
    fruit = await create_category(h)
    other = await create_category(h)
    tag = unique_sku("PG")
    skus = [f"{tag}-{i:02d}" for i in range(7)]
    for sku in reversed(skus):
        await add_product(h, fruit["id"], sku=sku, name=f"Apple {sku}")
    await add_product(h, other["id"], sku=f"{tag}-99", name="Apple elsewhere")
    query = """query($cat: ID!, $after: String) {
      products(first: 3, after: $after, categoryId: $cat, search: "apple") {
        totalCount edges { cursor node { sku } }
        pageInfo { hasNextPage hasPreviousPage endCursor startCursor }
      }
    }"""
    seen: list[str] = []
    after = None
    pages = 0
    while True:
        data = await h.data("catalog", query, {"cat": fruit["id"], "after": after})
        page = data["products"]
        assert page["totalCount"] == 7
        seen += [edge["node"]["sku"] for edge in page["edges"]]
        pages += 1
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == skus
    assert pages == 3
    back = await h.data(
        "catalog",
        """query($cat: ID!, $before: String) {
          products(last: 2, before: $before, categoryId: $cat) { nodes { sku }
            pageInfo { hasPreviousPage } } }""",
        {"cat": fruit["id"], "before": after},
    )
    assert [n["sku"] for n in back["products"]["nodes"]] == skus[3:5]  # before page 2 end
    assert back["products"]["pageInfo"]["hasPreviousPage"] is True
    bad = await h.gql("catalog", '{ products(after: "garbage") { totalCount } }')
    assert error_codes(bad) == ["BAD_USER_INPUT"]
    too_many = await h.gql("catalog", "{ products(first: 1000) { totalCount } }")
    assert error_codes(too_many) == ["BAD_USER_INPUT"]


async def test_active_filter_and_categories_list(h: Harness) -> None:
    category = await create_category(h, f"Zz {unique_sku()}")
    kept = await add_product(h, category["id"])
    dropped = await add_product(h, category["id"])
    await h.data(
        "catalog", "mutation($id: ID!) { deactivateProduct(id: $id) { id } }", {"id": dropped["id"]}
    )
    data = await h.data(
        "catalog",
        "query($cat: ID!) { active: products(categoryId: $cat, active: true) { nodes { id } }"
        " inactive: products(categoryId: $cat, active: false) { nodes { id } }"
        " categories { id name } }",
        {"cat": category["id"]},
    )
    assert data["active"]["nodes"] == [{"id": kept["id"]}]
    assert data["inactive"]["nodes"] == [{"id": dropped["id"]}]
    assert category in data["categories"]
    dup = await h.gql(
        "catalog",
        "mutation($n: String!) { createCategory(input: {name: $n}) { id } }",
        {"n": category["name"].upper()},
    )
    assert error_codes(dup) == ["CONFLICT"]


async def test_entities_resolve_products_by_either_key_and_categories(h: Harness) -> None:
    category = await create_category(h, f"Ent {unique_sku()}")
    product = await add_product(h, category["id"])
    data = await h.data(
        "catalog",
        """query($reps: [_Any!]!) { _entities(representations: $reps) {
          ... on Product { id sku name unitPrice { amount currency } }
          ... on Category { id name } } }""",
        {
            "reps": [
                {"__typename": "Product", "id": product["id"]},
                {"__typename": "Product", "sku": product["sku"]},
                {"__typename": "Category", "id": category["id"]},
                {"__typename": "Product", "id": "00000000-0000-4000-8000-000000000000"},
            ]
        },
    )
    entity = {k: product[k] for k in ("id", "sku", "name", "unitPrice")}
    assert data["_entities"] == [entity, entity, category, None]


async def test_service_sdl_matches_the_committed_file(h: Harness) -> None:
    data = await h.data("catalog", "{ _service { sdl } }")
    committed = (Path(__file__).resolve().parents[3] / "schema" / "catalog.graphql").read_text()
    assert data["_service"]["sdl"].rstrip("\n") + "\n" == committed
    assert committed == CATALOG.sdl()
    assert '@key(fields: "id") @key(fields: "sku")' in committed
    assert "type Money @shareable" in committed


async def test_an_unexpected_failure_is_reported_without_details(
    h: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    from subgraphs.catalog.projections import CategoryView

    async def broken(*_: object, **__: object) -> None:
        raise RuntimeError("secret connection string mongodb://user:pw@host")

    monkeypatch.setattr(CategoryView, "get", broken)
    body = await h.gql(
        "catalog",
        "query($id: ID!) { category(id: $id) { id } }",
        {"id": "00000000-0000-4000-8000-000000000000"},
    )
    assert error_codes(body) == ["INTERNAL_SERVER_ERROR"]
    assert "secret" not in str(body)
    assert "Traceback" not in str(body)


async def test_entity_batches_cost_one_read_store_query(
    h: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    from subgraphs.catalog.projections import ProductView

    category = await create_category(h)
    products = [await add_product(h, category["id"]) for _ in range(6)]
    queries: list[object] = []
    find = ProductView.find

    def counting(*args: Any, **kwargs: Any) -> Any:
        queries.append(args)
        return find(*args, **kwargs)

    monkeypatch.setattr(ProductView, "find", counting)
    reps = [{"__typename": "Product", "id": p["id"]} for p in products]
    data = await h.data(
        "catalog",
        """query($reps: [_Any!]!) { _entities(representations: $reps) {
          ... on Product { sku category { name } } } }""",
        {"reps": reps + reps[:2]},
    )
    assert [e["sku"] for e in data["_entities"]] == [p["sku"] for p in products + products[:2]]
    assert len(queries) == 1


async def test_a_lagging_read_side_still_answers_with_the_write(
    h: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    from subgraphs.catalog.projections import CatalogView

    category = await create_category(h)
    product = await add_product(h, category["id"])

    async def never(self: CatalogView, envelope: object) -> bool:
        return False

    monkeypatch.setattr(CatalogView, "has_applied", never)
    data = await h.data(
        "catalog",
        """mutation($id: ID!) { renameProduct(input: {id: $id, name: "Fresh name"}) {
          name sku unitPrice { amount } } }""",
        {"id": product["id"]},
    )
    assert data["renameProduct"] == {
        "name": "Fresh name",
        "sku": product["sku"],
        "unitPrice": {"amount": "12.50"},
    }
