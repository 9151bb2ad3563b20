"""Customers GraphQL (Ariadne): type defs, resolvers, views."""

from subgraphs.customers.graphql.schema import build_app, build_schema, sdl

__all__ = ["build_app", "build_schema", "sdl"]
