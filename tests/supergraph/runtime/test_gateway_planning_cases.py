"""Query planning cases, one tiny graph each (`fixtures/planning/<case>/`).

Every test asserts the exact response and, where the behaviour is about routing, which
subgraph was asked what.
"""

from __future__ import annotations

from typing import Any

from gateway_harness import RunningGraph
from planning_graphs import run_planning_graph


def representations(g: RunningGraph, subgraph: str) -> list[dict[str, Any]]:
    """Every representation the subgraph received, in order, over all its requests."""
    return [
        rep
        for request in g.requests_to(subgraph)
        for rep in (request.get("variables") or {}).get("representations", [])
    ]


async def test_requires_and_plain_field_share_one_entities_request() -> None:
    async with run_planning_graph("requires_batch") as g:
        result = await g.query("{ products { name isExpensive isAvailable } }")
        assert result == {
            "data": {
                "products": [
                    {"name": "Lamp", "isExpensive": False, "isAvailable": True},
                    {"name": "Sofa", "isExpensive": True, "isAvailable": False},
                ]
            }
        }
        assert len(g.requests_to("stock")) == 1
        assert representations(g, "stock") == [
            {"__typename": "Product", "id": "p1", "price": 30},
            {"__typename": "Product", "id": "p2", "price": 900},
        ]


async def test_field_typed_differently_per_subgraph_in_sibling_union_fragments() -> None:
    # accounts declares `User.id: ID!` and `Admin.id: ID`; the supergraph says `ID` for both
    async with run_planning_graph("field_types") as g:
        result = await g.query("{ accounts { ... on User { id name } ... on Admin { id name } } }")
        assert result == {
            "data": {
                "accounts": [
                    {"id": "u1", "name": "Ann"},
                    {"id": "a1", "name": "Root"},
                    {"id": None, "name": "Ghost"},
                ]
            }
        }
        assert len(g.requests_to("accounts")) == 1
        assert g.requests_to("profiles") == []


async def test_retyped_key_field_next_to_a_sibling_fragment_and_an_entity_hop() -> None:
    # `email` makes the gateway fetch User's key `id` (ID! in accounts) for profiles, in the
    # same subgraph query as Admin's `id` (ID there): the two must not clash either
    async with run_planning_graph("field_types") as g:
        result = await g.query(
            "{ accounts { ... on User { id name email } ... on Admin { id name } } }"
        )
        assert result == {
            "data": {
                "accounts": [
                    {"id": "u1", "name": "Ann", "email": "ann@example.com"},
                    {"id": "a1", "name": "Root"},
                    {"id": None, "name": "Ghost"},
                ]
            }
        }
        assert len(g.requests_to("accounts")) == 1
        assert representations(g, "profiles") == [{"__typename": "User", "id": "u1"}]


async def test_interface_object_fields_need_no_request_to_the_interface_owner() -> None:
    async with run_planning_graph("interface_object") as g:
        result = await g.query("{ labelled { id label } }")
        assert result == {
            "data": {
                "labelled": [{"id": "n1", "label": "Desk lamp"}, {"id": "n2", "label": "Oak desk"}]
            }
        }
        assert g.requests_to("inventory") == []


async def test_requires_of_one_field_with_different_arguments() -> None:
    async with run_planning_graph("requires_args") as g:
        result = await g.query("{ products { id usShipping euShipping } }")
        assert result == {
            "data": {
                "products": [
                    {"id": "p1", "usShipping": "100 USD + 3 kg", "euShipping": "50 EUR + 3 kg"},
                    {"id": "p2", "usShipping": "40 USD + 1 kg", "euShipping": "20 EUR + 1 kg"},
                ]
            }
        }
        by_field: dict[str, list[dict[str, Any]]] = {}
        for request in g.requests_to("shipping"):
            asked = [f for f in ("usShipping", "euShipping") if f in request["query"]]
            assert len(asked) == 1, request["query"]
            by_field[asked[0]] = request["variables"]["representations"]
        assert by_field == {
            "usShipping": [
                {"__typename": "Product", "id": "p1", "price": 100, "weight": 3},
                {"__typename": "Product", "id": "p2", "price": 40, "weight": 1},
            ],
            "euShipping": [
                {"__typename": "Product", "id": "p1", "price": 50, "weight": 3},
                {"__typename": "Product", "id": "p2", "price": 20, "weight": 1},
            ],
        }


