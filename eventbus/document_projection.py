"""`DocumentProjection`: a projection that keeps one read-model document per event stream.

Most read models fold a stream's events into the document whose id is the stream id. The
idempotence bookkeeping around that fold is the same everywhere (skip what the document
has already applied, record what it applies, save both in one write), so a projection
only says how one event changes its document.
"""

from __future__ import annotations

from abc import abstractmethod
from typing import Any, Generic, TypeVar, cast

from beanie import Document

from eventbus.envelope import Envelope
from eventbus.events import split_type
from eventbus.projection import Projection
from eventbus.readmodel import AppliedMixin, is_applied, mark_applied

D = TypeVar("D", bound=Document)


class DocumentProjection(Projection, Generic[D]):
    """`document` (an `AppliedMixin` Beanie document, one per stream id) built by `change`."""

    document: type[D]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        document = cls.__dict__.get("document")
        if document is not None and not issubclass(document, AppliedMixin):
            raise TypeError(f"{cls.__name__}.document must mix in AppliedMixin")

    @abstractmethod
    def change(self, doc: D | None, name: str, envelope: Envelope) -> D | None:
        """The stream's document after the event `name` (its type name without version),
        or None when the event does not concern it. `doc` is None before the first one."""

    async def has_applied(self, envelope: Envelope) -> bool:
        return is_applied(_applied(await self.document.get(envelope.subject)), envelope)

    async def reset(self) -> None:
        await self.document.delete_all()

    async def apply(self, envelope: Envelope) -> None:
        doc = await self.document.get(envelope.subject)
        if is_applied(_applied(doc), envelope):
            return
        changed = self.change(doc, split_type(envelope.type)[0], envelope)
        if changed is None:
            return
        mark_applied(cast(AppliedMixin, changed), envelope)
        await changed.save()


def _applied(doc: Document | None) -> AppliedMixin | None:
    """`doc` as what it is: `__init_subclass__` checked its class mixes in AppliedMixin."""
    return cast(AppliedMixin | None, doc)
