"""What a reader gets when the read store (MongoDB) is unreachable: a code, not a hang.

The e2e proof is tests/e2e/test_mongo_outage.py; these pin the two pieces it rests on
without any server: the mapping of the driver's connection errors, and the client's
bounded server selection (with the operator's URL options winning).
"""

from __future__ import annotations

import time

import pytest
from graphql import GraphQLError
from pymongo.errors import AutoReconnect, OperationFailure, ServerSelectionTimeoutError

from eventbus import readmodel
from eventbus.readmodel import SELECTION_TIMEOUT_MS, read_store_client
from pos.infra.config import free_port
from subgraphs.hosting.errors import INTERNAL_MESSAGE, format_error, to_graphql_error


def test_an_unreachable_read_store_answers_its_own_code_without_internals() -> None:
    for cause in (ServerSelectionTimeoutError("127.0.0.1:27017: [Errno 111]"), AutoReconnect()):
        error = to_graphql_error(cause)
        assert error.extensions == {"code": "READ_STORE_UNAVAILABLE"}
        assert "retry" in error.message and "27017" not in error.message


def test_ariadne_and_strawberry_errors_map_it_the_same() -> None:
    wrapped = GraphQLError(
        "raw", path=["categories"], original_error=ServerSelectionTimeoutError("x")
    )
    formatted = format_error(wrapped)
    assert formatted["extensions"] == {"code": "READ_STORE_UNAVAILABLE"}
    assert formatted["path"] == ["categories"]


def test_a_failing_command_is_not_taken_for_an_outage() -> None:
    error = to_graphql_error(OperationFailure("unknown operator $foo"))
    assert error.extensions == {"code": "INTERNAL_SERVER_ERROR"}
    assert error.message == INTERNAL_MESSAGE


async def test_the_client_waits_two_seconds_for_a_server_unless_the_url_says() -> None:
    bounded = read_store_client("mongodb://127.0.0.1:1")
    tuned = read_store_client("mongodb://127.0.0.1:1/?serverSelectionTimeoutMS=7000")
    try:
        assert bounded.options.server_selection_timeout == SELECTION_TIMEOUT_MS / 1000
        assert bounded.options.pool_options.connect_timeout == 20.0  # pymongo's: see why
        assert tuned.options.server_selection_timeout == 7.0
    finally:
        await bounded.close()
        await tuned.close()


async def test_a_service_gives_up_on_an_absent_read_store_after_its_startup_wait(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(readmodel, "STARTUP_WAIT", 1.0)
    began = time.monotonic()
    with pytest.raises(ServerSelectionTimeoutError):
        await readmodel.init_read_store(f"mongodb://127.0.0.1:{free_port()}", "absent", [])
    took = time.monotonic() - began
    assert 1.0 <= took < 1.0 + SELECTION_TIMEOUT_MS / 1000 + 2, took