async def test_value_type_field_resolved_through_the_parent_entity_key() -> None:
    async with run_planning_graph("value_type_hop") as g:
        result = await g.query("{ products { id category { id details { summary aisle } } } }")
        assert result == {
            "data": {
                "products": [
                    {
                        "id": "p1",
                        "category": {"id": "c1", "details": {"summary": "Lights", "aisle": 4}},
                    },
                    {
                        "id": "p2",
                        "category": {
                            "id": "c2",
                            "details": {"summary": "Tables and desks", "aisle": 7},
                        },
                    },
                    {"id": "p3", "category": None},
                ]
            }
        }
        reps = representations(g, "categories")
        assert {"__typename": "Product", "id": "p1"} in reps
        assert {"__typename": "Product", "id": "p2"} in reps
        assert all(set(rep) == {"__typename", "id"} for rep in reps)
        assert all(rep["__typename"] == "Product" for rep in reps)


async def test_key_to_key_chain_through_an_entity_fetch() -> None:
    async with run_planning_graph("key_chain") as g:
        result = await g.query("{ products { id name category { id title } } }")
        assert result == {
            "data": {
                "products": [
                    {"id": "p1", "name": "Lamp", "category": {"id": "k1", "title": "Lighting"}},
                    {"id": "p2", "name": "Desk", "category": {"id": "k2", "title": "Furniture"}},
                ]
            }
        }
        assert representations(g, "placement") == [
            {"__typename": "Product", "id": "p1"},
            {"__typename": "Product", "id": "p2"},
        ]
        assert representations(g, "categories") == [
            {"__typename": "Category", "id": "k1"},
            {"__typename": "Category", "id": "k2"},
        ]


async def test_provides_on_a_union_field_covers_only_the_named_member() -> None:
    async with run_planning_graph("provides_union") as g:
        result = await g.query("{ feed { ... on Book { title } ... on Movie { title } } }")
        assert result == {"data": {"feed": [{"title": "Dune"}, {"title": "Alien"}]}}
        assert representations(g, "titles") == [{"__typename": "Movie", "id": "m1"}]


async def test_provided_member_field_is_taken_from_the_providing_subgraph() -> None:
    async with run_planning_graph("provides_union") as g:
        result = await g.query("{ spotlight { ... on Book { title } ... on Movie { title } } }")
        assert result == {"data": {"spotlight": {"title": "Alien"}}}
        assert g.requests_to("titles") == []


async def test_shared_root_field_over_value_types_merges_one_fetch_per_subgraph() -> None:
    async with run_planning_graph("shared_root_values") as g:
        result = await g.query(
            "{ product { name { short long } category { title } price { amount currency } } }"
        )
        assert result == {
            "data": {
                "product": {
                    "name": {"short": "Lamp", "long": "Brass desk lamp"},
                    "category": {"title": "Lighting"},
                    "price": {"amount": 30, "currency": "EUR"},
                }
            }
        }
        for subgraph in ("names", "categories", "prices"):
            assert len(g.requests_to(subgraph)) == 1, subgraph


async def test_union_members_differ_per_subgraph_fragments_stay_where_valid() -> None:
    async with run_planning_graph("union_members") as g:
        result = await g.query(
            "{ book { ... on Book { title } ... on Movie { title minutes }"
            " ... on Song { title artist } } }"
        )
        assert result == {"data": {"book": {"title": "Dune"}}}
        result = await g.query(
            "{ playlist { ... on Book { title } ... on Movie { minutes } ... on Song { artist } } }"
        )
        assert result == {"data": {"playlist": [{"title": "Emma"}, {"artist": "Joni Mitchell"}]}}
        assert g.requests_to("shelf") or g.requests_to("cinema")
        assert all("Movie" not in r["query"] for r in g.requests_to("shelf"))
        assert all("Song" not in r["query"] for r in g.requests_to("cinema"))


