"""Merge a council's records with the shared reference data into papers ready to render.

This is where ids are resolved (committees, officers, recommendations,
progress records) and where cross-file problems are found. The result is a
`PaperView` per paper: everything a template needs, in reading order, and
nothing it has to look up.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reportgen.confine import Roots
from reportgen.errors import Diagnostic, did_you_mean, one_of
from reportgen.inputs.models import (
    Committee, Council, GovernmentResponse, Image, ListAppendix, Officer, Paper, Progress, ProgressAppendix,
    ProgressEntry, Recommendation, RecommendationsAppendix, Reference, Section, TextAppendix, Theme,
)
from reportgen.inputs.records import CouncilRecords, Loaded

PREPARED_WITHIN_DAYS = 366  # a paper dated further from its meeting than this is probably a typo


@dataclass(frozen=True)
class ProgressRow:
    """One row of the progress table: a recommendation and both responses."""

    recommendation: Recommendation
    government: GovernmentResponse
    entry: ProgressEntry | None
    lead_officer: Officer | None


@dataclass(frozen=True)
class ThemeGroup:
    theme: Theme
    recommendations: list[Recommendation]


@dataclass(frozen=True)
class AppendixView:
    """An appendix with its number; `type` picks the template `appendix/<type>.html`."""

    number: int
    type: str
    title: str
    record: Any
    reference: Reference | None = None
    progress: Progress | None = None
    rows: list[ProgressRow] = field(default_factory=list)
    themes: list[ThemeGroup] = field(default_factory=list)


@dataclass(frozen=True)
class FigureView:
    """An image checked to lie inside the council folder; `src` is its file URL."""

    src: str
    alt: str
    caption: str | None


@dataclass(frozen=True)
class SectionView:
    number: int
    title: str
    body: str | None
    paragraphs: list[str]
    recommendations: list[Recommendation]
    figures: list[FigureView]
    extra: dict


@dataclass(frozen=True)
class PaperView:
    """One paper, merged and resolved: the context its templates are rendered with."""

    id: str
    council_slug: str
    council_folder: Path
    council: Council
    paper: Paper
    committee: Committee
    authorised_by: Officer | None
    lead_officers: list[Officer]
    contact: Officer | None
    authors: list[Officer]
    review: Reference | None
    logo: FigureView | None
    sections: list[SectionView]
    appendices: list[AppendixView]
    source_files: tuple[Path, ...]

    @property
    def stem(self) -> str:
        """File name without extension: `<meeting-date>-<committee>-<paper>`."""
        return f"{self.paper.meeting.date.isoformat()}-{self.committee.id}-{self.id}"


@dataclass
class _Merger:
    records: CouncilRecords
    references: dict[str, Loaded[Reference]]
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def problem(self, loaded: Loaded, message: str, path: tuple, *, warn: bool = False) -> None:
        self.diagnostics.append(loaded.source.diagnostic(message, path, warn=warn))

    # -- lookups that report what they cannot find --

    def officer(self, loaded: Loaded, officer_id: str | None, path: tuple) -> Officer | None:
        if officer_id is None:
            return None
        officers = {o.id: o for o in self.records.council.model.officers}
        if officer_id not in officers:
            self.problem(loaded, f"no officer '{officer_id}' in council.yaml{did_you_mean(officer_id, officers)}; "
                         f"officers: {one_of(officers)}", path)
            return None
        return officers[officer_id]

    def reference(self, loaded: Loaded, ref_id: str, path: tuple) -> Reference | None:
        if ref_id not in self.references:
            self.problem(loaded, f"no review '{ref_id}' in councils/_reference/{did_you_mean(ref_id, self.references)}; "
                         f"reviews: {one_of(self.references)}", path)
            return None
        return self.references[ref_id].model

    def recommendation(self, loaded: Loaded, reference: Reference, rec_id: str, path: tuple) -> Recommendation | None:
        known = {r.id: r for r in reference.recommendations}
        if rec_id not in known:
            self.problem(loaded, f"no recommendation '{rec_id}' in the review '{reference.short_title}'"
                         f"{did_you_mean(rec_id, known)}; expected one of {_id_range(reference)}", path)
            return None
        return known[rec_id]

    # -- the merge --

    def check_progress(self, loaded: Loaded[Progress], used: bool) -> Reference | None:
        progress = loaded.model
        reference = self.reference(loaded, progress.reference, ("reference",))
        if reference is None:
            return None
        for rec_id, entry in progress.entries.items():
            self.recommendation(loaded, reference, rec_id, ("entries", rec_id))
            self.officer(loaded, entry.lead_officer, ("entries", rec_id, "lead_officer"))
        missing = [r.id for r in reference.recommendations if r.id not in progress.entries]
        if missing and used:
            self.problem(loaded, f"no progress given for recommendation{'s' if len(missing) > 1 else ''} "
                         f"{', '.join(missing)}; the appendix will say 'No update given'", ("entries",), warn=True)
        return reference

    def paper(self, loaded: Loaded[Paper], checked_progress: dict[str, Reference | None]) -> PaperView | None:
        paper = loaded.model
        before = len([d for d in self.diagnostics if d.is_error])
        council = self.records.council.model
        committees = {c.id: c for c in council.committees}
        committee = committees.get(paper.meeting.committee)
        if committee is None:
            self.problem(loaded, f"no committee '{paper.meeting.committee}' in council.yaml"
                         f"{did_you_mean(paper.meeting.committee, committees)}; committees: {one_of(committees)}",
                         ("meeting", "committee"))
        if paper.prepared is not None and abs((paper.prepared - paper.meeting.date).days) > PREPARED_WITHIN_DAYS:
            when = "after" if paper.prepared > paper.meeting.date else "before"
            self.problem(loaded, f"the paper is dated {paper.prepared.isoformat()}, more than a year {when} its "
                         f"meeting on {paper.meeting.date.isoformat()}; check the year (this date is printed on "
                         "the paper and is the PDF's date)", ("prepared",), warn=True)
        review = self.reference(loaded, paper.review, ("review",)) if paper.review else None
        sections = [self.section(loaded, review, i, s) for i, s in enumerate(paper.sections)]
        appendices = [self.appendix(loaded, i, a, checked_progress) for i, a in enumerate(paper.appendices)]
        view = PaperView(
            id=loaded.name,
            council_slug=self.records.slug,
            council_folder=self.records.folder,
            council=council,
            paper=paper,
            committee=committee,
            authorised_by=self.officer(loaded, paper.authorised_by, ("authorised_by",)),
            lead_officers=[self.officer(loaded, o, ("lead_officers", i)) for i, o in enumerate(paper.lead_officers)],
            contact=self.officer(loaded, paper.contact, ("contact",)),
            authors=[self.officer(loaded, o, ("authors", i)) for i, o in enumerate(paper.authors)],
            review=review,
            logo=self.image(self.records.council, council.logo, ("logo",)) if council.logo else None,
            sections=sections,
            appendices=appendices,
            source_files=self.sources(loaded),
        )
        if len([d for d in self.diagnostics if d.is_error]) > before:
            return None
        return view

    def sources(self, loaded: Loaded[Paper]) -> tuple[Path, ...]:
        """Every record file this paper is built from, for change detection."""
        paper = loaded.model
        files = [self.records.council.source.file, loaded.source.file]
        review_ids = {paper.review} if paper.review else set()
        for appendix in paper.appendices:
            if isinstance(appendix, ProgressAppendix) and appendix.progress in self.records.progress:
                record = self.records.progress[appendix.progress]
                files.append(record.source.file)
                review_ids.add(record.model.reference)
            elif isinstance(appendix, RecommendationsAppendix):
                review_ids.add(appendix.reference)
        files += [self.references[r].source.file for r in sorted(review_ids) if r in self.references]
        folder = self.records.folder
        images = [f.file for s in paper.sections for f in s.figures]
        if self.records.council.model.logo:
            images.append(self.records.council.model.logo.file)
        files += [(folder / image).resolve() for image in images]
        return tuple(dict.fromkeys(files))

    def section(self, loaded: Loaded[Paper], review: Reference | None, index: int, section: Section) -> SectionView:
        quoted = []
        if section.recommendations and review is None:
            self.problem(loaded, "this section quotes recommendations but the paper names no `review:`",
                         ("sections", index, "recommendations"))
        elif review is not None:
            for i, rec_id in enumerate(section.recommendations):
                rec = self.recommendation(loaded, review, rec_id, ("sections", index, "recommendations", i))
                if rec is not None:
                    quoted.append(rec)
        if not section.body and not section.paragraphs and not section.figures:
            self.problem(loaded, "section has neither `body` nor `paragraphs`", ("sections", index), warn=True)
        figures = [self.image(loaded, f, ("sections", index, "figures", i, "file"))
                   for i, f in enumerate(section.figures)]
        return SectionView(index + 1, section.title, section.body, section.paragraphs, quoted,
                           [f for f in figures if f is not None], section.extra)

    def image(self, loaded: Loaded, image: Image, path: tuple) -> FigureView | None:
        """The image's file, refused unless it really lies inside the council folder (symlinks included)."""
        target = Roots([self.records.folder]).find(self.records.folder / image.file)
        if target is None:
            self.problem(loaded, f"'{image.file}' leads outside the council folder (a link?); "
                         "copy the image into the council folder", path)
            return None
        if not target.is_file():
            self.problem(loaded, f"no image file '{image.file}' in {self.records.folder.name}/", path)
            return None
        return FigureView(target.as_uri(), image.alt, image.caption)

    def appendix(self, loaded: Loaded[Paper], index: int, appendix, checked_progress) -> AppendixView:
        number = index + 1
        path = ("appendices", index)
        if isinstance(appendix, ProgressAppendix):
            record = self.records.progress.get(appendix.progress)
            if record is None:
                self.problem(loaded, f"no progress record '{appendix.progress}' in progress/"
                             f"{did_you_mean(appendix.progress, self.records.progress)}; "
                             f"records: {one_of(self.records.progress)}", path + ("progress",))
                return AppendixView(number, appendix.type, appendix.title, appendix)
            reference = checked_progress.get(appendix.progress)
            if reference is None:
                return AppendixView(number, appendix.type, appendix.title, appendix)
            return AppendixView(
                number, appendix.type, appendix.title, appendix, reference=reference, progress=record.model,
                rows=self.rows(reference, record.model),
            )
        if isinstance(appendix, RecommendationsAppendix):
            reference = self.reference(loaded, appendix.reference, path + ("reference",))
            themes = _themes(reference) if reference else []
            return AppendixView(number, appendix.type, appendix.title, appendix, reference=reference, themes=themes)
        assert isinstance(appendix, (ListAppendix, TextAppendix))
        return AppendixView(number, appendix.type, appendix.title, appendix)

    def rows(self, reference: Reference, progress: Progress) -> list[ProgressRow]:
        officers = {o.id: o for o in self.records.council.model.officers}
        rows = []
        for rec in reference.recommendations:
            entry = progress.entries.get(rec.id)
            lead = officers.get(entry.lead_officer) if entry and entry.lead_officer else None
            rows.append(ProgressRow(rec, rec.government_response, entry, lead))
        return rows


