"""Ordering read side: orders, and ordering's own copies of products and customers."""

from subgraphs.ordering.projections.documents import (
    AddressDoc,
    KnownCustomer,
    KnownProduct,
    LineDoc,
    OrderView,
    PaymentDoc,
    ReasonDoc,
)
from subgraphs.ordering.projections.orders import OrdersProjection, evolve, fold
from subgraphs.ordering.projections.reference_data import (
    CustomerDirectoryProjection,
    MongoCustomerDirectory,
    MongoPriceList,
    ProductPrices,
)

__all__ = [
    "AddressDoc",
    "CustomerDirectoryProjection",
    "KnownCustomer",
    "KnownProduct",
    "LineDoc",
    "MongoCustomerDirectory",
    "MongoPriceList",
    "OrderView",
    "OrdersProjection",
    "PaymentDoc",
    "ProductPrices",
    "ReasonDoc",
    "evolve",
    "fold",
]
