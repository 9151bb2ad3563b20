"""Private service sets for the infra tests: their own ports and folders, never the
shared development services."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture
def private_dir() -> Iterator[Path]:
    """A world-traversable folder (the postgres OS user must reach its cluster in it)."""
    path = Path(tempfile.mkdtemp(prefix="pos-infra-test-"))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)
