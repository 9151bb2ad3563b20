"""How root fields left out of a plan are answered (supergraph/runtime/planning/unplannable.py)."""

from __future__ import annotations

from supergraph.runtime.planning.unplannable import Unplannable, complete


def test_left_out_fields_answer_null_in_the_clients_order() -> None:
    data, errors = complete(
        {"b": 1, "c": 2}, (Unplannable("a", "cannot plan a", non_null=False),), ("a", "b", "c")
    )
    assert data is not None and list(data.items()) == [("a", None), ("b", 1), ("c", 2)]
    assert errors == [
        {"message": "cannot plan a", "path": ["a"], "extensions": {"code": "QUERY_PLANNING_FAILED"}}
    ]


def test_a_non_null_field_left_out_nulls_data() -> None:
    data, errors = complete({"b": 1}, (Unplannable("a", "no", non_null=True),), ("a", "b"))
    assert data is None and [e["path"] for e in errors] == [["a"]]


def test_a_skipped_field_stays_absent() -> None:
    data, _ = complete({"b": 1}, (Unplannable("a", "no", non_null=False),), ("a", "b", "c"))
    assert data == {"a": None, "b": 1}
