"""The `pos` CLI's command groups, one module each (see pos/cli.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

# Options of the commands that work on either store (`pos seed`, `pos claim-emails`).
StoreMode = Annotated[str, typer.Option(help="embedded (the `pos run` data) or services")]
EmbeddedDataDir = Annotated[
    Path | None,
    typer.Option(
        help="embedded only: data directory (default: $POS_DATA_DIR/embedded).",
        show_default=False,
    ),
]
