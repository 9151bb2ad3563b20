"""Pre-merge check of the `@cacheable` directive (supergraph/caching/spec.py).

Like `@eventSource`, composition carries the directive verbatim; checking each subgraph
here makes `pos compose` fail on a wrong key mapping or a `subgraph` argument naming
another subgraph, instead of the gateway refusing the supergraph when it loads it.
"""

from __future__ import annotations

from supergraph.caching.spec import validate_cache_rules

from .errors import CompositionError
from .subgraph import Subgraph

CODE = "CACHEABLE_INVALID"


def check_cacheable(subgraph: Subgraph) -> list[CompositionError]:
    """The subgraph's `@cacheable` problems as composition errors (none when unused)."""
    name = subgraph.name
    return [
        CompositionError(
            CODE,
            f"[{name}] {e.coordinate}: {e.message}",
            subgraphs=(name,),
            coordinates=(e.coordinate,) if e.coordinate != "schema" else (),
        )
        for e in validate_cache_rules(subgraph.sdl, name)
    ]
