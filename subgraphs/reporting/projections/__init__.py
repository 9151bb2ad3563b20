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
from subgraphs.reporting.projections.shop_documents import (
    SHOP_DOCUMENTS,
    ReturnFact,
    SaleFact,
    ShiftFact,
)
from subgraphs.reporting.projections.shop_facts import ReturnFacts, SaleFacts, ShiftFacts

__all__ = [
    "DOCUMENTS",
    "SHOP_DOCUMENTS",
    "CustomerFact",
    "CustomerFacts",
    "OrderFact",
    "OrderFacts",
    "ProductFact",
    "ProductFacts",
    "ReturnFact",
    "ReturnFacts",
    "SaleFact",
    "SaleFacts",
    "ShiftFact",
    "ShiftFacts",
    "SoldLine",
    "StockFact",
    "StockFacts",
]
