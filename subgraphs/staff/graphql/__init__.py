"""The staff subgraph's GraphQL schema, its runtime and the caller accessor."""

from subgraphs.staff.graphql.caller import (
    identity_of,
    require_caller,
    require_scope,
)
from subgraphs.staff.graphql.runtime import StaffRuntime
from subgraphs.staff.graphql.schema import schema

__all__ = [
    "StaffRuntime",
    "identity_of",
    "require_caller",
    "require_scope",
    "schema",
]
