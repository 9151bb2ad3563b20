"""Reporting read side: facts from every context's events."""

from subgraphs.reporting.projections.documents import (
    DOCUMENTS,
    CustomerFact,
    OrderFact,
    ProductFact,
    SoldLine,
    StockFact,
)
from subgraphs.reporting.projections.facts import (
    CustomerFacts,
    OrderFacts,
    ProductFacts,
    StockFacts,
)

__all__ = [
    "DOCUMENTS",
    "CustomerFact",
    "CustomerFacts",
    "OrderFact",
    "OrderFacts",
    "ProductFact",
    "ProductFacts",
    "SoldLine",
    "StockFact",
    "StockFacts",
]
