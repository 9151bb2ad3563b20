"""Reporting GraphQL (Strawberry): read-only reports."""

from subgraphs.reporting.graphql.schema import schema, sdl

__all__ = ["schema", "sdl"]
