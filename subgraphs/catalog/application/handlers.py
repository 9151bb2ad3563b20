"""Catalog command handlers: validate, load, decide, save in one unit of work.

Nothing is written unless every check passes: validation happens before any append, and
the product, its sku and barcode claims (uniqueness) and nothing else share one
transaction. Barcodes are claimed in their 13-digit form, so a UPC-A code and the same
code as EAN-13 (leading 0) cannot name two products.
"""

from __future__ import annotations

from uuid import uuid4

from eventbus import Conflict, Envelope, EventStore, NotFound
from eventbus.repository import EventSourcedRepository
from subgraphs.catalog.application.commands import (
    ActivateProduct,
    AddProduct,
    ChangeProductPrice,
    CreateCategory,
    DeactivateProduct,
    RenameProduct,
    SetProductBarcode,
    SetProductTaxClass,
)
from subgraphs.catalog.domain import (
    DEFAULT_TAX_CLASS,
    Category,
    NameClaim,
    Product,
    claim_id,
    gtin13,
    parse_barcode,
    parse_id,
    parse_money,
    parse_name,
    parse_sku,
    parse_tax_class,
)
from subgraphs.catalog.domain.values import CATEGORY_NAME_MAX
from subgraphs.hosting.commands import Handled

BARCODE = "barcode"
"""The claim kind of barcodes (values in their 13-digit form)."""


class CatalogHandlers:
    def __init__(self, store: EventStore) -> None:
        self.store = store
        self.products = EventSourcedRepository(store, Product)
        self.categories = EventSourcedRepository(store, Category)
        self.claims = EventSourcedRepository(store, NameClaim)

    async def create_category(self, command: CreateCategory) -> Handled[Category]:
        name = parse_name(command.name, "name", CATEGORY_NAME_MAX)
        category_id = self._new_id(command.category_id, "categoryId", "category")
        if await self.categories.get(category_id) is not None:
            raise Conflict(f"category {category_id} already exists", field="categoryId")
        claim = await self._claim("category", name, category_id, "category name")
        category = Category.create(category_id, name)
        async with self.store.unit_of_work() as uow:
            envelopes = await self.claims.save(claim, uow=uow)
            envelopes += await self.categories.save(category, uow=uow)
        return Handled(category, envelopes)

    async def add_product(self, command: AddProduct) -> Handled[Product]:
        sku = parse_sku(command.sku)
        name = parse_name(command.name)
        price = parse_money(command.unit_price, command.currency)
        category_id = parse_id(command.category_id, "categoryId", "category")
        product_id = self._new_id(command.product_id, "productId", "product")
        barcode = parse_barcode(command.barcode) if command.barcode is not None else None
        tax_class = (
            parse_tax_class(command.tax_class)
            if command.tax_class is not None
            else DEFAULT_TAX_CLASS
        )
        if await self.categories.get(category_id) is None:
            raise NotFound(
                f"category {category_id} does not exist: create it first (createCategory)",
                field="categoryId",
            )
        if await self.products.get(product_id) is not None:
            raise Conflict(f"product {product_id} already exists", field="productId")
        claims = [await self._claim("sku", sku, product_id, "sku")]
        if barcode is not None:
            claims.append(await self._claim(BARCODE, gtin13(barcode), product_id, "barcode"))
        product = Product.add(
            product_id, sku, name, category_id, price, barcode=barcode, tax_class=tax_class
        )
        async with self.store.unit_of_work() as uow:
            envelopes: list[Envelope] = []
            for claim in claims:
                envelopes += await self.claims.save(claim, uow=uow)
            envelopes += await self.products.save(product, uow=uow)
        return Handled(product, envelopes)

    async def set_barcode(self, command: SetProductBarcode) -> Handled[Product]:
        """Claim the new barcode and release the old one, with the product, atomically."""
        barcode = parse_barcode(command.barcode) if command.barcode is not None else None
        product = await self._product(command.product_id)
        if barcode == product.barcode:
            return Handled(product, [])
        claims: list[NameClaim] = []
        if product.barcode is not None and (
            barcode is None or gtin13(barcode) != gtin13(product.barcode)
        ):
            old = await self.claims.get(claim_id(BARCODE, gtin13(product.barcode)))
            if old is not None:
                old.release(product.id)
                claims.append(old)
        if barcode is not None:
            claims.append(await self._claim(BARCODE, gtin13(barcode), product.id, "barcode"))
        product.set_barcode(barcode)
        async with self.store.unit_of_work() as uow:
            envelopes: list[Envelope] = []
            for claim in claims:
                envelopes += await self.claims.save(claim, uow=uow)
            envelopes += await self.products.save(product, uow=uow)
        return Handled(product, envelopes)

    async def set_tax_class(self, command: SetProductTaxClass) -> Handled[Product]:
        tax_class = parse_tax_class(command.tax_class)
        product = await self._product(command.product_id)
        product.set_tax_class(tax_class)
        return Handled(product, await self.products.save(product))

    async def change_price(self, command: ChangeProductPrice) -> Handled[Product]:
        price = parse_money(command.unit_price, command.currency)
        product = await self._product(command.product_id)
        product.change_price(price)
        return Handled(product, await self.products.save(product))

    async def rename(self, command: RenameProduct) -> Handled[Product]:
        product = await self._product(command.product_id)
        product.rename(command.name)
        return Handled(product, await self.products.save(product))

    async def deactivate(self, command: DeactivateProduct) -> Handled[Product]:
        product = await self._product(command.product_id)
        product.deactivate()
        return Handled(product, await self.products.save(product))

    async def activate(self, command: ActivateProduct) -> Handled[Product]:
        product = await self._product(command.product_id)
        product.activate()
        return Handled(product, await self.products.save(product))

    async def _product(self, raw_id: str) -> Product:
        product_id = parse_id(raw_id, "productId", "product")
        product = await self.products.get(product_id)
        if product is None:
            raise NotFound(f"product {product_id} does not exist", field="productId")
        return product

    async def _claim(self, kind: str, value: str, owner_id: str, label: str) -> NameClaim:
        stream = claim_id(kind, value)
        claim = await self.claims.get(stream) or NameClaim(stream)
        claim.claim(kind, value, owner_id, label)
        return claim

    @staticmethod
    def _new_id(raw: str | None, field: str, what: str) -> str:
        return parse_id(raw, field, what) if raw is not None else str(uuid4())
