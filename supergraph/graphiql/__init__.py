"""GraphiQL, bundled with its assets so it works with no internet."""

from supergraph.graphiql.page import MOUNT_PATH, STATIC_DIR, GraphiQLNotBuilt, graphiql_html

__all__ = ["MOUNT_PATH", "STATIC_DIR", "GraphiQLNotBuilt", "graphiql_html"]
