"""`Money`, the @shareable value type every subgraph that shows amounts declares.

Federation requires a shareable value type to be declared identically by each subgraph;
one class keeps the name, fields and description the same in every printed SDL.
"""

from __future__ import annotations

from strawberry import federation


@federation.type(
    shareable=True, description="An exact amount: a decimal string and its ISO 4217 currency."
)
class Money:
    amount: str
    currency: str
