"""Stock is conserved: across receipts, sales, returns, transfers, write-offs and counts,
the units over every location plus those in transit change only by receipts, sales,
restocked returns, write-offs (adjustments and transfer shortfalls) and count variances.

Drives the domain as the handlers do (a transfer books out of its source when sent and
into its destination what arrived when received); refused commands change nothing.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field

from hypothesis import given, settings
from hypothesis import strategies as st

from eventbus import DomainError
from subgraphs.inventory.domain import (
    MAIN,
    LineQuantity,
    StockItem,
    StockSold,
    Transfer,
    TransferStatus,
)

PRODUCTS = ("p-tea", "p-mug")
LOCATIONS = (MAIN, "store-ams", "store-nyc")

products = st.sampled_from(PRODUCTS)
locations = st.sampled_from(LOCATIONS)
quantities = st.integers(min_value=1, max_value=30)
operations = st.one_of(
    st.tuples(st.just("receive"), products, locations, quantities),
    st.tuples(st.just("sell"), products, locations, quantities),
    st.tuples(st.just("return"), products, locations, quantities),
    st.tuples(st.just("write_off"), products, locations, quantities),
    st.tuples(st.just("send"), products, locations, locations, quantities),
    st.tuples(st.just("arrive"), st.integers(0, 20), st.integers(0, 40)),
    st.tuples(st.just("count"), products, locations, st.integers(0, 60)),
)


@dataclass
class Shop:
    items: dict[tuple[str, str], StockItem] = field(default_factory=dict)
    transfers: list[Transfer] = field(default_factory=list)
    external: int = 0
    """Receipts - sales + restocks - write-offs + count variances + transfer differences."""

    def item(self, product: str, location: str) -> StockItem:
        key = (product, location)
        if key not in self.items:
            self.items[key] = StockItem.for_product(product, location)
        return self.items[key]

    def total(self) -> int:
        on_shelves = sum(item.on_hand for item in self.items.values())
        in_transit = sum(sum(t.in_transit.values()) for t in self.transfers)
        return on_shelves + in_transit

    def run(self, op: tuple[object, ...]) -> None:
        with contextlib.suppress(DomainError):  # refused: nothing was recorded
            self._run(op)

    def _run(self, op: tuple[object, ...]) -> None:
        match op:
            case ("receive", str(product), str(location), int(quantity)):
                self.item(product, location).receive(quantity, f"DN-{len(self.items)}-{id(op)}")
                self.external += quantity
            case ("sell", str(product), str(location), int(quantity)):
                self.item(product, location).sell("sale", quantity)
                self.external -= quantity
            case ("return", str(product), str(location), int(quantity)):
                self.item(product, location).restock("return", quantity)
                self.external += quantity
            case ("write_off", str(product), str(location), int(quantity)):
                self.item(product, location).adjust(-quantity, "broken")
                self.external -= quantity
            case ("count", str(product), str(location), int(counted)):
                self.external += self.item(product, location).count("count", counted)
            case ("send", str(product), str(source), str(target), int(quantity)):
                transfer = Transfer(f"t{len(self.transfers)}")
                transfer.send(source, target, [LineQuantity(product_id=product, quantity=quantity)])
                self.item(product, source).transfer_out(transfer.id, target, quantity)
                self.transfers.append(transfer)
            case ("arrive", int(which), int(arrived)):
                waiting = [t for t in self.transfers if t.status is TransferStatus.IN_TRANSIT]
                if not waiting:
                    return
                transfer = waiting[which % len(waiting)]
                product = transfer.lines[0].product_id
                (line,) = transfer.receive([LineQuantity(product_id=product, quantity=arrived)])
                if line.received:
                    self.item(product, transfer.to_location).transfer_in(
                        transfer.id, transfer.from_location, line.received
                    )
                self.external += line.difference
            case _:
                raise AssertionError(op)


@settings(max_examples=300, deadline=None)
@given(st.lists(operations, max_size=60))
def test_the_total_changes_only_by_what_enters_or_leaves(ops: list[tuple[object, ...]]) -> None:
    shop = Shop()
    for op in ops:
        before = (shop.total(), shop.external)
        shop.run(op)
        assert shop.total() - before[0] == shop.external - before[1], op
    assert shop.total() == shop.external
    for item in shop.items.values():
        sold = any(isinstance(e, StockSold) for e in item.pending)
        assert item.on_hand >= 0 or sold  # only sales take a level below zero
