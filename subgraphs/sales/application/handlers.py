"""`SalesHandlers`: every command of the sales context (shifts, basket, checkout,
returns), each one unit of work."""

from __future__ import annotations

from subgraphs.sales.application.basket import BasketHandlers
from subgraphs.sales.application.checkout import CheckoutHandlers
from subgraphs.sales.application.returns import ReturnHandlers
from subgraphs.sales.application.shifts import ShiftHandlers


class SalesHandlers(ShiftHandlers, BasketHandlers, CheckoutHandlers, ReturnHandlers):
    pass
