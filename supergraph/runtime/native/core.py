"""Which implementation of the data path runs: the compiled core or the Python code.

The compiled core (`native/` at the repository root, module `pos_gateway_native`, built
by `scripts/setup` with maturin when cargo is there) is used when it imports, unless
`POS_GATEWAY_NATIVE=0`; `POS_GATEWAY_NATIVE=1` insists on it and fails at import when it is
missing, so a benchmark or a test run never measures the Python path by mistake. Tests
switch per case with `use_native`.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from types import ModuleType

ENV = "POS_GATEWAY_NATIVE"


class NativeCoreMissing(RuntimeError):
    """POS_GATEWAY_NATIVE=1 but the compiled core is not installed."""


def _load() -> ModuleType | None:
    try:
        import pos_gateway_native
    except ImportError:
        return None
    return pos_gateway_native


AVAILABLE: ModuleType | None = _load()
_wanted = os.environ.get(ENV, "").strip()
if _wanted == "1" and AVAILABLE is None:
    raise NativeCoreMissing(
        f"{ENV}=1 but the compiled core (pos_gateway_native) is not installed: run "
        "scripts/setup with cargo on PATH, or unset the variable to use the Python path"
    )
_active: ModuleType | None = None if _wanted == "0" else AVAILABLE


def native_core() -> ModuleType | None:
    """The compiled core when it is on, else None (the Python path)."""
    return _active


@contextmanager
def use_native(on: bool) -> Iterator[None]:
    """Run the block with the compiled core on or off (tests of both implementations)."""
    global _active
    if on and AVAILABLE is None:
        raise NativeCoreMissing("the compiled core (pos_gateway_native) is not installed")
    before = _active
    _active = AVAILABLE if on else None
    try:
        yield
    finally:
        _active = before