REVIEWS_QUERY = """
query ($anonymousOnly: Boolean!) {
  reviews(anonymousOnly: $anonymousOnly) {
    ... on AnonymousReview { id product { name } }
    ... on UserReview { id author product { stock stars } }
  }
}
"""


async def test_member_only_subgraphs_are_not_called_when_no_member_needs_them() -> None:
    async with run_planning_graph("review_products") as g:
        result = await g.query(REVIEWS_QUERY, {"anonymousOnly": True})
        assert result == {
            "data": {
                "reviews": [
                    {"id": "r1", "product": {"name": "Lamp"}},
                    {"id": "r3", "product": {"name": "Chair"}},
                ]
            }
        }
        assert representations(g, "catalog") == [
            {"__typename": "Product", "id": "p1"},
            {"__typename": "Product", "id": "p3"},
        ]
        assert g.requests_to("inventory") == []
        assert g.requests_to("ratings") == []


async def test_member_fields_fetch_only_that_members_products() -> None:
    async with run_planning_graph("review_products") as g:
        result = await g.query(REVIEWS_QUERY, {"anonymousOnly": False})
        assert result == {
            "data": {
                "reviews": [
                    {"id": "r1", "product": {"name": "Lamp"}},
                    {"id": "r2", "author": "Ann", "product": {"stock": 0, "stars": 4}},
                    {"id": "r3", "product": {"name": "Chair"}},
                ]
            }
        }
        assert representations(g, "catalog") == [
            {"__typename": "Product", "id": "p1"},
            {"__typename": "Product", "id": "p3"},
        ]
        assert representations(g, "inventory") == [{"__typename": "Product", "id": "p2"}]
        assert representations(g, "ratings") == [{"__typename": "Product", "id": "p2"}]


ITEMS = (
    "items { __typename ... on Plain { label } ... on LeftOnly { left }"
    " ... on RightOnly { right } }"
)


async def test_union_below_a_shareable_path_keeps_only_members_every_candidate_knows() -> None:
    # `Shelf.box` could come from either subgraph (Shelf is an entity in both), so only
    # `Plain` is a member both know: `LeftOnly.left` is not asked for and answers null
    async with run_planning_graph("partial_union_path") as g:
        result = await g.query("{ leftShelf { box { " + ITEMS + " } } }")
        assert result == {
            "data": {
                "leftShelf": {
                    "box": {
                        "items": [
                            {"__typename": "Plain", "label": "plain label"},
                            {"__typename": "LeftOnly", "left": None},
                        ]
                    }
                }
            }
        }
        assert all("LeftOnly" not in r["query"] for r in g.requests_to("left"))
        result = await g.query("{ rightShelf { box { " + ITEMS + " } } }")
        assert result["data"]["rightShelf"]["box"]["items"][1] == {
            "__typename": "RightOnly",
            "right": None,
        }


async def test_union_below_a_shareable_root_field_and_below_a_subgraph_own_field() -> None:
    async with run_planning_graph("partial_union_path") as g:
        result = await g.query("{ anyShelf { box { " + ITEMS + " } } }")
        assert result == {
            "data": {
                "anyShelf": {"box": {"items": [{"__typename": "Plain", "label": "plain label"}]}}
            }
        }
        # `rightBox` lives in one subgraph only: after the entity hop its members are all safe
        result = await g.query("{ leftShelf { rightBox { " + ITEMS + " } } }")
        assert result == {
            "data": {
                "leftShelf": {
                    "rightBox": {
                        "items": [
                            {"__typename": "Plain", "label": "plain label"},
                            {"__typename": "RightOnly", "right": "right only"},
                        ]
                    }
                }
            }
        }
        result = await g.query(
            "{ leftShelf { box { items { __typename ... on RightOnly { right } } } } }"
        )
        assert result == {
            "data": {
                "leftShelf": {
                    "box": {"items": [{"__typename": "Plain"}, {"__typename": "LeftOnly"}]}
                }
            }
        }


