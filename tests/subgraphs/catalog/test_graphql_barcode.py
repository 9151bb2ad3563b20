"""Barcodes and tax classes through the catalog's GraphQL endpoint (embedded)."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from typing import Any

import pytest

from subgraphs.catalog import CATALOG
from subgraphs.catalog.domain import with_check_digit
from tests.subgraphs.catalog.queries import create_category, unique_sku
from tests.subgraphs.hosting.harness import Harness, running

FIELDS = "id sku barcode taxClass"
ADD = f"""mutation($sku: String!, $cat: ID!, $barcode: String, $tax: String) {{
  addProduct(input: {{sku: $sku, name: "Scanned tea", categoryId: $cat,
    unitPrice: {{amount: "3.20", currency: "EUR"}}, barcode: $barcode, taxClass: $tax}}) {{
    {FIELDS} }} }}"""
SET_BARCODE = f"""mutation($id: ID!, $barcode: String) {{
  setProductBarcode(productId: $id, barcode: $barcode) {{ {FIELDS} }} }}"""
SET_TAX = f"""mutation($id: ID!, $tax: String!) {{
  setProductTaxClass(productId: $id, taxClass: $tax) {{ {FIELDS} }} }}"""
BY_BARCODE = "query($b: String!) { productByBarcode(barcode: $b) { id barcode } }"


@pytest.fixture(scope="module")
async def h(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Harness]:
    async with running(
        [CATALOG], backend="sqlite", tmp_path=tmp_path_factory.mktemp("catalog-barcode")
    ) as harness:
        yield harness


def ean13() -> str:
    return with_check_digit("".join(random.choices("0123456789", k=12)))


def upc_a() -> str:
    return with_check_digit("".join(random.choices("0123456789", k=11)))


def codes(body: dict[str, Any]) -> list[str]:
    return [e["extensions"]["code"] for e in body.get("errors") or []]


async def add(h: Harness, cat: str, barcode: str | None = None, tax: str | None = None) -> Any:
    variables = {"sku": unique_sku(), "cat": cat, "barcode": barcode, "tax": tax}
    return await h.gql("catalog", ADD, variables)


async def test_products_have_a_barcode_and_tax_class_and_are_found_by_barcode(h: Harness) -> None:
    cat = (await create_category(h))["id"]
    plain = (await add(h, cat))["data"]["addProduct"]
    assert (plain["barcode"], plain["taxClass"]) == (None, "STANDARD")
    code = ean13()
    food = (await add(h, cat, code, "reduced"))["data"]["addProduct"]
    assert (food["barcode"], food["taxClass"]) == (code, "REDUCED")
    found = await h.data("catalog", BY_BARCODE, {"b": code})
    assert found["productByBarcode"] == {"id": food["id"], "barcode": code}
    again = await h.data(
        "catalog", "query($id: ID!) { product(id: $id) { barcode taxClass } }", {"id": food["id"]}
    )
    assert again["product"] == {"barcode": code, "taxClass": "REDUCED"}
    unknown = await h.data("catalog", BY_BARCODE, {"b": ean13()})
    assert unknown["productByBarcode"] is None


async def test_a_upc_a_code_is_found_in_either_spelling(h: Harness) -> None:
    cat = (await create_category(h))["id"]
    code = upc_a()
    product = (await add(h, cat, code))["data"]["addProduct"]
    for spelling in (code, "0" + code):
        found = await h.data("catalog", BY_BARCODE, {"b": spelling})
        assert found["productByBarcode"] == {"id": product["id"], "barcode": code}
    taken = await add(h, cat, "0" + code)
    assert codes(taken) == ["CONFLICT"]


async def test_bad_barcodes_and_tax_classes_are_bad_user_input_and_write_nothing(
    h: Harness,
) -> None:
    cat = (await create_category(h))["id"]
    good = ean13()
    wrong_digit = good[:-1] + str((int(good[-1]) + 1) % 10)
    cases = [
        (wrong_digit, None, "check digit"),
        ("12345", None, "has 5 digits: an EAN-13 has 13 and a UPC-A 12"),
        ("ABCDEFGHIJKLM", None, "may contain only digits"),
        (None, "9%", "is not a tax class"),
    ]
    for barcode, tax, words in cases:
        body = await add(h, cat, barcode, tax)
        assert codes(body) == ["BAD_USER_INPUT"], body
        assert words in body["errors"][0]["message"]
        assert body["errors"][0]["extensions"]["field"] in ("barcode", "taxClass")
    for query in (BY_BARCODE,):
        body = await h.gql("catalog", query, {"b": wrong_digit})
        assert codes(body) == ["BAD_USER_INPUT"]
    listed = await h.data(
        "catalog", "query($c: ID!) { products(categoryId: $c) { totalCount } }", {"c": cat}
    )
    assert listed["products"]["totalCount"] == 0


async def test_a_barcode_belongs_to_one_product_until_it_is_removed(h: Harness) -> None:
    cat = (await create_category(h))["id"]
    code = ean13()
    first = (await add(h, cat, code))["data"]["addProduct"]
    second = (await add(h, cat))["data"]["addProduct"]
    dup = await add(h, cat, code)
    assert codes(dup) == ["CONFLICT"]
    assert "already used by" in dup["errors"][0]["message"]
    taken = await h.gql("catalog", SET_BARCODE, {"id": second["id"], "barcode": code})
    assert codes(taken) == ["CONFLICT"]
    # the owner removes it: the barcode is free again
    removed = await h.data("catalog", SET_BARCODE, {"id": first["id"], "barcode": None})
    assert removed["setProductBarcode"]["barcode"] is None
    assert (await h.data("catalog", BY_BARCODE, {"b": code}))["productByBarcode"] is None
    moved = await h.data("catalog", SET_BARCODE, {"id": second["id"], "barcode": code})
    assert moved["setProductBarcode"]["barcode"] == code
    # replacing frees the old one
    other = ean13()
    await h.data("catalog", SET_BARCODE, {"id": second["id"], "barcode": other})
    back = await h.data("catalog", SET_BARCODE, {"id": first["id"], "barcode": code})
    assert back["setProductBarcode"]["barcode"] == code
    found = await h.data("catalog", BY_BARCODE, {"b": other})
    assert found["productByBarcode"] == {"id": second["id"], "barcode": other}
    same = await h.data("catalog", SET_BARCODE, {"id": second["id"], "barcode": other})
    assert same["setProductBarcode"]["barcode"] == other


async def test_tax_class_changes_and_unknown_products(h: Harness) -> None:
    cat = (await create_category(h))["id"]
    product = (await add(h, cat))["data"]["addProduct"]
    data = await h.data("catalog", SET_TAX, {"id": product["id"], "tax": "zero"})
    assert data["setProductTaxClass"]["taxClass"] == "ZERO"
    missing = "00000000-0000-4000-8000-000000000000"
    for query, variables in (
        (SET_TAX, {"id": missing, "tax": "ZERO"}),
        (SET_BARCODE, {"id": missing, "barcode": ean13()}),
    ):
        assert codes(await h.gql("catalog", query, variables)) == ["NOT_FOUND"]
    bad = await h.gql("catalog", SET_TAX, {"id": product["id"], "tax": ""})
    assert codes(bad) == ["BAD_USER_INPUT"]


def test_the_sdl_guards_the_new_mutations_with_catalog_write() -> None:
    sdl = CATALOG.sdl()
    for field in ("setProductBarcode", "setProductTaxClass"):
        line = next(line for line in sdl.splitlines() if line.strip().startswith(field))
        assert '@requiresScopes(scopes: [["catalog:write"]])' in line
