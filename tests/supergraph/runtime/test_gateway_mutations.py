"""Mutations run one root field after another, in document order, across subgraphs."""

from __future__ import annotations


async def test_mutations_run_serially_in_document_order(shop) -> None:
    result = await shop.query(
        """
        mutation {
          first: renameUser(id: "u3", username: "amazing") { username }
          review: addReview(upc: "3", body: "Sturdy") { body author { username } product { name } }
          second: renameUser(id: "u3", username: "grace") { name username }
        }
        """
    )
    assert result == {
        "data": {
            "first": {"username": "amazing"},
            "review": {
                "body": "Sturdy",
                "author": {"username": "grace"},
                "product": {"name": "Chair"},
            },
            "second": {"name": "Grace Hopper", "username": "grace"},
        }
    }
    # accounts got the first rename, then (after reviews) the second, never both at once
    accounts = [r["query"] for r in shop.requests_to("accounts")]
    assert len(accounts) == 2
    assert "amazing" in accounts[0] and "grace" in accounts[1]


async def test_mutation_result_entities_fetched_after_the_mutation(shop) -> None:
    result = await shop.query(
        'mutation { renameUser(id: "u1", username: "countess") { username reviews { body } } }'
    )
    assert result == {
        "data": {
            "renameUser": {
                "username": "countess",
                "reviews": [{"body": "Love it!"}, {"body": "Could be better."}],
            }
        }
    }
    after = await shop.query("{ me { username } }")
    assert after == {"data": {"me": {"username": "countess"}}}
