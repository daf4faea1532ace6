"""The user's cache folder: what reportgen works out once and can always work out again.

Font character maps (inputs/fonts.py), long records as read (inputs/yamlload.py)
and compiled templates (render/html.py) are kept there, keyed by content, so a
fresh process does not redo them. Nothing in it matters: it may be deleted at
any time, and when it cannot be written reportgen simply works everything out again.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from pathlib import Path


def cache_dir(*parts: str) -> Path:
    """$XDG_CACHE_HOME/reportgen/... (~/.cache/reportgen/... by default); not created here."""
    root = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return root.joinpath("reportgen", *parts)


def code_folder(name: str, *depends_on: bytes) -> Path | None:
    """cache_dir(name, <fingerprint>), made: the fingerprint hashes what the kept results depend on besides
    their own content (the code that made them), so a new version never reads an old one's. None when it
    cannot be made."""
    folder = cache_dir(name, hashlib.sha256(b"\0".join(depends_on)).hexdigest()[:24])
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return folder


def keep(path: Path, text: str) -> None:
    """Write a cache file whole or not at all (another process may read it meanwhile); never fails."""
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_text(text, encoding="utf-8")
        temporary.replace(path)
