"""Ordering GraphQL (Strawberry): schema, types, inputs, runtime."""

from subgraphs.ordering.graphql.runtime import OrderingRuntime
from subgraphs.ordering.graphql.schema import schema, sdl

__all__ = ["OrderingRuntime", "schema", "sdl"]
