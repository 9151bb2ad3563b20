"""A supergraph composed from federation 1 subgraphs (no @link, `extend type`)."""

from __future__ import annotations

from fixture_graphs import GRAPHS

LEGACY = GRAPHS.parent / "legacy" / "fed1-join-v0.1.graphql"


async def test_fed1_entities_and_provides(start_graph) -> None:
    async with start_graph("fed1") as g:
        result = await g.query("{ me { username reviews { body author { username } } } }")
        assert result == {
            "data": {
                "me": {
                    "username": "ada",
                    "reviews": [{"body": "Great", "author": {"username": "ada"}}],
                }
            }
        }
        provided = await g.query("{ reviews { author { username } } }")
        assert provided == {"data": {"reviews": [{"author": {"username": "ada"}}]}}
        assert len(g.requests_to("accounts")) == 1


async def test_join_v0_1_supergraph_with_owners(start_graph) -> None:
    async with start_graph("fed1", supergraph=LEGACY.read_text()) as g:
        result = await g.query(
            "{ me { id username reviews { body author { username } } } reviews { body } }"
        )
        assert result == {
            "data": {
                "me": {
                    "id": "u1",
                    "username": "ada",
                    "reviews": [{"body": "Great", "author": {"username": "ada"}}],
                },
                "reviews": [{"body": "Great"}],
            }
        }
        schema = await g.query("{ __schema { types { name } directives { name } } }")
        names = {t["name"] for t in schema["data"]["__schema"]["types"]}
        assert "join__Graph" not in names and "join__FieldSet" not in names
        assert "core" not in {d["name"] for d in schema["data"]["__schema"]["directives"]}
