"""Fixtures for the composition tests; the helpers live in apollo_reference.py."""

from __future__ import annotations

from pathlib import Path

import pytest
from apollo_reference import apollo_compose


@pytest.fixture
def apollo(tmp_path: Path):
    return lambda sdls: apollo_compose(sdls, tmp_path)
