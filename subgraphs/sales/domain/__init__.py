"""The pure domain of walk-in sales (re-exports are added as modules land)."""
