"""`pos rebuild <projection>`: drop a read model and replay it from the event store."""

from __future__ import annotations

from eventbus.projection import RebuildReport, rebuild
from eventbus.readmodel import init_read_store
from subgraphs.hosting.services import ContextServices


def projection_names(services: ContextServices) -> dict[str, str]:
    """Every projection's name -> the context that owns it."""
    from subgraphs import CONTEXTS

    return {
        projection.name: name
        for name, context in CONTEXTS.items()
        for projection in context.projections(services.for_context(name))
    }


async def rebuild_projection(name: str, services: ContextServices) -> RebuildReport:
    """Rebuild projection `name` from the store behind `services` (started here if not;
    the caller stops `services`, which also closes the read-store client opened here).

    Stop the projection's live runner first (or restart it after): its consumer group
    then resumes from its own offsets and skips what the rebuild already applied.
    """
    from subgraphs import CONTEXTS

    await services.start()
    for context_name, context in CONTEXTS.items():
        view = services.for_context(context_name)
        for projection in context.projections(view):
            if projection.name != name:
                continue
            # Documents are bound process-wide: the new client replaces any earlier
            # binding, so it stays open until `services` stops.
            client = await init_read_store(view.mongo_url, view.database, context.documents())
            services.clients.append(client)
            return await rebuild(view.store, projection)
    known = ", ".join(sorted(projection_names(services)))
    raise LookupError(f"no projection named {name!r}; known projections: {known}")
