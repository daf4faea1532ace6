"""The publication register: `councils/<slug>/published.yaml` and the exact files it lists in `published/`.

The register is part of the council's records (kept in version control, not
in the output folder), so no clone, PC or `--out` folder can lose it. Every
paper a council made public is listed with the sha256 of the file that went
out and of every input it was built from; `reportgen publish` appends to it
and `--withdraw` marks an entry withdrawn, never deleting it. A withdrawn
entry's file moves to `published/withdrawn/`, so the same name can be
published again without losing the bytes that were withdrawn.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from reportgen.errors import Diagnostic, InputError
from reportgen.inputs.models import Record, Slug, Text
from reportgen.inputs.validate import validate
from reportgen.inputs.yamlload import SourceMap, load_yaml

REGISTER_FILE = "published.yaml"
REGISTER_FOLDER = "published"
WITHDRAWN_FOLDER = "withdrawn"
REGISTER_MAX_BYTES = 32 * 1024 * 1024  # years of papers, each listing its inputs; far above a record's cap

Sha256 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
FileName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*\.(pdf|html)$", max_length=200)]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)]


class Withdrawal(Record):
    """Why and when a published version was withdrawn (the entry itself is kept)."""

    on: dt.date = Field(description="Date of the withdrawal (YYYY-MM-DD).")
    reason: Reason = Field(description="Why it was withdrawn, e.g. \"published in error: draft figures\".")
    by: Text = Field(description="Who withdrew it.")


class _InForce:
    """What a paper's and a pack's entries share: whether they count on a given day (`published_on`, `withdrawn`)."""

    def in_force(self, today: dt.date | None = None) -> bool:
        """Published (by `today`, when given) and not withdrawn (by then)."""
        if today is None:
            return self.withdrawn is None
        return self.published_on <= today and (self.withdrawn is None or self.withdrawn.on > today)


class PublishedFile(_InForce, Record):
    """One file made public: a paper in one format and revision."""

    paper: Slug = Field(description="The paper id (its file name under `papers/`).")
    format: Literal["pdf", "html"] = Field(description="`pdf` or `html`.")
    revision: int = Field(ge=0, le=999, description="0 for the original, then 1, 2 ... for each revised version.")
    file: FileName = Field(description="The file's name, in `published/` and in the output folder.")
    sha256: Sha256 = Field(description="sha256 of the file that was published.")
    inputs: dict[str, Sha256] = Field(
        description="Every file it was built from (path relative to the project) with its sha256.")
    published_on: dt.date = Field(description="Date it was made public (YYYY-MM-DD).")
    recorded_at: dt.datetime = Field(description="When `reportgen publish` recorded it (UTC).")
    by: Text = Field(description="Who published it.")
    withdrawn: Withdrawal | None = Field(default=None, description="Set when this version was withdrawn.")


class PublishedPack(_InForce, Record):
    """An agenda pack made public (supplement 0), or a supplement to it, and what it held."""

    meeting: dt.date = Field(description="Date of the meeting (YYYY-MM-DD).")
    committee: Slug = Field(description="Committee id from council.yaml.")
    supplement: int = Field(default=0, ge=0, le=99, description="0 for the agenda pack, then 1, 2 ... per supplement.")
    file: FileName = Field(description="The file's name, in `published/` and in the output folder.")
    sha256: Sha256 = Field(description="sha256 of the file that was published.")
    papers: list[Slug] = Field(default_factory=list, description="The paper ids it held, in agenda order.")
    attachments: list[Annotated[str, StringConstraints(min_length=1, max_length=200)]] = Field(
        default_factory=list, description="The attachments it held, as written in meetings.yaml.")
    published_on: dt.date = Field(description="Date it was made public (YYYY-MM-DD).")
    recorded_at: dt.datetime = Field(description="When `reportgen publish` recorded it (UTC).")
    by: Text = Field(description="Who published it.")
    withdrawn: Withdrawal | None = Field(default=None, description="Set when it was withdrawn.")


class RegisterRecord(Record):
    """`councils/<slug>/published.yaml`: what the council has made public; written by `reportgen publish`."""

    papers: list[PublishedFile] = Field(default_factory=list, description="Published files, oldest first.")
    packs: list[PublishedPack] = Field(default_factory=list, description="Published agenda packs and supplements.")


@dataclass(frozen=True)
class Register:
    """A council's register as read: its entries, where they were written, and the folder of copies."""

    folder: Path  # the council's folder
    entries: tuple[PublishedFile, ...] = ()
    source: SourceMap | None = None  # None when the council has no published.yaml yet
    packs: tuple[PublishedPack, ...] = ()

    @property
    def path(self) -> Path:
        return self.folder / REGISTER_FILE

    def copy_of(self, entry: PublishedFile | PublishedPack) -> Path:
        """Where the register keeps the bytes of `entry`."""
        if entry.withdrawn is not None:
            return self.folder / REGISTER_FOLDER / WITHDRAWN_FOLDER / f"{entry.sha256[:12]}-{entry.file}"
        return self.folder / REGISTER_FOLDER / entry.file

    def in_force(self, today: dt.date | None = None) -> list[PublishedFile]:
        return [e for e in self.entries if e.in_force(today)]

    def of(self, paper: str, fmt: str | None = None, today: dt.date | None = None) -> list[PublishedFile]:
        """The paper's entries in force, by revision (in one format when given)."""
        found = [e for e in self.in_force(today) if e.paper == paper and fmt in (None, e.format)]
        return sorted(found, key=lambda e: (e.revision, e.published_on))

    def latest(self, paper: str, fmt: str) -> PublishedFile | None:
        found = self.of(paper, fmt)
        return found[-1] if found else None

    def files_in_force(self) -> list[PublishedFile | PublishedPack]:
        """Every published file not withdrawn: papers, agenda packs and supplements."""
        return [*self.in_force(), *(p for p in self.packs if p.in_force())]

    def packs_of(self, meeting: dt.date, committee: str, today: dt.date | None = None) -> list[PublishedPack]:
        """A meeting's agenda pack and supplements in force (on `today`, when given), by supplement number."""
        found = [p for p in self.packs if (p.meeting, p.committee) == (meeting, committee) and p.in_force(today)]
        return sorted(found, key=lambda p: p.supplement)

    def where(self, entry: PublishedFile | PublishedPack, *key: str | int) -> tuple:
        """The key path of `entry` (or of one of its fields) for messages."""
        if isinstance(entry, PublishedPack):
            return ("packs", self.packs.index(entry), *key)
        return ("papers", self.entries.index(entry), *key)


