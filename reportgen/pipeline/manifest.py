"""What each paper was built from, so a rebuild does only the work that changed.

The manifest is an SQLite database in the output folder. For every paper and
format it records the files the output was built from with their hashes,
one hash over all of them plus the versions the output depends on (reportgen's
and its exactly pinned requirements': the "inputs hash"), and
the hash of the output. A paper whose recorded inputs still hash the same
and whose output file is still the one recorded is not rebuilt, and so not
rewritten: file times and hashes change only when content does.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from reportgen.dependencies import output_versions
from reportgen.errors import BuildError, display_path

MANIFEST_NAME = ".reportgen-manifest.sqlite"
SCHEMA = """
CREATE TABLE IF NOT EXISTS outputs (
    council TEXT NOT NULL,
    paper TEXT NOT NULL,
    format TEXT NOT NULL,
    output TEXT NOT NULL,
    inputs_hash TEXT NOT NULL,
    inputs TEXT NOT NULL,
    output_hash TEXT NOT NULL,
    PRIMARY KEY (council, paper, format)
)
"""

LISTING = "listing:"  # an input that stands for a folder's list of files


# Hashes already computed in this process, by what the file system says of the
# file: path, device, inode, size, modification and change times. A rebuild of
# 150 councils then reads the style's fonts and templates once, not 150 times.
# A file changed within RACY_NS of being hashed is not cached (its times may
# not have moved yet: git's "racily clean" case), and a file replaced by
# rename (as outputs are) has a new inode.
_HASHES: dict[tuple, str] = {}
_HASHES_MAX = 50_000
RACY_NS = 3_000_000_000


def file_hash(path: Path | str) -> str:
    """The sha256 of a file, or of a folder's file list for a LISTING entry."""
    text = str(path)
    if text.startswith(LISTING):
        folder = Path(text[len(LISTING):])
        listing = "\n".join(str(f.relative_to(folder)) for f in folder_files(folder))
        return hashlib.sha256(listing.encode()).hexdigest()
    try:
        with open(text, "rb") as handle:
            info = os.fstat(handle.fileno())
            key = (text, info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns)
            digest = _HASHES.get(key)
            if digest is not None:
                return digest
            digest = hashlib.sha256(handle.read()).hexdigest()
    except OSError:
        return "missing"
    if time.time_ns() - max(info.st_mtime_ns, info.st_ctime_ns) > RACY_NS:
        if len(_HASHES) >= _HASHES_MAX:
            _HASHES.clear()
        _HASHES[key] = digest
    return digest


def folder_files(folder: Path) -> list[Path]:
    """Every file under a style or template folder (templates, CSS, fonts, images)."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.startswith("."))


def inputs_hash(files: dict[str, str], fmt: str) -> str:
    """One hash over the input files' hashes, the format and the versions the output depends on."""
    payload = json.dumps({"files": files, "format": fmt, "versions": output_versions()}, sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()


@dataclass(frozen=True)
class Entry:
    output: Path
    inputs_hash: str
    inputs: dict[str, str]
    output_hash: str


class Manifest:
    """The record of what is in an output folder; used only by the process that holds the build lock."""

    def __init__(self, out_dir: Path):
        out_dir.mkdir(parents=True, exist_ok=True)
        self.path = out_dir / MANIFEST_NAME
        with self._guard():
            self.db = sqlite3.connect(self.path)
            self.db.executescript(SCHEMA)

    @contextlib.contextmanager
    def _guard(self) -> Iterator[None]:
        """A damaged or unwritable manifest (disk full, a stray file) is the user's to fix, not a crash."""
        try:
            yield
        except sqlite3.Error as exc:
            raise BuildError(
                f"the build record {display_path(self.path)} could not be used ({exc}); if the disk is full, free "
                f"some space; if the file is damaged, delete it and build again (every paper is then rebuilt; "
                f"nothing else is lost: what was published is recorded in each council's published.yaml)"
            ) from None

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Manifest:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def get(self, council: str, paper: str, fmt: str) -> Entry | None:
        with self._guard():
            row = self.db.execute(
                "SELECT output, inputs_hash, inputs, output_hash FROM outputs WHERE council=? AND paper=? AND format=?",
                (council, paper, fmt),
            ).fetchone()
            if row is None:
                return None
            return Entry(Path(row[0]), row[1], json.loads(row[2]), row[3])

    def entries(self, council: str) -> dict[tuple[str, str], Entry]:
        with self._guard():
            rows = self.db.execute(
                "SELECT paper, format, output, inputs_hash, inputs, output_hash FROM outputs WHERE council=?", (council,)
            )
            return {(r[0], r[1]): Entry(Path(r[2]), r[3], json.loads(r[4]), r[5]) for r in rows}

    def record(self, council: str, paper: str, fmt: str, entry: Entry) -> None:
        with self._guard():
            with self.db:
                self.db.execute(
                    "INSERT OR REPLACE INTO outputs VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (council, paper, fmt, str(entry.output), entry.inputs_hash, json.dumps(entry.inputs, sort_keys=True),
                     entry.output_hash),
                )

    def forget(self, council: str, paper: str) -> None:
        """Drop what was recorded of a paper that no longer exists."""
        with self._guard():
            with self.db:
                self.db.execute("DELETE FROM outputs WHERE council=? AND paper=?", (council, paper))

    def is_current(self, entry: Entry | None, expected_hash: str) -> bool:
        """The output on disk is the one recorded, built from inputs that hash as they do now."""
        return (
            entry is not None
            and entry.inputs_hash == expected_hash
            and entry.output.is_file()
            and file_hash(entry.output) == entry.output_hash
        )

    def still_current(self, entry: Entry | None, fmt: str) -> bool:
        """Like is_current, re-hashing the inputs the entry recorded, without reading any record."""
        if entry is None:
            return False
        files = {name: file_hash(name) for name in entry.inputs}
        return self.is_current(entry, inputs_hash(files, fmt))
