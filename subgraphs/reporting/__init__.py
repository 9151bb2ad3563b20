"""The reporting bounded context: read-only materialized views over every context."""

from subgraphs.reporting.context import ReportingContext, context

__all__ = ["ReportingContext", "context"]
