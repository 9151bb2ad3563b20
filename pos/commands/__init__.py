"""The `pos` CLI's command groups, one module each (see pos/cli.py)."""
