"""The demo seed: a realistic data set loaded through the contexts' commands."""

from subgraphs.seed.loader import SeedError, SeedReport, seed, summary

__all__ = ["SeedError", "SeedReport", "seed", "summary"]
