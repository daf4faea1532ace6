"""Path confinement: whether a path, once its links are followed, stays inside the folders trusted for it."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable
from urllib.parse import unquote, urlsplit


def real(path: str | os.PathLike) -> Path:
    """Where `path` really is: absolute, with every symbolic link followed (as far as the links exist)."""
    return Path(os.path.realpath(path))


def relative_path(value: str, noun: str) -> str:
    """`value` if it is a relative path that cannot leave the council folder as written; else ValueError.

    Symbolic links are judged where the file is read (`Roots.find`), since
    only the file system knows where they lead.
    """
    lowered = value.lower()
    if "://" in value or lowered.startswith(("file:", "data:", "http:", "https:")):
        raise ValueError("a file in the council folder is expected, not a URL")
    if value.startswith(("/", "\\")) or (len(value) > 1 and value[1] == ":"):
        raise ValueError("a path inside the council folder is expected, not an absolute path")
    if ".." in value.replace("\\", "/").split("/"):
        raise ValueError(f"'..' is not allowed: the {noun} must be inside the council folder")
    return value


def local_path(url: str) -> Path | None:
    """The absolute path, as written (links not followed), that a file: URL names on this machine; else None."""
    parts = urlsplit(url)
    if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
        return None
    return Path(os.path.abspath(unquote(parts.path)))


class Roots:
    """Folders whose files may be used (a style's and a council's), compared by their real paths.

    A folder that is itself a symbolic link keeps working (a council folder
    linked from elsewhere). But a folder that, as written, lies inside another
    of the folders (a council's templates/ inside the council folder) must
    also really lie inside it, or it is not trusted at all: a templates/ that
    is a link to, say, the home folder would otherwise make every file there
    fair game. A path is then inside when its real location lies in a
    trusted folder.
    """

    def __init__(self, folders: Iterable[str | os.PathLike]):
        self.folders = tuple(Path(os.path.abspath(folder)) for folder in folders)
        reals = [real(folder) for folder in self.folders]
        self.trusted = tuple(
            located for folder, located in zip(self.folders, reals)
            if all(located.is_relative_to(outer_real)
                   for outer, outer_real in zip(self.folders, reals) if folder.is_relative_to(outer))
        )

    def find(self, path: str | os.PathLike) -> Path | None:
        """`path`'s real location when that lies inside a trusted folder; None when it leads out."""
        located = real(path)
        return located if any(located.is_relative_to(folder) for folder in self.trusted) else None

    def find_url(self, url: str) -> Path | None:
        """The real file a file: URL names, when inside a trusted folder; None for any other URL."""
        path = local_path(url)
        return None if path is None else self.find(path)


def leads_out(path: str | os.PathLike, folder: str | os.PathLike) -> Path | None:
    """Where `path` really leads when that is outside `folder` (a symbolic link out); None when it stays inside."""
    return None if Roots([folder]).find(path) is not None else real(path)