def read_register(folder: Path) -> tuple[Register | None, list[Diagnostic]]:
    """A council's register (empty when it has published nothing yet); None when published.yaml has errors."""
    path = folder / REGISTER_FILE
    if not path.exists():
        return Register(folder), []
    try:
        doc = load_yaml(path, max_bytes=REGISTER_MAX_BYTES)
    except InputError as exc:
        return None, exc.diagnostics
    if doc.data is None:
        return Register(folder, (), doc.source), []
    record, problems = validate(doc, RegisterRecord)
    if record is None:
        return None, problems
    return Register(folder, tuple(record.papers), doc.source, tuple(record.packs)), problems


def check_register(register: Register, papers: dict[str, object]) -> list[Diagnostic]:
    """Problems in a register read from `register.source`: duplicates, dates, missing copies, lost papers.

    `papers` maps the paper ids under `papers/` to their records (Loaded[Paper]),
    to check that a paper still lists every revision the register has of it.
    """
    if register.source is None:
        return []
    problems = []
    say = lambda entry, message, *key, warn=False: problems.append(  # noqa: E731
        register.source.diagnostic(message, register.where(entry, *key), warn=warn))
    seen: dict[tuple, PublishedFile | PublishedPack] = {}
    for entry in [*register.entries, *register.packs]:
        if isinstance(entry, PublishedPack):
            key, what = (entry.meeting, entry.committee, entry.supplement), _pack_name(entry)
        else:
            key, what = (entry.paper, entry.format, entry.revision), \
                f"revision {entry.revision} of '{entry.paper}' ({entry.format})"
        first = seen.setdefault(key, entry)
        if first is not entry and entry.withdrawn is None and first.withdrawn is None:
            line = register.source.locate(register.where(first))[0]
            say(entry, f"{what} is already in force (line {line}); withdraw one of them with "
                       f"`reportgen publish --withdraw`", "supplement" if isinstance(entry, PublishedPack)
                else "revision")
        if entry.withdrawn is not None and entry.withdrawn.on < entry.published_on:
            say(entry, f"withdrawn on {entry.withdrawn.on} but published on {entry.published_on}, later; "
                       f"correct the withdrawal date", "withdrawn", "on")
        copy = register.copy_of(entry)
        if not copy.is_file():
            say(entry, f"the published copy {copy.relative_to(register.folder).as_posix()} is missing; restore "
                       f"it from version control (e.g. `git checkout -- {copy.name}` in its folder)", "file")
    for entry in register.entries:
        record = papers.get(entry.paper)
        if record is None:
            if entry.withdrawn is None:
                say(entry, f"paper '{entry.paper}' is no longer under papers/; its published files are kept "
                           f"(`reportgen published` lists them as withdrawn from source). If it was removed on "
                           f"purpose, record why with `reportgen publish COUNCIL {entry.paper} --withdraw "
                           f"{entry.revision} --reason TEXT`", "paper", warn=True)
        elif entry.withdrawn is None and entry.revision > len(record.model.revisions):
            listed = len(record.model.revisions)
            problems.append(record.source.diagnostic(
                f"revision {entry.revision} of this paper was published ({register.path.name} line "
                f"{register.source.locate(register.where(entry))[0]}) but the paper lists {listed} revision"
                f"{'' if listed == 1 else 's'}; a published revision stays listed: put it back", ("revisions",)))
    return problems