async def test_interface_objects_no_subgraph_resolves_by_key() -> None:
    # the audit's non-resolvable-interface-object cases, with its expected answers
    async with run_planning_graph("unreachable_interface_object") as g:
        assert await g.query("{ betaNode { id field } }") == {
            "data": {"betaNode": {"id": "n1", "field": "foo"}}
        }
        assert await g.query("{ betaNode { id } }") == {"data": {"betaNode": {"id": "n1"}}}
        assert await g.query("{ product { id } }") == {"data": {"product": {"id": "p1"}}}
        assert await g.query("{ product { ... on Bread { id } } }") == {
            "data": {"product": {"id": "p1"}}
        }
        unplannable = await g.query("{ alphaNode { field } }")
        assert unplannable.get("data") is None
        assert [e["extensions"]["code"] for e in unplannable["errors"]] == ["QUERY_PLANNING_FAILED"]
        invalid = await g.query("{ product { id name } }")
        assert invalid["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
        failing = await g.query("{ alphaNode { id } }")
        assert failing["data"] == {"alphaNode": None} and failing["errors"]


async def test_unplannable_root_field_answers_null_while_the_others_are_answered() -> None:
    async with run_planning_graph("unreachable_interface_object") as g:
        result = await g.query("{ x: alphaNode { field } betaNode { id } product { id } }")
        assert result["data"] == {"x": None, "betaNode": {"id": "n1"}, "product": {"id": "p1"}}
        assert [(e["path"], e["extensions"]["code"]) for e in result["errors"]] == [
            (["x"], "QUERY_PLANNING_FAILED")
        ]
        # next to a non-null field (`product: Product!`) that is planned
        result = await g.query("{ alphaNode { field } product { id } }")
        assert result["data"] == {"alphaNode": None, "product": {"id": "p1"}}


async def test_a_root_field_whose_keys_cannot_be_fetched_refuses_the_whole_operation() -> None:
    # the audit's corrupted-supergraph-node-id: `... on Chat { id }` below accounts' node
    # needs Chat's key, which accounts holds only as external; that is the supergraph not
    # holding together, not a hole at one field, so nothing is answered (as every router)
    async with run_planning_graph("node_keys") as g:
        both = await g.query(
            '{ account: node(id: "a1") { id ... on Chat { id } } '
            'chat: node(id: "c1") { __typename ... on Account { id } } }'
        )
        assert both.get("data") is None
        assert [e["extensions"]["code"] for e in both["errors"]] == ["QUERY_PLANNING_FAILED"]
        assert g.requests_to("accounts") == [] and g.requests_to("chats") == []
        # what each subgraph can answer on its own is answered
        assert await g.query('{ account(id: "a1") { id username } }') == {
            "data": {"account": {"id": "a1", "username": "ada"}}
        }
        assert await g.query('{ chat(id: "c1") { id text } }') == {
            "data": {"chat": {"id": "c1", "text": "hello"}}
        }


async def test_typename_of_an_interface_without_implementations_asks_a_valid_query() -> None:
    # Node has no implementation anywhere: the owner is asked for `__typename` alone (a
    # `... on Node` inside `_entities` is invalid GraphQL), and its refusal is reported
    async with run_planning_graph("unreachable_interface_object") as g:
        result = await g.query("{ betaNode { __typename } }")
        assert result["data"] == {"betaNode": None}
        assert result["errors"][0]["message"] == "Node is not resolvable here"
        asked = [r["query"] for r in g.requests_to("alpha")]
        assert asked and all("... on Node" not in q for q in asked)


async def test_equally_cheap_keys_the_referrer_declares_win_most_fields_first() -> None:
    # products declares `id` before `id asOf`; orders references Product by both (in the
    # other field order), wishlist by `id` only: each sends the most it declares
    async with run_planning_graph("key_by_referrer") as g:
        then = await g.query('{ order(asOf: "then") { lines { id asOf price } } }')
        assert then == {"data": {"order": {"lines": [{"id": "p1", "asOf": "then", "price": 10}]}}}
        now = await g.query("{ order { lines { price } } wished { price } }")
        assert now == {"data": {"order": {"lines": [{"price": 12}]}, "wished": [{"price": 12}]}}
        assert representations(g, "products") == [
            {"__typename": "Product", "id": "p1", "asOf": "then"},
            {"__typename": "Product", "id": "p1", "asOf": None},
            {"__typename": "Product", "id": "p1"},
        ]
