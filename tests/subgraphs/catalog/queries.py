"""GraphQL documents the catalog tests send."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

from tests.subgraphs.hosting.harness import Harness

PRODUCT_FIELDS = "id sku name active unitPrice { amount currency } category { id name }"

CREATE_CATEGORY = "mutation($name: String!) { createCategory(input: {name: $name}) { id name } }"
ADD_PRODUCT = f"""
mutation($sku: String!, $name: String!, $cat: ID!, $amount: String!, $cur: String!) {{
  addProduct(input: {{sku: $sku, name: $name, categoryId: $cat,
                      unitPrice: {{amount: $amount, currency: $cur}}}}) {{ {PRODUCT_FIELDS} }}
}}"""


def unique_sku(prefix: str = "SKU") -> str:
    return f"{prefix}-{uuid4().hex[:10].upper()}"


async def create_category(h: Harness, name: str | None = None) -> dict[str, Any]:
    data = await h.data("catalog", CREATE_CATEGORY, {"name": name or f"Category {uuid4().hex[:8]}"})
    category: dict[str, Any] = data["createCategory"]
    return category


async def add_product(
    h: Harness,
    category_id: str,
    *,
    sku: str | None = None,
    name: str = "Espresso beans 1kg",
    amount: str = "12.50",
    currency: str = "EUR",
) -> dict[str, Any]:
    data = await h.data(
        "catalog",
        ADD_PRODUCT,
        {
            "sku": sku or unique_sku(),
            "name": name,
            "cat": category_id,
            "amount": amount,
            "cur": currency,
        },
    )
    product: dict[str, Any] = data["addProduct"]
    return product
