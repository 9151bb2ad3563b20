"""The gateway's compiled data path (Rust, `native/`), with the Python path as fallback."""

from .core import AVAILABLE, ENV, NativeCoreMissing, native_core, use_native
from .entities import entity_batch
from .merge import native_merge
from .shaping import shape_root

__all__ = [
    "AVAILABLE",
    "ENV",
    "NativeCoreMissing",
    "entity_batch",
    "native_core",
    "native_merge",
    "shape_root",
    "use_native",
]
