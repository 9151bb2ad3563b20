"""POS package."""