def _pack_name(pack: PublishedPack) -> str:
    what = f"supplement {pack.supplement}" if pack.supplement else "the agenda pack"
    return f"{what} of {pack.committee} on {pack.meeting}"


def changed_inputs(recorded: dict[str, str], current: dict[str, str]) -> list[str]:
    """What differs between two input lists, one phrase per file: `x (changed)`, `(new)`, `(removed)`."""
    names = sorted(set(recorded) | set(current))
    return [
        f"{name} ({'new' if name not in recorded else 'removed' if name not in current else 'changed'})"
        for name in names if recorded.get(name) != current.get(name)
    ]


def dump_register(entries: list[PublishedFile], council_name: str, packs: list[PublishedPack] = ()) -> str:
    """The text of published.yaml: a heading comment, then every entry (deterministic key order)."""
    import yaml

    _PlainDumper = _plain_dumper()

    def plain(entry: PublishedFile | PublishedPack) -> dict:
        data = entry.model_dump(mode="python", exclude_none=True)
        data["recorded_at"] = entry.recorded_at.isoformat()
        return data

    document = {"papers": [plain(e) for e in entries]}
    if packs:
        document["packs"] = [plain(p) for p in packs]
    heading = (f"# {council_name}: the publication register, written by `reportgen publish`.\n"
               "# Keep it, and the published/ folder beside it, in version control. Never edit a\n"
               "# published entry; withdraw it with `reportgen publish COUNCIL PAPER --withdraw N --reason TEXT`.\n")
    body = yaml.dump(document, Dumper=_PlainDumper, sort_keys=False, allow_unicode=True, width=120,
                     default_flow_style=False)
    return heading + body


def _plain_dumper():
    import yaml

    class PlainDumper(yaml.SafeDumper):
        """Writes every value out in full: records may hold no anchors or aliases (reportgen.inputs.yamlload)."""

        def ignore_aliases(self, data) -> bool:
            return True

    return PlainDumper
