"""Apollo Federation 2 composition: subgraph SDLs -> supergraph SDL."""

from .compose import CompositionResult, compose
from .config import compose_from_config, main
from .errors import CompositionError, CompositionFailed
from .hints import CompositionHint
from .subgraph import Subgraph

__all__ = [
    "CompositionError",
    "CompositionFailed",
    "CompositionHint",
    "CompositionResult",
    "Subgraph",
    "compose",
    "compose_from_config",
    "main",
]
