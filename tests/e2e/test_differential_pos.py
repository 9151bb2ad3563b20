"""The POS graph through Apollo's @apollo/gateway and through ours: identical answers.

Both gateways serve the committed schema/supergraph.graphql over the same seeded
subgraphs (one process, one port; see pos_reference.py). Operations are what the
front end sends, written by hand, plus one generated query per Query root field selecting
every field three levels deep (two where three would exceed the gateway's height
limit). Responses are compared after the normalisation of
tests/supergraph/runtime/test_gateway_differential.py (error locations dropped, parse,
validation and coercion errors compared by code, count and path); data exactly.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from graphql import GraphQLNonNull, OperationDefinitionNode, parse

from pos.commands.run import SUPERGRAPH
from supergraph.runtime import load_supergraph
from supergraph.runtime.plugins.limits import OperationLimits, measure
from tests.e2e.pos_reference import PosGateways, normalise, pos_gateways

Operation = tuple[str, dict[str, Any] | None]

SEEDED_IDS = """{
  categories { id }
  products(first: 1) { nodes { id sku barcode } }
  stores(first: 1) { nodes { id registers { id } } }
  orders(first: 50) { nodes { id number status placedAt paidAt customer { id } } }
  sales(first: 1, status: COMPLETED) { nodes { id receiptNumber shift: shiftId } }
}"""


def _front_end_operations(ids: dict[str, Any]) -> list[Operation]:
    money = "{ amount currency }"
    return [
        (
            "query ByCategory($c: ID) { products(categoryId: $c, first: 5) { totalCount "
            f"edges {{ cursor node {{ sku name unitPrice {money} onHand reserved available "
            "category { name } } } pageInfo { hasNextPage endCursor } } }",
            {"c": ids["category"]},
        ),
        (
            "query Order($id: ID!) { order(id: $id) { number status placedAt "
            "customer { name email address { city } } "
            f"lines {{ sku quantity unitPrice {money} lineTotal {money} "
            f"product {{ id name sku onHand available stockValue {money} }} }} "
            f"subtotal {money} total {money} payment {{ __typename }} }} }}",
            {"id": ids["order"]},
        ),
        (
            "query Customer($id: ID!) { customer(id: $id) { name email paidOrderCount "
            f"lifetimeValue {money} orders(first: 3) {{ totalCount edges {{ node {{ "
            f"number status total {money} lines {{ product {{ name available }} }} }} }} }} }} }}",
            {"id": ids["customer"]},
        ),
        (
            f"{{ topProducts(limit: 5) {{ sku name unitsSold revenue {money} "
            f"product {{ id onHand category {{ name }} }} }} "
            f"topCustomers(limit: 3) {{ name paidOrderCount lifetimeValue {money} "
            "customer { email orders(first: 1) { totalCount } } } "
            f"stockValuation {{ totals {money} lines {{ sku name product {{ available }} }} }} }}",
            None,
        ),
        (
            "query Daily($from: Date!, $to: Date!) { dailySales(from: $from, to: $to) "
            f"{{ day orderCount revenue {money} }} }}",
            {"from": ids["day"], "to": ids["day"]},
        ),
        (
            "query Sku($sku: String!) { productBySku(sku: $sku) { id name onHand "
            f"stockValue {money} salesFigures {{ unitsSold revenue {money} }} }} }}",
            {"sku": ids["sku"]},
        ),
        (
            '{ __typename a: productBySku(sku: "NO-SUCH-SKU") { id } '
            "b: products(first: 2) { __typename nodes { __typename t: __typename id } } }",
            None,
        ),
        (
            "query Frag($id: ID!) { order(id: $id) { ...O lines { ...L } } } "
            "fragment O on Order { number customer { ...C } } "
            "fragment C on Customer { name lifetimeValue { amount } } "
            "fragment L on OrderLine { quantity product { ... on Product { name available } } }",
            {"id": ids["order"]},
        ),
        (
            "query Alias($p: ID!) { first: product(id: $p) { label: name stock: available } "
            "again: product(id: $p) { id name: sku } missing: product(id: "
            '"00000000-0000-0000-0000-000000000000") { id } }',
            {"p": ids["product"]},
        ),
        (
            "query Cond($withStock: Boolean!, $hideCategory: Boolean!) { products(first: 3) { "
            "nodes { name available @include(if: $withStock) "
            "category @skip(if: $hideCategory) { name } } } }",
            {"withStock": True, "hideCategory": True},
        ),
        (
            "query Cond($withStock: Boolean!, $hideCategory: Boolean!) { products(first: 3) { "
            "nodes { name available @include(if: $withStock) "
            "category @skip(if: $hideCategory) { name } } } }",
            {"withStock": False, "hideCategory": False},
        ),
        ("{ products(first: 1) { nodes { name nope } } }", None),
        (
            '{ __type(name: "Query") { fields { name args { name defaultValue '
            "type { name kind ofType { name } } } } } }",
            None,
        ),
        ("{ order { number } }", None),
        ("{ products(first: 1) { nodes { name ", None),
        ("query($n: Int) { products(first: $n) { totalCount } }", {"n": "three"}),
    ]


def _arguments(ids: dict[str, Any]) -> dict[str, str]:
    """What to pass to Query fields with required arguments, from the seeded data."""
    return {
        "product": f'(id: "{ids["product"]}")',
        "productBySku": f'(sku: "{ids["sku"]}")',
        "productByBarcode": f'(barcode: "{ids["barcode"]}")',
        "store": f'(id: "{ids["store"]}")',
        "register": f'(id: "{ids["register"]}")',
        "category": f'(id: "{ids["category"]}")',
        "customer": f'(id: "{ids["customer"]}")',
        "stockItem": f'(productId: "{ids["product"]}")',
        "lowStock": "(threshold: 1000000, first: 5)",
        "order": f'(id: "{ids["order"]}")',
        "orderByNumber": f'(number: "{ids["number"]}")',
        "dailySales": f'(from: "{ids["day"]}", to: "{ids["day"]}")',
        "storeSales": f'(from: "{ids["day"]}", to: "{ids["day"]}", groupBy: REGISTER)',
        "topProductsAtStore": f'(storeId: "{ids["store"]}")',
        "sale": f'(id: "{ids["sale"]}")',
        "saleByReceipt": f'(number: "{ids["receipt"]}")',
        "receipt": f'(number: "{ids["receipt"]}")',
        "parkedSales": f'(registerId: "{ids["register"]}")',
        "openShift": f'(registerId: "{ids["register"]}")',
        "shift": f'(id: "{ids["shift"]}")',
        "saleReturn": f'(id: "{ids["sale"]}")',
        "returnsOfSale": f'(saleId: "{ids["sale"]}")',
        "promotion": '(code: "WELCOME10")',
        "transfer": f'(id: "{ids["order"]}")',
        "stockCount": f'(id: "{ids["order"]}")',
        **{
            report: f'(storeId: "{ids["store"]}", from: "{ids["day"]}", to: "{ids["day"]}")'
            for report in (
                "tenderMix",
                "taxesCollected",
                "discountsGiven",
                "returnsSummary",
                "shiftOverShort",
            )
        },
    }


SIGNED_IN_ONLY = frozenset({"me", "staffMembers", "staffMember"})
"""Root fields whose every answer needs a signed-in caller: our gateway refuses them to the
anonymous caller of this test, while Apollo's (which cannot enforce @requiresScopes) is
served a supergraph without them. Their access rules are tested in tests/subgraphs/staff."""


def _height(query: str) -> int:
    """The gateway's height measure of `query` (its limit refuses taller operations)."""
    document = parse(query)
    operation = document.definitions[0]
    assert isinstance(operation, OperationDefinitionNode)
    return measure(operation, {}).height


