"""Per-request batching of read-model lookups (one `$in` query instead of one per entity).

A gateway sends a whole step's entity references in one `_entities` call, and a page of
products each asks for its category: without batching, each is a round trip to the read
store. A `Loaders` lives for one request (so nothing is cached across requests) and hands
out one DataLoader per (document class, field).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from beanie import Document
from strawberry.dataloader import DataLoader

D = TypeVar("D", bound=Document)

MAX_BATCH = 500


class Loaders:
    def __init__(self) -> None:
        self._loaders: dict[tuple[type[Document], str], DataLoader[Any, Any]] = {}

    def by(self, model: type[D], field: str = "_id") -> DataLoader[Any, D | None]:
        """Documents of `model` by the value of `field` (first match; None if absent)."""
        key = (model, field)
        loader = self._loaders.get(key)
        if loader is None:

            async def load(values: list[Any]) -> Sequence[D | None]:
                found = await model.find({field: {"$in": list(set(values))}}).to_list()
                attribute = "id" if field == "_id" else field
                index = {getattr(doc, attribute): doc for doc in found}
                return [index.get(value) for value in values]

            loader = DataLoader(load, max_batch_size=MAX_BATCH)
            self._loaders[key] = loader
        return loader
