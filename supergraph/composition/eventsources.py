"""Pre-merge check of the `@eventSource` directive (docs/subscriptions.md).

Apollo's composition carries a `@composeDirective` verbatim without looking at it, so a
wrong topic mapping or a filter on a missing argument would only surface when the gateway
loads the supergraph. Checking here makes `pos compose` fail instead, naming the subgraph.
"""

from __future__ import annotations

from supergraph.subscriptions.sources import validate_event_sources

from .errors import CompositionError
from .subgraph import Subgraph

CODE = "EVENT_SOURCE_INVALID"


def check_event_sources(subgraph: Subgraph) -> list[CompositionError]:
    """The subgraph's `@eventSource` problems as composition errors (none when unused).

    The validator follows the subgraph's `@link` of the event-source spec (renames
    included) and reports nothing for a subgraph that does not use the directive.
    """
    name = subgraph.name
    return [
        CompositionError(
            CODE,
            f"[{name}] {e.coordinate}: {e.message}",
            subgraphs=(name,),
            coordinates=(e.coordinate,) if e.coordinate != "schema" else (),
        )
        for e in validate_event_sources(subgraph.sdl)
    ]
