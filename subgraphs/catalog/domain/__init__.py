"""The catalog's domain model: categories, products, and the unique-name guard."""

from subgraphs.catalog.domain.barcode import gtin13, parse_barcode, with_check_digit
from subgraphs.catalog.domain.category import Category
from subgraphs.catalog.domain.claim import NameClaim, claim_id
from subgraphs.catalog.domain.events import (
    CategoryCreated,
    NameClaimed,
    NameReleased,
    ProductActivated,
    ProductAdded,
    ProductBarcodeSet,
    ProductDeactivated,
    ProductPriceChanged,
    ProductRenamed,
    ProductTaxClassSet,
)
from subgraphs.catalog.domain.product import Product
from subgraphs.catalog.domain.values import (
    DEFAULT_TAX_CLASS,
    Money,
    parse_currency,
    parse_id,
    parse_money,
    parse_name,
    parse_sku,
    parse_tax_class,
)

__all__ = [
    "DEFAULT_TAX_CLASS",
    "Category",
    "CategoryCreated",
    "Money",
    "NameClaim",
    "NameClaimed",
    "NameReleased",
    "Product",
    "ProductActivated",
    "ProductAdded",
    "ProductBarcodeSet",
    "ProductDeactivated",
    "ProductPriceChanged",
    "ProductRenamed",
    "ProductTaxClassSet",
    "claim_id",
    "gtin13",
    "parse_barcode",
    "parse_currency",
    "parse_id",
    "parse_money",
    "parse_name",
    "parse_sku",
    "parse_tax_class",
    "with_check_digit",
]
