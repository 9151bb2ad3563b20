"""Fixtures: a supergraph composed by Apollo from the SDLs in sdl/."""

from __future__ import annotations

import pytest
from subscription_doubles import SDL, apollo_compose


@pytest.fixture(scope="session")
def supergraph_sdl() -> str:
    return apollo_compose(
        {
            "ordering": SDL / "ordering.graphql",
            "inventory": SDL / "inventory.graphql",
            "clock": SDL / "clock.graphql",
        }
    )
