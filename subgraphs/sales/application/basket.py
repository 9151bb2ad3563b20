"""Ringing a sale up: start it on the register's open shift, lines by product id, SKU or
barcode, quantities, discounts (approval by the caller's `discounts:approve`),
promotions, the customer, parking."""

from __future__ import annotations

from decimal import Decimal

from eventbus import NotFound
from subgraphs.hosting.commands import Handled
from subgraphs.sales.application.base import (
    APPROVE_DISCOUNTS,
    HandlersBase,
    decimal_of,
    derived_id,
    money_of,
    parse_choice,
    parse_ref,
)
from subgraphs.sales.application.commands import (
    AddSaleLine,
    ApplyDiscount,
    AttachCustomer,
    ChangeLineQuantity,
    RedeemPromotion,
    RemoveDiscount,
    RemoveLine,
    SaleCommand,
    StartSale,
)
from subgraphs.sales.application.ports import ProductInfo
from subgraphs.sales.domain import (
    DiscountKind,
    Money,
    Sale,
    SaleInputError,
    StateConflict,
    promotion_id,
)
from subgraphs.sales.domain.barcode import parse_barcode
from subgraphs.sales.domain.promotions import parse_code


class BasketHandlers(HandlersBase):
    async def start_sale(self, command: StartSale) -> Handled[Sale]:
        """A walk-in sale at the register, opened on its shift in the same transaction;
        the store's tax table and policy are copied into the sale."""
        sale_id = (
            parse_ref(command.sale_id, "id")
            if command.sale_id
            else derived_id("sale", command.command_id)
        )
        existing = await self.sales.get(sale_id)
        if existing is not None:
            if existing.already_applied(command.command_id):
                return Handled(existing)
            raise StateConflict(f"sale {sale_id} already exists", reason="SALE_EXISTS", field="id")
        register, store = await self._register(command.register_id)
        shift = await self._open_shift_of(register.register_id)
        now = self.clock()
        shift.open_sale(sale_id, by=command.by, now=now, command_id=command.command_id)
        sale = Sale.start(
            sale_id,
            store_id=store.store_id,
            register_id=register.register_id,
            shift_id=shift.id,
            currency=store.currency,
            tax_table=store.tax_table,
            policy=store.policy,
            by=command.by,
            now=now,
            command_id=command.command_id,
        )
        async with self.store.unit_of_work() as uow:
            envelopes = await self.sales.save(sale, uow=uow)
            envelopes += await self.shifts.save(shift, uow=uow)
        return Handled(sale, envelopes)

    async def add_line(self, command: AddSaleLine) -> Handled[Sale]:
        sale = await self._sale(command.sale_id)
        if sale.already_applied(command.command_id):
            return Handled(sale)
        product = await self._product(command)
        if not product.active:
            raise StateConflict(
                f"{product.name} ({product.sku}) is not for sale any more",
                reason="PRODUCT_INACTIVE",
                field="productId",
            )
        sale.add_line(
            product_id=product.product_id,
            sku=product.sku,
            name=product.name,
            unit_price=Money(product.unit_price, product.currency),
            tax_class=product.tax_class,
            quantity=command.quantity,
            by=command.by,
            now=self.clock(),
            command_id=command.command_id,
        )
        return Handled(sale, await self.sales.save(sale))

    async def change_quantity(self, command: ChangeLineQuantity) -> Handled[Sale]:
        sale = await self._sale(command.sale_id)
        sale.change_quantity(
            command.line_id,
            command.quantity,
            by=command.by,
            now=self.clock(),
            command_id=command.command_id,
        )
        return Handled(sale, await self.sales.save(sale))

    async def remove_line(self, command: RemoveLine) -> Handled[Sale]:
        sale = await self._sale(command.sale_id)
        sale.remove_line(
            command.line_id, by=command.by, now=self.clock(), command_id=command.command_id
        )
        return Handled(sale, await self.sales.save(sale))

    async def apply_discount(self, command: ApplyDiscount) -> Handled[Sale]:
        """Past the store's threshold the caller must hold `discounts:approve` (a
        supervisor signs in at the till for this command): the caller is the approver."""
        kind = parse_choice(DiscountKind, command.kind, "kind")
        value: Decimal | Money
        if kind is DiscountKind.PERCENT:
            if command.percent is None:
                raise SaleInputError(
                    "a PERCENT discount needs `percent`", reason="INVALID_DISCOUNT", field="percent"
                )
            value = decimal_of(command.percent, "percent")
        else:
            if command.amount is None:
                raise SaleInputError(
                    "an AMOUNT discount needs `amount`", reason="INVALID_DISCOUNT", field="amount"
                )
            value = money_of(command.amount, "amount")
        sale = await self._sale(command.sale_id)
        if sale.already_applied(command.command_id):
            return Handled(sale)
        store = await self._store_of(sale)
        sale.apply_discount(
            line_id=command.line_id,
            kind=kind,
            value=value,
            reason=command.reason,
            by=command.by,
            now=self.clock(),
            command_id=command.command_id,
            approved_by=command.by if APPROVE_DISCOUNTS in command.scopes else None,
            approval_threshold=store.approval_threshold,
        )
        return Handled(sale, await self.sales.save(sale))

    async def remove_discount(self, command: RemoveDiscount) -> Handled[Sale]:
        """A promotion's discount gives its use back in the same transaction."""
        sale = await self._sale(command.sale_id)
        discount = sale.discounts.get(command.discount_id)
        now = self.clock()
        sale.remove_discount(
            command.discount_id, by=command.by, now=now, command_id=command.command_id
        )
        promotion = None
        if discount is not None and discount.promotion_code:
            promotion = await self.promotions.get(promotion_id(discount.promotion_code))
            if promotion is not None:
                promotion.release(sale.id, by=command.by, now=now, command_id=command.command_id)
        async with self.store.unit_of_work() as uow:
            envelopes = await self.sales.save(sale, uow=uow)
            if promotion is not None:
                envelopes += await self.promotions.save(promotion, uow=uow)
        return Handled(sale, envelopes)

    async def redeem_promotion(self, command: RedeemPromotion) -> Handled[Sale]:
        """The promotion's use and the sale's discount in one transaction (so the usage
        limit holds when two tills redeem the last use at once)."""
        code = parse_code(command.code)
        sale = await self._sale(command.sale_id)
        if sale.already_applied(command.command_id):
            return Handled(sale)
        promotion = await self.promotions.get(promotion_id(code))
        if promotion is None:
            raise NotFound(
                f"no promotion has the code {code}", field="code", reason="UNKNOWN_PROMOTION"
            )
        now = self.clock()
        promotion.redeem(sale.id, by=command.by, now=now, command_id=command.command_id)
        sale.apply_discount(
            line_id=command.line_id,
            kind=promotion.kind,
            value=promotion.discount_value(),
            reason=f"Promotion {promotion.code}",
            by=command.by,
            now=now,
            command_id=command.command_id,
            promotion_code=promotion.code,
        )
        async with self.store.unit_of_work() as uow:
            envelopes = await self.sales.save(sale, uow=uow)
            envelopes += await self.promotions.save(promotion, uow=uow)
        return Handled(sale, envelopes)

    async def attach_customer(self, command: AttachCustomer) -> Handled[Sale]:
        """Only a registered customer (as the customers context published them)."""
        sale = await self._sale(command.sale_id)
        if sale.already_applied(command.command_id):
            return Handled(sale)
        customer_id = parse_ref(command.customer_id, "customerId")
        if not await self.directory.customer_exists(customer_id):
            raise NotFound(
                f"there is no customer {customer_id[:40]!r}: register them first",
                field="customerId",
                reason="UNKNOWN_CUSTOMER",
            )
        sale.attach_customer(
            customer_id, by=command.by, now=self.clock(), command_id=command.command_id
        )
        return Handled(sale, await self.sales.save(sale))

    async def detach_customer(self, command: SaleCommand) -> Handled[Sale]:
        sale = await self._sale(command.sale_id)
        sale.detach_customer(by=command.by, now=self.clock(), command_id=command.command_id)
        return Handled(sale, await self.sales.save(sale))

    async def park(self, command: SaleCommand) -> Handled[Sale]:
        sale = await self._sale(command.sale_id)
        sale.park(by=command.by, now=self.clock(), command_id=command.command_id)
        return Handled(sale, await self.sales.save(sale))

    async def resume(self, command: SaleCommand) -> Handled[Sale]:
        sale = await self._sale(command.sale_id)
        sale.resume(by=command.by, now=self.clock(), command_id=command.command_id)
        return Handled(sale, await self.sales.save(sale))

    async def _product(self, command: AddSaleLine) -> ProductInfo:
        given = [
            (name, value)
            for name, value in (
                ("productId", command.product_id),
                ("sku", command.sku),
                ("barcode", command.barcode),
            )
            if value is not None
        ]
        if len(given) != 1:
            raise SaleInputError(
                "name the product by exactly one of productId, sku or barcode",
                reason="ONE_PRODUCT_KEY",
                field="productId",
            )
        field, value = given[0]
        if field == "barcode":
            found = await self.directory.product_by_barcode(parse_barcode(value))
        elif field == "sku":
            found = await self.directory.product_by_sku(parse_ref(value, "sku").upper())
        else:
            found = await self.directory.product(parse_ref(value, "productId"))
        if found is None:
            raise NotFound(
                f"no product has {field} {value[:40]!r}", field=field, reason="UNKNOWN_PRODUCT"
            )
        return found
