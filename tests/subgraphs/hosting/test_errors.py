"""What clients see when something fails: codes and actionable messages, never internals."""

from __future__ import annotations

import logging

import pytest
from graphql import GraphQLError

from eventbus import ConcurrencyError, Conflict, DomainError, NotFound
from subgraphs.hosting.errors import INTERNAL_MESSAGE, format_error, map_error, to_graphql_error


@pytest.mark.parametrize(
    ("exc", "code"),
    [
        (DomainError("quantity must be greater than 0", field="quantity"), "BAD_USER_INPUT"),
        (NotFound("product 1 does not exist", field="id"), "NOT_FOUND"),
        (Conflict("sku A is already used", field="sku", owner="p1"), "CONFLICT"),
    ],
)
def test_domain_errors_keep_their_message_and_say_which_field(exc: DomainError, code: str) -> None:
    error = to_graphql_error(exc)
    assert error.message == exc.message
    assert error.extensions is not None
    assert error.extensions["code"] == code
    assert error.extensions["field"] == exc.field


def test_a_lost_race_is_a_conflict_to_retry() -> None:
    error = to_graphql_error(ConcurrencyError("stream-1", 3))
    assert error.extensions == {"code": "CONFLICT"}
    assert "retry" in error.message
    assert "stream-1" not in error.message


def test_unexpected_errors_are_logged_but_not_shown(caplog: pytest.LogCaptureFixture) -> None:
    wrapped = GraphQLError(
        "password=hunter2", path=["product"], original_error=RuntimeError("password=hunter2")
    )
    with caplog.at_level(logging.ERROR, logger="subgraphs.hosting.errors"):
        formatted = format_error(wrapped)
    assert formatted["message"] == INTERNAL_MESSAGE
    assert formatted["extensions"] == {"code": "INTERNAL_SERVER_ERROR"}
    assert formatted["path"] == ["product"]
    assert "hunter2" not in str(formatted)
    assert "hunter2" in caplog.text


def test_request_errors_get_a_code_too() -> None:
    syntax = map_error(GraphQLError("Syntax Error: Expected Name, found <EOF>."))
    assert syntax.extensions == {"code": "GRAPHQL_PARSE_FAILED"}
    unknown = map_error(GraphQLError("Cannot query field 'x' on type 'Query'."))
    assert unknown.extensions == {"code": "GRAPHQL_VALIDATION_FAILED"}
    coded = GraphQLError("nope", extensions={"code": "FORBIDDEN"})
    assert map_error(coded) is coded
