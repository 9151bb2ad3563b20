"""`deep_merge` on the compiled core: a subgraph answer merged into the tree in place."""

from __future__ import annotations

from typing import Any

from .core import native_core


def native_merge(target: dict[str, Any], source: dict[str, Any], keep_typename: bool) -> bool:
    """Merge on the compiled core; False when it is off (the caller merges in Python)."""
    core = native_core()
    if core is None:
        return False
    core.deep_merge(target, source, keep_typename)
    return True
