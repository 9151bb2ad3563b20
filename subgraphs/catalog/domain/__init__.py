"""The catalog's domain model: categories, products, and the unique-name guard."""

from subgraphs.catalog.domain.category import Category
from subgraphs.catalog.domain.claim import NameClaim, claim_id
from subgraphs.catalog.domain.events import (
    CategoryCreated,
    NameClaimed,
    ProductActivated,
    ProductAdded,
    ProductDeactivated,
    ProductPriceChanged,
    ProductRenamed,
)
from subgraphs.catalog.domain.product import Product
from subgraphs.catalog.domain.values import (
    Money,
    parse_currency,
    parse_id,
    parse_money,
    parse_name,
    parse_sku,
)

__all__ = [
    "Category",
    "CategoryCreated",
    "Money",
    "NameClaim",
    "NameClaimed",
    "Product",
    "ProductActivated",
    "ProductAdded",
    "ProductDeactivated",
    "ProductPriceChanged",
    "ProductRenamed",
    "claim_id",
    "parse_currency",
    "parse_id",
    "parse_money",
    "parse_name",
    "parse_sku",
]