def _themes(reference: Reference) -> list[ThemeGroup]:
    return [
        ThemeGroup(theme, [r for r in reference.recommendations if r.theme == theme.id])
        for theme in reference.themes
    ]


def _id_range(reference: Reference) -> str:
    ids = [r.id for r in reference.recommendations]
    return f"{ids[0]} to {ids[-1]}" if len(ids) > 2 else one_of(ids)


def check_reference(loaded: Loaded[Reference]) -> list[Diagnostic]:
    """Problems inside one reference file: unknown themes, repeated ids."""
    reference = loaded.model
    problems = []
    themes = {t.id for t in reference.themes}
    seen: set[str] = set()
    for i, rec in enumerate(reference.recommendations):
        if rec.theme not in themes:
            problems.append(loaded.source.diagnostic(
                f"no theme '{rec.theme}'{did_you_mean(rec.theme, themes)}; themes: {one_of(themes)}",
                ("recommendations", i, "theme")))
        if rec.id in seen:
            problems.append(loaded.source.diagnostic(f"recommendation id '{rec.id}' is used twice",
                                                     ("recommendations", i, "id")))
        seen.add(rec.id)
    return problems


def merge_council(
    records: CouncilRecords, references: dict[str, Loaded[Reference]]
) -> tuple[list[PaperView], list[Diagnostic]]:
    """Every paper of a council, merged; papers with errors are left out and reported."""
    merger = _Merger(records, references)
    _check_ids(merger, records.council)
    used = {a.progress for p in records.papers.values() for a in p.model.appendices if isinstance(a, ProgressAppendix)}
    checked_progress = {name: merger.check_progress(p, name in used) for name, p in records.progress.items()}
    papers = []
    for loaded in records.papers.values():
        view = merger.paper(loaded, checked_progress)
        if view is not None:
            papers.append(view)
    return papers, merger.diagnostics


def _check_ids(merger: _Merger, loaded: Loaded[Council]) -> None:
    for field_name in ("committees", "officers"):
        seen: set[str] = set()
        for i, item in enumerate(getattr(loaded.model, field_name)):
            if item.id in seen:
                merger.problem(loaded, f"id '{item.id}' is used twice in {field_name}", (field_name, i, "id"))
            seen.add(item.id)
