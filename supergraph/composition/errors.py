"""Composition errors, shaped like Apollo's so users can look the codes up in its docs."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class CompositionError:
    """One reason composition failed: Apollo's error code, a message, and where it points."""

    code: str
    message: str
    subgraphs: tuple[str, ...] = ()
    coordinates: tuple[str, ...] = field(default=())

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


def listed(noun: str, items: list[str]) -> str:
    """Apollo's lists of (quoted) names: `type "A"`, `types "A", "B" and "C"`."""
    if len(items) == 1:
        return f"{noun} {items[0]}"
    return f"{noun}s " + ", ".join(items[:-1]) + " and " + items[-1]


def subgraph_names(names: list[str] | tuple[str, ...]) -> str:
    """Print subgraph names like Apollo: `subgraph "a"`, `subgraphs "a", "b" and "c"`."""
    if not names:  # Apollo prints nothing (e.g. a field only an @interfaceObject declares)
        return ""
    return listed("subgraph", [f'"{n}"' for n in names])


class CompositionFailed(Exception):
    """Raised by callers that want an exception instead of a result carrying errors."""

    def __init__(self, errors: list[CompositionError]) -> None:
        super().__init__("\n".join(str(e) for e in errors))
        self.errors = errors
