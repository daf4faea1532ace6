"""Read a council's YAML records, and the shared reference data, into typed models.

Reading never stops at the first problem: every file is read and every
problem is collected, so an officer fixes them all in one go.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Generic, TypeVar

from pydantic import BaseModel

from reportgen.confine import leads_out
from reportgen.errors import Diagnostic, InputError, error
from reportgen.inputs.meetings import MeetingsCalendar
from reportgen.inputs.models import Council, Paper, Progress, Reference
from reportgen.inputs.project import Project
from reportgen.inputs.validate import validate
from reportgen.inputs.yamlload import SourceMap, load_yaml

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class Loaded(Generic[M]):
    """A validated record and where its values were written."""

    name: str
    model: M
    source: SourceMap


@dataclass(frozen=True)
class CouncilRecords:
    """Everything in one council's folder, validated (in one language, for a bilingual council)."""

    slug: str
    folder: Path
    council: Loaded[Council]
    papers: dict[str, Loaded[Paper]]  # by paper id: `<name>-cy` and `<name>-en` for a bilingual council
    progress: dict[str, Loaded[Progress]]
    calendar: MeetingsCalendar | None = None
    language: str | None = None  # the version a bilingual council's records were read in: cy, en

    def meeting_dates(self, committee: str, before: dt.date) -> list[dt.date]:
        """Dates of the committee's meetings before `before`, oldest first: from meetings.yaml and the papers."""
        dates = {p.model.meeting.date for p in self.papers.values()
                 if p.model.meeting and p.model.meeting.committee == committee}
        if self.calendar is not None:
            dates |= {m.date for m in self.calendar.meetings if m.committee == committee}
        return sorted(d for d in dates if d < before)


@dataclass
class Reading:
    """The outcome of reading: what could be read, and every problem met."""

    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return any(d.is_error for d in self.diagnostics)

    language: str | None = None  # of a bilingual council's text: see fields.BILINGUAL

    def read(self, path: Path, model: type[M]) -> Loaded[M] | None:
        try:
            doc = load_yaml(path)
        except InputError as exc:
            self.diagnostics.extend(exc.diagnostics)
            return None
        value, problems = validate(doc, model, self.language)
        self.diagnostics.extend(sorted(problems, key=lambda d: (d.line or 0, d.column or 0)))
        return Loaded(path.stem, value, doc.source) if value is not None else None

    def read_folder(self, folder: Path, model: type[M]) -> dict[str, Loaded[M]]:
        loaded = {}
        target = leads_out(folder, folder.parent) if folder.is_dir() else None
        if target is not None:
            # A folder linked from elsewhere would let records come from outside the council.
            self.diagnostics.append(error(
                f"this folder is a symbolic link to {target}; records must be real files in the "
                f"council's folder (copy them in instead)", file=folder))
            return loaded
        for path in yaml_files(folder):
            record = self.read(path, model)
            if record is not None:
                loaded[record.name] = record
        return loaded


def yaml_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and not p.name.startswith("."))


def read_references(project: Project) -> tuple[dict[str, Loaded[Reference]], list[Diagnostic]]:
    reading = Reading()
    references = reading.read_folder(project.reference_dir, Reference)
    return references, reading.diagnostics


def read_council(project: Project, slug: str) -> tuple[CouncilRecords | None, list[Diagnostic]]:
    """One council's records (a bilingual council's in its first language); None when any file has an error."""
    versions, problems = read_council_versions(project, slug)
    return (versions[0] if versions else None), problems


def read_council_versions(project: Project, slug: str) -> tuple[list[CouncilRecords], list[Diagnostic]]:
    """One council's records: once, or for a bilingual council once per language, its first language first
    (each paper's id then ends in `-cy` or `-en`); none when any file has an error."""
    folder = project.council_dir(slug)
    versions, diagnostics = [], []
    for language in bilingual_languages(folder / "council.yaml"):
        reading = Reading(language=language)
        council = reading.read(folder / "council.yaml", Council)
        papers = reading.read_folder(folder / "papers", Paper)
        progress = reading.read_folder(folder / "progress", Progress)
        diagnostics += [d for d in reading.diagnostics if d not in diagnostics]  # most problems are in both
        if council is not None and not reading.failed:
            if language is not None:  # the council of this version: its papers are printed in `language`
                council = replace(council, model=council.model.model_copy(
                    update={"language": "en-GB" if language == "en" else language}))
                papers = {f"{name}-{language}": replace(loaded, name=f"{name}-{language}")
                          for name, loaded in papers.items()}
            versions.append(CouncilRecords(slug, folder, council, papers, progress, _quiet_calendar(folder),
                                           language))
    if any(d.is_error for d in diagnostics):
        return [], diagnostics
    return versions, diagnostics


def council_reading(folder: Path) -> Reading:
    """A Reading of the council in `folder`: in its first language when it is bilingual."""
    return Reading(language=bilingual_languages(folder / "council.yaml")[0])


def bilingual_languages(council_file: Path) -> tuple[str | None, ...]:
    """(cy, en) for a council whose council.yaml says `bilingual:`, its `language` first; (None,) otherwise."""
    try:
        data = load_yaml(council_file).data
    except InputError:
        return (None,)  # reading it again reports the problem
    if not isinstance(data, dict) or not data.get("bilingual"):
        return (None,)
    return ("en", "cy") if str(data.get("language", "")).startswith("en") else ("cy", "en")


def _quiet_calendar(folder: Path) -> MeetingsCalendar | None:
    """meetings.yaml when it reads cleanly; only to date a committee's meetings (`due` reports its problems)."""
    path = folder / "meetings.yaml"
    loaded = Reading().read(path, MeetingsCalendar) if path.is_file() else None
    return loaded.model if loaded else None


@dataclass(frozen=True)
class CouncilSummary:
    """What `reportgen councils` lists: enough to find one's way, read even from a council with errors."""

    slug: str
    name: str
    style: str
    papers: tuple[str, ...]


def council_summaries(project: Project) -> list[CouncilSummary]:
    summaries = []
    for slug in project.council_slugs():
        folder = project.council_dir(slug)
        try:
            data = load_yaml(folder / "council.yaml").data
        except InputError:
            data = None
        data = data if isinstance(data, dict) else {}
        summaries.append(CouncilSummary(slug, str(data.get("name", slug)), str(data.get("style", "?")),
                                        tuple(p.stem for p in yaml_files(folder / "papers"))))
    return summaries
