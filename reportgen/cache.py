"""The user's cache folder: what reportgen works out once and can always work out again.

Font character maps (inputs/fonts.py) and compiled templates (render/html.py)
are kept there, keyed by content, so a fresh process does not redo them. Nothing
in it matters: it may be deleted at any time, and when it cannot be written
reportgen simply works everything out again.
"""

from __future__ import annotations

import os
from pathlib import Path


def cache_dir(*parts: str) -> Path:
    """$XDG_CACHE_HOME/reportgen/... (~/.cache/reportgen/... by default); not created here."""
    root = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return root.joinpath("reportgen", *parts)
