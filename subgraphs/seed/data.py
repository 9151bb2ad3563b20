"""The demo data set: a tea and coffee shop with a few categories, ~50 products, 15
customers, and a plan of orders that ends in every status.

Ids are derived from names (UUID v5), so the data set is the same on every machine and a
second seed can tell that it already ran.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import NAMESPACE_URL, uuid5

CURRENCY = "EUR"


def seed_id(kind: str, key: str) -> str:
    return str(uuid5(NAMESPACE_URL, f"pos:seed:{kind}:{key}"))


@dataclass(frozen=True)
class DemoProduct:
    sku: str
    name: str
    category: str
    price: str
    stock: int
    barcode: str
    """EAN-13 with its check digit computed (`demo_barcode`)."""
    tax_class: str


@dataclass(frozen=True)
class DemoCustomer:
    name: str
    email: str
    phone: str
    line1: str
    city: str
    postal_code: str
    country: str


@dataclass(frozen=True)
class DemoOrder:
    """`outcome`: the status the seed drives the order to."""

    customer: int
    lines: tuple[tuple[str, int], ...]
    outcome: str
    method: str = "CARD"
    cancel_when: str = "CONFIRMED"
    """For CANCELLED: the status at which the customer cancels (PENDING, CONFIRMED, PAID)."""


_CATALOG: dict[str, list[tuple[str, str, str]]] = {
    "Tea": [
        ("TEA-SENCHA", "Sencha green tea 100 g", "6.90"),
        ("TEA-GENMAICHA", "Genmaicha 100 g", "5.90"),
        ("TEA-DARJ-FF", "Darjeeling first flush 100 g", "12.50"),
        ("TEA-ASSAM", "Assam breakfast 250 g", "8.40"),
        ("TEA-EARLGREY", "Earl Grey 100 g", "5.50"),
        ("TEA-ROOIBOS", "Rooibos vanilla 100 g", "4.90"),
        ("TEA-OOLONG", "Milk oolong 50 g", "9.80"),
        ("TEA-MATCHA", "Ceremonial matcha 30 g", "19.90"),
        ("TEA-CHAI", "Masala chai 200 g", "7.20"),
        ("TEA-PUERH", "Pu-erh cake 357 g", "34.00"),
    ],
    "Coffee": [
        ("COF-ETH-YIRGA", "Ethiopia Yirgacheffe beans 250 g", "11.90"),
        ("COF-COL-HUILA", "Colombia Huila beans 250 g", "10.50"),
        ("COF-BRA-SANTOS", "Brazil Santos beans 1 kg", "24.90"),
        ("COF-ESPRESSO", "House espresso blend 500 g", "15.90"),
        ("COF-DECAF", "Swiss water decaf 250 g", "11.20"),
        ("COF-KEN-AA", "Kenya AA beans 250 g", "13.40"),
        ("COF-GUAT", "Guatemala Antigua beans 250 g", "11.60"),
        ("COF-SUMATRA", "Sumatra Mandheling 250 g", "12.10"),
        ("COF-COLDBREW", "Cold brew pack 4 x 50 g", "8.90"),
        ("COF-GEISHA", "Panama Geisha 100 g", "29.00"),
    ],
    "Brewing": [
        ("BRW-KETTLE", "Gooseneck kettle 1 l", "49.00"),
        ("BRW-V60", "Ceramic dripper size 02", "22.50"),
        ("BRW-FILTER", "Paper filters 100 pcs", "4.50"),
        ("BRW-PRESS", "French press 0.8 l", "29.90"),
        ("BRW-GRINDER", "Hand grinder, burr", "59.00"),
        ("BRW-SCALE", "Brewing scale with timer", "34.90"),
        ("BRW-TEAPOT", "Cast iron teapot 0.6 l", "45.00"),
        ("BRW-INFUSER", "Stainless tea infuser", "6.90"),
        ("BRW-AEROPRESS", "Air-pressure brewer", "39.90"),
        ("BRW-MOKA", "Moka pot 6 cups", "32.00"),
    ],
    "Cups & Mugs": [
        ("CUP-MUG-WHITE", "Stoneware mug white 350 ml", "12.00"),
        ("CUP-MUG-BLUE", "Stoneware mug blue 350 ml", "12.00"),
        ("CUP-ESPRESSO", "Espresso cup and saucer", "9.50"),
        ("CUP-GLASS", "Double-wall glass 250 ml", "14.90"),
        ("CUP-TRAVEL", "Travel mug 400 ml", "24.00"),
        ("CUP-MATCHA", "Matcha bowl", "27.00"),
        ("CUP-TEACUP", "Porcelain tea cup", "11.00"),
        ("CUP-LATTE", "Latte bowl 450 ml", "13.50"),
        ("CUP-SET4", "Tasting cups, set of 4", "32.00"),
        ("CUP-LIMITED", "Artist mug, limited edition", "65.00"),
    ],
    "Snacks": [
        ("SNK-BISCOTTI", "Almond biscotti 200 g", "5.20"),
        ("SNK-SHORTBREAD", "Butter shortbread 150 g", "4.80"),
        ("SNK-CHOC70", "Dark chocolate 70 % 100 g", "3.90"),
        ("SNK-MOCHI", "Matcha mochi 6 pcs", "7.50"),
        ("SNK-HONEY", "Acacia honey 250 g", "6.40"),
        ("SNK-STROOP", "Caramel stroopwafels 8 pcs", "4.20"),
        ("SNK-GINGER", "Candied ginger 150 g", "4.60"),
        ("SNK-ALMONDS", "Roasted almonds 200 g", "5.90"),
        ("SNK-CANTUCCI", "Cantucci 250 g", "5.60"),
        ("SNK-TRUFFLE", "Coffee truffles 12 pcs", "9.90"),
    ],
}

FOOD = frozenset({"Tea", "Coffee", "Snacks"})
"""Taxed at the REDUCED rate (food in the NL region); the rest is STANDARD."""

BARCODE_PREFIX = "8712345"
"""A made-up company prefix under GS1 Netherlands (871): 7 digits + 5 for the item."""


def demo_barcode(index: int) -> str:
    """The EAN-13 of the index-th demo product: prefix, item number, check digit."""
    payload = f"{BARCODE_PREFIX}{index + 1:05d}"
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(payload)))
    return payload + str((10 - total % 10) % 10)


LOW_STOCK = {"TEA-PUERH": 2, "COF-GEISHA": 3, "CUP-LIMITED": 1, "BRW-GRINDER": 4}


def _stock(index: int, sku: str) -> int:
    return LOW_STOCK.get(sku, 40 + (index * 37) % 120)


PRODUCTS: tuple[DemoProduct, ...] = tuple(
    DemoProduct(
        sku=sku,
        name=name,
        category=category,
        price=price,
        stock=_stock(i, sku),
        barcode=demo_barcode(i),
        tax_class="REDUCED" if category in FOOD else "STANDARD",
    )
    for i, (category, sku, name, price) in enumerate(
        (category, sku, name, price)
        for category, items in _CATALOG.items()
        for sku, name, price in items
    )
)

CATEGORIES: tuple[str, ...] = tuple(_CATALOG)

CUSTOMERS: tuple[DemoCustomer, ...] = (
    DemoCustomer(
        "Ada Lovelace",
        "ada@lovelace.example",
        "+44 20 7946 0018",
        "12 St James's Sq",
        "London",
        "SW1Y 4JH",
        "GB",
    ),
    DemoCustomer(
        "Grace Hopper",
        "grace@hopper.example",
        "+1 202 555 0147",
        "1 Navy Way",
        "Arlington",
        "22202",
        "US",
    ),
    DemoCustomer(
        "Alan Turing",
        "alan@turing.example",
        "+44 1908 640404",
        "Sherwood Dr",
        "Bletchley",
        "MK3 6EB",
        "GB",
    ),
    DemoCustomer(
        "Hedy Lamarr", "hedy@lamarr.example", "+43 1 5120000", "Opernring 2", "Wien", "1010", "AT"
    ),
    DemoCustomer(
        "Katherine Johnson",
        "katherine@johnson.example",
        "+1 757 555 0199",
        "1 Langley Blvd",
        "Hampton",
        "23681",
        "US",
    ),
    DemoCustomer(
        "Konrad Zuse",
        "konrad@zuse.example",
        "+49 30 1234567",
        "Methfesselstr. 7",
        "Berlin",
        "10965",
        "DE",
    ),
    DemoCustomer(
        "Marie Curie",
        "marie@curie.example",
        "+33 1 44 27 00 00",
        "11 Rue Pierre et Marie Curie",
        "Paris",
        "75005",
        "FR",
    ),
    DemoCustomer(
        "Edsger Dijkstra",
        "edsger@dijkstra.example",
        "+31 20 555 0101",
        "Science Park 123",
        "Amsterdam",
        "1098 XG",
        "NL",
    ),
    DemoCustomer(
        "Barbara Liskov",
        "barbara@liskov.example",
        "+1 617 555 0123",
        "32 Vassar St",
        "Cambridge",
        "02139",
        "US",
    ),
    DemoCustomer(
        "Margaret Hamilton",
        "margaret@hamilton.example",
        "+1 281 555 0150",
        "2101 E NASA Pkwy",
        "Houston",
        "77058",
        "US",
    ),
    DemoCustomer(
        "Donald Knuth",
        "don@knuth.example",
        "+1 650 555 0177",
        "353 Jane Stanford Way",
        "Stanford",
        "94305",
        "US",
    ),
    DemoCustomer(
        "Frances Allen",
        "fran@allen.example",
        "+1 914 555 0111",
        "1101 Kitchawan Rd",
        "Yorktown Heights",
        "10598",
        "US",
    ),
    DemoCustomer(
        "Tim Berners-Lee",
        "tim@bernerslee.example",
        "+41 22 767 61 11",
        "Esplanade des Particules 1",
        "Meyrin",
        "1211",
        "CH",
    ),
    DemoCustomer(
        "Sophie Wilson",
        "sophie@wilson.example",
        "+44 1223 555 010",
        "110 Fulbourn Rd",
        "Cambridge",
        "CB1 9NJ",
        "GB",
    ),
    DemoCustomer(
        "Linus Torvalds",
        "linus@torvalds.example",
        "+358 9 555 0199",
        "Mannerheimintie 1",
        "Helsinki",
        "00100",
        "FI",
    ),
)

ORDERS: tuple[DemoOrder, ...] = (
    DemoOrder(0, (("TEA-SENCHA", 2), ("CUP-TEACUP", 2)), "SHIPPED"),
    DemoOrder(1, (("COF-ESPRESSO", 1), ("BRW-MOKA", 1)), "SHIPPED", "CASH"),
    DemoOrder(2, (("TEA-EARLGREY", 3), ("SNK-SHORTBREAD", 2)), "SHIPPED"),
    DemoOrder(3, (("BRW-KETTLE", 1), ("BRW-V60", 1), ("BRW-FILTER", 2)), "SHIPPED"),
    DemoOrder(4, (("COF-ETH-YIRGA", 2),), "SHIPPED", "CASH"),
    DemoOrder(5, (("TEA-MATCHA", 1), ("CUP-MATCHA", 1), ("SNK-MOCHI", 1)), "PAID"),
    DemoOrder(6, (("COF-KEN-AA", 1), ("SNK-CHOC70", 3)), "PAID", "CASH"),
    DemoOrder(7, (("SNK-STROOP", 4), ("CUP-MUG-BLUE", 2)), "PAID"),
    DemoOrder(8, (("BRW-AEROPRESS", 1), ("COF-GUAT", 1)), "PAID"),
    DemoOrder(9, (("TEA-DARJ-FF", 1),), "CONFIRMED"),
    DemoOrder(10, (("COF-BRA-SANTOS", 1), ("CUP-LATTE", 2)), "CONFIRMED"),
    DemoOrder(11, (("TEA-CHAI", 2), ("SNK-HONEY", 1)), "CONFIRMED"),
    DemoOrder(12, (("CUP-LIMITED", 3),), "REJECTED"),
    DemoOrder(13, (("TEA-PUERH", 5), ("TEA-OOLONG", 1)), "REJECTED"),
    DemoOrder(14, (("COF-GEISHA", 10),), "REJECTED"),
    DemoOrder(0, (("BRW-PRESS", 1), ("COF-COL-HUILA", 1)), "CANCELLED", cancel_when="PENDING"),
    DemoOrder(2, (("CUP-TRAVEL", 1),), "CANCELLED"),
    DemoOrder(5, (("BRW-TEAPOT", 1), ("TEA-ASSAM", 1)), "CANCELLED", cancel_when="PAID"),
    DemoOrder(3, (("SNK-BISCOTTI", 2), ("COF-DECAF", 1)), "PENDING"),
    DemoOrder(7, (("TEA-ROOIBOS", 2), ("BRW-INFUSER", 1)), "PENDING"),
)