def _generated_operations(ids: dict[str, Any]) -> list[Operation]:
    from test_gateway_differential import _selection

    api = load_supergraph(SUPERGRAPH.read_text()).api_schema
    assert api.query_type is not None
    arguments = _arguments(ids)
    operations: list[Operation] = []
    for name, field in api.query_type.fields.items():
        if name in SIGNED_IN_ONLY:
            continue
        required = any(
            isinstance(a.type, GraphQLNonNull) and a.ast_node and not a.ast_node.default_value
            for a in field.args.values()
        )
        assert not required or name in arguments, f"no seeded argument for Query.{name}"
        root = name + arguments.get(name, "")
        query = "{ " + root + " " + _selection(api, field.type, 3, "pos") + " }"
        if _height(query) > (OperationLimits().max_height or 0):  # e.g. Sale: store, register
            query = "{ " + root + " " + _selection(api, field.type, 2, "pos") + " }"
        operations.append((query, None))
    return operations


async def _seeded_ids(gateways: PosGateways) -> dict[str, Any]:
    data = await gateways.data(SEEDED_IDS)
    paid = [o for o in data["orders"]["nodes"] if o["paidAt"]]
    assert paid, "the seed has paid orders"
    product = data["products"]["nodes"][0]
    sale = data["sales"]["nodes"][0]
    return {
        "sale": sale["id"],
        "receipt": sale["receiptNumber"],
        "shift": sale["shift"],
        "category": data["categories"][0]["id"],
        "product": product["id"],
        "sku": product["sku"],
        "barcode": product["barcode"],
        "store": data["stores"]["nodes"][0]["id"],
        "register": data["stores"]["nodes"][0]["registers"][0]["id"],
        "order": paid[0]["id"],
        "number": paid[0]["number"],
        "customer": paid[0]["customer"]["id"],
        "day": paid[0]["paidAt"][:10],
    }


async def test_pos_graph_answers_like_apollo_gateway(tmp_path: Path) -> None:
    async with pos_gateways(tmp_path) as gateways:
        ids = await _seeded_ids(gateways)
        operations = _front_end_operations(ids) + _generated_operations(ids)
        mismatches = []
        for query, variables in operations:
            theirs, mine = await gateways.both(query, variables)
            if normalise(theirs) != normalise(mine):
                mismatches.append((query, variables, normalise(theirs), normalise(mine)))
            if "errors" not in theirs:
                assert theirs["data"], query  # a real answer, not a vacuous match
    assert not mismatches, "\n\n".join(
        f"{q} {v}\n apollo: {a}\n ours:   {b}" for q, v, a, b in mismatches
    )
