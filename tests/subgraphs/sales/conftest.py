from tests.subgraphs.hosting.harness import h6_pg_url

__all__ = ["h6_pg_url"]
