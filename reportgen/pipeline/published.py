"""What a build must keep: published files put back from the register, changes to them refused, stale outputs found.

Once a paper is published the law treats it as fixed: a change is issued as a
revision with a note of what changed, and the published version stays
available. The register (reportgen.inputs.register) holds the exact bytes, so
whatever happened to the output folder, a build restores them; an output
that would differ from them is refused, naming the inputs that changed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from reportgen.errors import display_path
from reportgen.inputs.register import PublishedFile, Register, changed_inputs
from reportgen.merge import PaperView
from reportgen.pipeline.manifest import LISTING, file_hash
from reportgen.pipeline.output import describe_write_error, write_atomic

FORMATS = ("pdf", "html")
REVISION_SUFFIX = re.compile(r"-rev(\d+)$")
PACK_MARK = "-agenda-pack"  # agenda packs (reportgen pack) share the folder; a paper build leaves them alone


@dataclass(frozen=True)
class Target:
    """Where one format of a paper goes, and the register entry when that file was published."""

    path: Path
    revision: int
    published: PublishedFile | None = None


def output_target(register: Register, out_dir: Path, slug: str, view: PaperView, fmt: str) -> Target:
    """Its own name; once published, the published file, then a new `-revN` file for each revision."""
    latest = register.latest(view.id, fmt)
    revisions = len(view.paper.revisions)
    folder = out_dir / slug
    if latest is None:
        return Target(folder / f"{view.stem}.{fmt}", 0)
    if revisions > latest.revision:
        return Target(folder / f"{original_stem(latest.file)}-rev{revisions}.{fmt}", revisions)
    return Target(folder / latest.file, latest.revision, latest)


def original_stem(name: str) -> str:
    """`2013-01-21-scrutiny-update` for `2013-01-21-scrutiny-update-rev2.pdf`."""
    return REVISION_SUFFIX.sub("", Path(name).stem)


def revision_of(path: Path) -> int:
    match = REVISION_SUFFIX.search(path.stem)
    return int(match.group(1)) if match else 0


@dataclass(frozen=True)
class Restored:
    """A published file put back into the output folder, or the reason it could not be."""

    paper: str
    path: Path
    problem: str = ""


def restore_published(register: Register, out_dir: Path, slug: str) -> list[Restored]:
    """Put back every published file in force that is missing or different in `out_dir`."""
    done = []
    for entry in register.files_in_force():
        target = out_dir / slug / entry.file
        if file_hash(target) == entry.sha256:
            continue
        copy = register.copy_of(entry)
        data = copy.read_bytes() if copy.is_file() else b""
        if hashlib.sha256(data).hexdigest() != entry.sha256:
            done.append(Restored(_name(entry), target, (
                f"the register's copy {display_path(copy)} is not the file published on {entry.published_on} "
                f"(its sha256 differs from {register.path.name}); restore it from version control")))
            continue
        try:
            write_atomic(target, data)
        except OSError as exc:
            done.append(Restored(_name(entry), target, describe_write_error(target, exc)))
            continue
        done.append(Restored(_name(entry), target))
    return done


def _name(entry) -> str:
    """The paper id, or for an agenda pack its file's name."""
    return getattr(entry, "paper", None) or Path(entry.file).stem


def refusal(view: PaperView, entry: PublishedFile, changes: list[str], today: dt.date) -> str:
    """Why a changed build of a published paper was not written, and the `revisions:` entry that allows it."""
    paper_file = display_path(view.source_files[1]) if len(view.source_files) > 1 else view.id
    snippet = [f"  - date: {today.isoformat()}", "    note: What changed, as printed above the revised paper"]
    if view.paper.revisions:
        how = f"add an entry under `revisions:` in {paper_file}:"
    else:
        how = f"add to {paper_file}:"
        snippet.insert(0, "revisions:")
    return (
        f"{entry.file} was published on {entry.published_on} and has changed since; the published file was "
        f"kept as it was. Changed input(s): {', '.join(changes) or 'none (the tools that build it changed)'}. "
        f"To issue a revised version, {how}\n\n" + "\n".join(snippet) + "\n"
    )


def relative_inputs(root: Path, files: dict[str, str]) -> dict[str, str]:
    """Input files (path -> sha256, as a build plans them) by path relative to the project, as the register keeps them.

    Entries that stand for a folder's listing are left out: the register names
    files, and a file added to a style shows up as a new input.
    """
    found = {}
    for name, digest in files.items():
        if name.startswith(LISTING):
            continue
        path = Path(name)
        try:
            path = path.relative_to(root)  # the same name in every clone of the project
        except ValueError:  # already relative, or a file outside the project: kept as it is
            pass
        found[path.as_posix()] = digest
    return dict(sorted(found.items()))


def changes_since(entry: PublishedFile, current: dict[str, str], own: str) -> list[str]:
    """The council's own inputs (paths under `own`) that differ from those `entry` was built from.

    Empty: nothing to build, the published file stands. Shared inputs (the
    house style, the reference data) do not count: a change there is for the
    papers still to be published, and the published ones stay as they went out.
    """
    mine = lambda files: {k: v for k, v in files.items() if k.startswith(own)}  # noqa: E731
    return changed_inputs(mine(entry.inputs), mine(current))


def produced_names(register: Register, views: list[PaperView]) -> set[str]:
    """Every output name the council's papers produce now, in either format, and every published file in force."""
    names = {entry.file for entry in register.files_in_force()}
    for view in views:
        for fmt in FORMATS:
            latest = register.latest(view.id, fmt)
            stem = original_stem(latest.file) if latest else view.stem
            names.add(f"{view.stem}.{fmt}")
            names.update(f"{stem}-rev{n}.{fmt}" for n in range(1, len(view.paper.revisions) + 1))
    return names


def stale_outputs(folder: Path, keep: set[str]) -> list[Path]:
    """Papers in an output folder that nothing produces any more (never a published file in force, never a pack)."""
    if not folder.is_dir():
        return []
    return sorted(
        p for p in folder.iterdir()
        if p.is_file() and p.suffix in (".pdf", ".html") and not p.name.startswith(".")
        and PACK_MARK not in p.stem and p.name not in keep
    )
