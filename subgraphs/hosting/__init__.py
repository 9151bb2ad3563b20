"""Hosting shared by every subgraph: services, app, errors, pagination, commands."""

from subgraphs.hosting.app import create_subgraph_app, readiness
from subgraphs.hosting.commands import Executed, Handled, execute
from subgraphs.hosting.context import ContextModule
from subgraphs.hosting.errors import MapErrors, format_error, map_error, to_graphql_error
from subgraphs.hosting.host import create_host_app, subgraph_path
from subgraphs.hosting.pagination import Page, decode_cursor, encode_cursor, paginate
from subgraphs.hosting.running import start_context, stop_context
from subgraphs.hosting.services import ContextServices, Mode, build_services, database_for

__all__ = [
    "ContextModule",
    "ContextServices",
    "Executed",
    "Handled",
    "MapErrors",
    "Mode",
    "Page",
    "build_services",
    "create_host_app",
    "create_subgraph_app",
    "database_for",
    "decode_cursor",
    "encode_cursor",
    "execute",
    "format_error",
    "map_error",
    "paginate",
    "readiness",
    "start_context",
    "stop_context",
    "subgraph_path",
    "to_graphql_error",
]
