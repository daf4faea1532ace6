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
from reportgen.errors import BuildError, display_path, quote

MANIFEST_NAME = ".reportgen-manifest.sqlite"
SET_ASIDE_SUFFIX = ".damaged"
SCHEMA_VERSION = 3  # 2: paths relative to the project and the output folder, warnings kept; 3: a cache only
COLUMNS = {
    "outputs": ("council", "paper", "format", "output", "inputs_hash", "inputs", "output_hash", "warnings"),
}
SCHEMA = f"""
CREATE TABLE outputs (
    council TEXT NOT NULL,
    paper TEXT NOT NULL,
    format TEXT NOT NULL,
    output TEXT NOT NULL,
    inputs_hash TEXT NOT NULL,
    inputs TEXT NOT NULL,
    output_hash TEXT NOT NULL,
    warnings TEXT NOT NULL,
    PRIMARY KEY (council, paper, format)
);
PRAGMA user_version = {SCHEMA_VERSION};
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
        info = os.stat(text)  # a file hashed before is known by this alone, without opening it
        digest = _HASHES.get((text, info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns))
        if digest is not None:
            return digest
        with open(text, "rb") as handle:
            info = os.fstat(handle.fileno())  # what is hashed: the file opened, whatever was there a moment ago
            key = (text, info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns)
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
    found: list[Path] = []
    _collect_files(str(folder), found)
    return sorted(found)


def _collect_files(folder: str, found: list[Path]) -> None:
    """As `rglob("*")` and `is_file()` find them (linked folders not entered), but from the folder listing's
    own entry types: a stat only for a link, where rglob makes one for every file."""
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.is_dir():
                if not entry.is_symlink():
                    _collect_files(entry.path, found)
            elif entry.is_file() and not entry.name.startswith("."):
                found.append(Path(entry.path))


def inputs_hash(files: dict[str, str], fmt: str) -> str:
    """One hash over the input files' hashes, the format and the versions the output depends on."""
    payload = json.dumps({"files": files, "format": fmt, "versions": output_versions()}, sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()


@dataclass(frozen=True)
class Entry:
    output: Path
    inputs_hash: str
    inputs: dict[str, str]  # input name (see input_name) -> hash
    output_hash: str
    warnings: tuple[str, ...] = ()  # what WeasyPrint warned when it was built (--strict fails on them later)


class Distrust(Exception):
    """Something about the manifest file that means it cannot be relied on."""


class Manifest:
    """The record of what is in an output folder; used only by the process that holds the build lock.

    Paths are stored relative to the project (inputs) and to the output folder
    (outputs), so a copied project or output folder is judged by its own files.
    The whole record is checked when it is opened: our schema and version,
    SQLite's own check, and every row readable. Anything in doubt, and the file
    is moved aside and every paper built from scratch (`notices` says so): a
    cache that is not trusted is never half used. Nothing else is lost: what
    was published is in each council's published.yaml.
    """

    def __init__(self, out_dir: Path, root: Path):
        out_dir.mkdir(parents=True, exist_ok=True)
        self.out_dir, self.root = Path(out_dir), Path(root)
        self.path = self.out_dir / MANIFEST_NAME
        self.notices: list[str] = []
        self._outputs: dict[tuple[str, str, str], Entry] = {}
        self._listings: dict[str, str] = {}  # folder listings hashed by still_current, once per build
        with self._guard():
            self.db = self._open()

    def _open(self) -> sqlite3.Connection:
        if os.path.lexists(self.path):
            try:
                return self._checked()
            except Distrust as exc:
                self._outputs.clear()  # rows read before the doubt arose are not trusted either
                self._set_aside(str(exc))
        db = sqlite3.connect(self.path)
        db.executescript(SCHEMA)
        return db

    def _checked(self) -> sqlite3.Connection:
        """The open database, its rows loaded; Distrust when anything about it is in doubt."""
        if os.path.islink(self.path):
            raise Distrust("it is a symbolic link, which reportgen never makes")
        if not self.path.is_file():
            raise Distrust("it is not a file")
        size = self.path.stat().st_size
        if size == 0:
            raise Distrust("it is empty")
        if size < _size_in_header(self.path):
            raise Distrust("it is shorter than its header says: truncated")
        db = sqlite3.connect(self.path)
        try:
            self._check(db)
        except Distrust:
            db.close()
            raise
        except sqlite3.OperationalError:  # locked, unreadable, disk I/O: not a verdict on the contents
            db.close()
            raise
        except sqlite3.DatabaseError as exc:  # "file is not a database", "database disk image is malformed"
            db.close()
            raise Distrust(str(exc)) from None
        return db

    def _check(self, db: sqlite3.Connection) -> None:
        version = db.execute("PRAGMA user_version").fetchone()[0]
        tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if set(COLUMNS) - tables or not tables <= set(COLUMNS):
            raise Distrust("it is not a reportgen build record")
        if version != SCHEMA_VERSION:
            raise Distrust(f"it was written by {'an older' if version < SCHEMA_VERSION else 'a newer'} reportgen")
        for table, columns in COLUMNS.items():
            found = tuple(row[1] for row in db.execute(f"PRAGMA table_info({table})"))
            if found != columns:
                raise Distrust(f"its {table} table has other columns than reportgen's")
        verdict = db.execute("PRAGMA quick_check").fetchall()
        if verdict != [("ok",)]:
            raise Distrust(f"SQLite found damage: {verdict[0][0]}")
        for row in db.execute(f"SELECT {', '.join(COLUMNS['outputs'])} FROM outputs"):
            self._outputs[tuple(row[:3])] = self._entry(row)

    def _entry(self, row: tuple) -> Entry:
        council, paper, fmt, output, inputs_hash, inputs, output_hash, warnings = row
        try:
            inputs, warnings = json.loads(inputs), json.loads(warnings)
        except (TypeError, ValueError):
            raise Distrust(f"the row for {council}/{paper} ({fmt}) holds damaged data") from None
        texts = [council, paper, fmt, output, inputs_hash, output_hash]
        if not (all(isinstance(t, str) for t in texts) and isinstance(inputs, dict) and isinstance(warnings, list)
                and all(isinstance(v, str) for v in [*inputs, *inputs.values(), *warnings])):
            raise Distrust(f"the row for {council}/{paper} ({fmt}) holds damaged data")
        return Entry(self._output_path(output), inputs_hash, inputs, output_hash, tuple(warnings))

    def _set_aside(self, reason: str) -> None:
        """Move the record (and any SQLite journal beside it) out of the way, and say so."""
        aside = self.path.with_name(MANIFEST_NAME + SET_ASIDE_SUFFIX)
        try:
            for suffix in ("", "-journal", "-wal", "-shm"):
                if os.path.lexists(f"{self.path}{suffix}"):
                    os.replace(f"{self.path}{suffix}", f"{aside}{suffix}")
        except OSError as exc:
            raise BuildError(f"the build record {display_path(self.path)} cannot be trusted ({reason}) and could "
                             f"not be moved aside ({exc.strerror}); delete it and build again") from None
        self.notices.append(f"the build record {display_path(self.path)} could not be trusted ({reason}); it was "
                            f"moved to {aside.name} and every paper is built again from scratch")

    @contextlib.contextmanager
    def _guard(self) -> Iterator[None]:
        """An unwritable manifest (disk full, no permission) is the user's to fix, not a crash."""
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

    # -- names: paths as stored ---------------------------------------------------

    def path_of(self, name: str) -> str:
        """The file (or LISTING entry) a recorded input name stands for."""
        if name.startswith(LISTING):
            return LISTING + self.path_of(name[len(LISTING):])
        return os.path.join(self.root, name)  # an absolute name stays as it is

    def _output_path(self, stored: str) -> Path:
        """An output as recorded (relative to the output folder); Distrust when it would lead elsewhere."""
        if not stored or os.path.isabs(stored) or ".." in Path(stored).parts:
            raise Distrust(f"a row names a file outside the output folder ({quote(stored)})")
        return self.out_dir / stored

    # -- reading and recording -------------------------------------------------------

    def get(self, council: str, paper: str, fmt: str) -> Entry | None:
        return self._outputs.get((council, paper, fmt))

    def entries(self, council: str) -> dict[tuple[str, str], Entry]:
        return {(paper, fmt): entry for (c, paper, fmt), entry in self._outputs.items() if c == council}

    def record(self, council: str, paper: str, fmt: str, entry: Entry) -> None:
        with self._guard():
            with self.db:
                self.db.execute(
                    "INSERT OR REPLACE INTO outputs VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (council, paper, fmt, _relative(entry.output, self.out_dir), entry.inputs_hash,
                     json.dumps(entry.inputs, sort_keys=True), entry.output_hash, json.dumps(list(entry.warnings))),
                )
        self._outputs[(council, paper, fmt)] = entry

    def forget(self, council: str, paper: str, fmt: str | None = None) -> None:
        """Drop what was recorded of a paper that no longer exists (or of one format it no longer has)."""
        with self._guard():
            with self.db:
                if fmt is None:
                    self.db.execute("DELETE FROM outputs WHERE council=? AND paper=?", (council, paper))
                else:
                    self.db.execute("DELETE FROM outputs WHERE council=? AND paper=? AND format=?",
                                    (council, paper, fmt))
        for key in [k for k in self._outputs if k[:2] == (council, paper) and fmt in (None, k[2])]:
            del self._outputs[key]

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
        files = {name: self._listing_hash(name) if name.startswith(LISTING) else file_hash(self.path_of(name))
                 for name in entry.inputs}
        return self.is_current(entry, inputs_hash(files, fmt))

    def _listing_hash(self, name: str) -> str:
        """A style folder's listing, read once while this build holds the output folder (councils share styles)."""
        if name not in self._listings:
            self._listings[name] = file_hash(self.path_of(name))
        return self._listings[name]


def _size_in_header(path: Path) -> int:
    """The size an SQLite file says it has: page size x page count, from its 100-byte header (0 if unknown)."""
    with open(path, "rb") as handle:
        header = handle.read(100)
    if len(header) < 100 or not header.startswith(b"SQLite format 3\0"):
        return 0
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    valid = header[24:28] == header[92:96]  # the count is only kept up to date by SQLite 3.7.0 and later
    return page_size * pages if valid else 0


def input_name(root: Path, path: Path | str) -> str:
    """How an input is recorded (and hashed): relative to the project when it lies inside it, else as it is."""
    text = str(path)
    if text.startswith(LISTING):
        return LISTING + input_name(root, text[len(LISTING):])
    return _relative(Path(text), root)


def _relative(path: Path, base: Path) -> str:
    """`path` relative to `base` (with / between parts) when it lies inside it, else as it is."""
    try:
        return path.relative_to(base).as_posix()
    except ValueError:
        return str(path)
