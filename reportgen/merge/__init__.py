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
    ChangesBlock, Committee, Council, GroupedRows, Image, ListAppendix, MatrixBody, Officer, Paper, Progress,
    ProgressAppendix, Recommendation, RecommendationsAppendix, Reference, Section, SummaryBlock, TextAppendix, Theme,
)
from reportgen.inputs.exempt import Exempt
from reportgen.inputs.records import CouncilRecords, Loaded
from reportgen.merge.blocks import BlockView, block_view, record_names
from reportgen.merge.exempt import Withheld, appendix_texts, nation_problems, section_texts, withheld
from reportgen.merge.placeholders import placeholder_warnings
from reportgen.merge.public import with_public
from reportgen.merge.rows import ProgressRow, RowGroup, is_overdue, progress_rows, themed

PREPARED_WITHIN_DAYS = 366  # a paper dated further from its meeting than this is probably a typo


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
    groups: list[RowGroup] = field(default_factory=list)
    block: BlockView | None = None
    withheld: Withheld | None = None  # public version: the exempt appendix left out (type `withheld`)


@dataclass(frozen=True)
class BodyView:
    """The paper's main content built from a progress record; `type` picks the template `body/<type>.html`."""

    type: str
    record: MatrixBody
    reference: Reference
    progress: Progress
    parts: list[str]
    groups: list[RowGroup]
    rows: list[ProgressRow]


@dataclass(frozen=True)
class FigureView:
    """An image checked to lie inside the council folder; `src` is its file URL."""

    src: str
    alt: str
    caption: str | None
    exempt: Exempt | None = None
    withheld: Withheld | None = None  # public version: the exempt figure left out (no src, no alt)


@dataclass(frozen=True)
class SectionView:
    number: int
    title: str
    body: str | None
    paragraphs: list[str]
    recommendations: list[Recommendation]
    figures: list[FigureView]
    extra: dict
    blocks: list[BlockView] = field(default_factory=list)
    exempt: Exempt | None = None
    withheld: Withheld | None = None  # public version: the exempt section left out (no title, no text)


@dataclass(frozen=True)
class PaperView:
    """One paper, merged and resolved: the context its templates are rendered with."""

    id: str
    council_slug: str
    council_folder: Path
    council: Council
    paper: Paper
    committee: Committee | None
    authorised_by: Officer | None
    lead_officers: list[Officer]
    contact: Officer | None
    authors: list[Officer]
    review: Reference | None
    logo: FigureView | None
    sections: list[SectionView]
    body: BodyView | None
    appendices: list[AppendixView]
    source_files: tuple[Path, ...]
    withheld: tuple[Withheld, ...] = ()  # in the public view: every exempt part left out
    public: PaperView | None = None  # a paper with exempt parts: its public view (this one is the full one)
    version: str = "full"  # "full" (no exempt parts, or the exempt version) or "public"

    @property
    def stem(self) -> str:
        """File name without extension: `<meeting-date>-<committee>-<paper>`, or `<prepared>-<paper>`."""
        if self.paper.meeting is None:
            return f"{self.paper.issue_date.isoformat()}-{self.id}"
        return f"{self.paper.meeting.date.isoformat()}-{self.committee.id}-{self.id}"


@dataclass
class _Merger:
    records: CouncilRecords
    references: dict[str, Loaded[Reference]]
    diagnostics: list[Diagnostic] = field(default_factory=list)
    public: bool = False  # merging the public view: exempt parts withheld
    withheld: list[Withheld] = field(default_factory=list)  # the paper's, as the merge leaves them out

    @property
    def nation(self) -> str:
        return self.records.council.model.nation.value

    def withhold(self, kind: str, number: object, exempt: Exempt, texts=(), images=()) -> Withheld:
        notice = withheld(kind, number, exempt, self.nation, texts, images)
        self.withheld.append(notice)
        return notice

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

    def check_progress(self, loaded: Loaded[Progress], uses: list[GroupedRows]) -> Reference | None:
        """Check a record against its review; `uses` are the appendices and bodies that print it."""
        progress = loaded.model
        for message, path in nation_problems(progress, self.nation):
            self.problem(loaded, message, path)
        reference = self.reference(loaded, progress.reference, ("reference",))
        if reference is None:
            return None
        for rec_id, entry in progress.entries.items():
            self.recommendation(loaded, reference, rec_id, ("entries", rec_id))
            field_name = "lead_officer" if entry.lead_officer else "lead_officers"
            for i, officer_id in enumerate(entry.leads):
                self.officer(loaded, officer_id, ("entries", rec_id, field_name) + ((i,) if entry.lead_officers else ()))
        printed = {r for use in uses for r in _printed_ids(reference, use)}
        missing = [r.id for r in reference.recommendations if r.id in printed and r.id not in progress.entries]
        if missing:
            self.problem(loaded, f"no progress given for recommendation{'s' if len(missing) > 1 else ''} "
                         f"{', '.join(missing)}; the paper will say 'No update given' (or list "
                         f"{'them' if len(missing) > 1 else 'it'} under the paper's `omit:`)", ("entries",), warn=True)
        for rec_id, entry in progress.entries.items():
            if rec_id in printed and is_overdue(entry, progress.as_at):
                self.problem(loaded, f"the target date {entry.target_date} had passed by the record's as_at "
                             f"{progress.as_at} and the status is '{entry.status.value}': the paper marks it "
                             f"overdue; give the new target date, or the status it has now",
                             ("entries", rec_id, "target_date"), warn=True)
        return reference

    def check_record_date(self, loaded: Loaded[Paper], name: str, path: tuple) -> None:
        """Warn when a progress record is dated after the paper's meeting (or date), or before the previous meeting."""
        as_at = self.records.progress[name].model.as_at
        paper = loaded.model
        if paper.meeting is None:
            if as_at > paper.issue_date:
                self.problem(loaded, f"progress record '{name}' is as at {as_at}, after the paper's date "
                             f"(`prepared`) {paper.issue_date}; correct one of them", path, warn=True)
            return
        meeting = paper.meeting
        if as_at > meeting.date:
            self.problem(loaded, f"progress record '{name}' is as at {as_at}, after the meeting on {meeting.date} "
                         f"it goes to; correct `as_at` in progress/{name}.yaml or the meeting date", path, warn=True)
        previous = self.records.meeting_dates(meeting.committee, before=meeting.date)
        if previous and as_at < previous[-1]:
            self.problem(loaded, f"progress record '{name}' is as at {as_at}, older than the previous meeting of "
                         f"'{meeting.committee}' on {previous[-1]}, so the committee would see nothing newer than "
                         f"it saw then; point the paper at a newer record, or bring this one up to date",
                         path, warn=True)

    def find_record(self, loaded: Loaded[Paper], name: str, path: tuple) -> Loaded[Progress] | None:
        """The progress record `name`, or None and an error saying which records there are."""
        record = self.records.progress.get(name)
        if record is None:
            self.problem(loaded, f"no progress record '{name}' in progress/{did_you_mean(name, self.records.progress)}"
                         f"; records: {one_of(self.records.progress)}", path)
        return record

    def progress_record(self, loaded: Loaded[Paper], use: GroupedRows, path: tuple,
                        checked_progress: dict[str, Reference | None]):
        """(reference, record, groups, rows) for an appendix or body, or None when the record cannot be used."""
        record = self.find_record(loaded, use.progress, path + ("progress",))
        if record is None:
            return None
        reference = checked_progress.get(use.progress)
        if reference is None:
            return None
        self.check_record_date(loaded, use.progress, path + ("progress",))
        officers = {o.id: o for o in self.records.council.model.officers}
        rows = progress_rows(reference, record.model, officers, self.nation if self.public else None)
        groups = self.groups(loaded, reference, rows, use, path)
        printed = [r for g in groups for r in g.rows]
        self.withheld += [r.withheld for r in printed if r.withheld and r.withheld not in self.withheld]
        return reference, record.model, groups, printed

    def groups(self, loaded: Loaded[Paper], reference: Reference, rows: list[ProgressRow], use: GroupedRows,
               path: tuple) -> list[RowGroup]:
        """The rows in print order: the paper's groups, checked, or the review's themes; `omit` left out."""
        omitted = {rec_id for i, rec_id in enumerate(use.omit)
                   if self.recommendation(loaded, reference, rec_id, path + ("omit", i))}
        if not use.groups:
            return themed(reference, [r for r in rows if r.recommendation.id not in omitted])
        by_id = {r.recommendation.id: r for r in rows}
        placed: dict[str, int] = {}
        groups = []
        for g, group in enumerate(use.groups):
            chosen = []
            for i, rec_id in enumerate(group.recommendations):
                at = path + ("groups", g, "recommendations", i)
                if self.recommendation(loaded, reference, rec_id, at) is None:
                    continue
                if rec_id in placed:
                    self.problem(loaded, f"'{rec_id}' is already in group {placed[rec_id] + 1} "
                                 f"('{use.groups[placed[rec_id]].title}'); list each recommendation once", at)
                elif rec_id in omitted:
                    self.problem(loaded, f"'{rec_id}' is also listed under `omit:`; remove it from one of them", at)
                else:
                    placed[rec_id] = g
                    chosen.append(by_id[rec_id])
            groups.append(RowGroup(group.title, chosen))
        left = [r.recommendation.id for r in rows if r.recommendation.id not in placed and r.recommendation.id not in omitted]
        if left:
            self.problem(loaded, f"{', '.join(left)} {'are' if len(left) > 1 else 'is'} in no group, so the paper "
                         f"leaves {'them' if len(left) > 1 else 'it'} out; add {'them' if len(left) > 1 else 'it'} "
                         f"to a group, or list {'them' if len(left) > 1 else 'it'} under `omit:`",
                         path + ("groups",), warn=True)
        return groups

    def body(self, loaded: Loaded[Paper], checked_progress: dict[str, Reference | None]) -> BodyView | None:
        body = loaded.model.body
        if body is None:
            return None
        found = self.progress_record(loaded, body, ("body",), checked_progress)
        if found is None:
            return None
        reference, progress, groups, rows = found
        return BodyView(body.type, body, reference, progress, [p.value for p in body.parts], groups, rows)

    def paper(self, loaded: Loaded[Paper], checked_progress: dict[str, Reference | None]) -> PaperView | None:
        paper = loaded.model
        before = len([d for d in self.diagnostics if d.is_error])
        self.withheld = []
        for message, path in nation_problems(paper, self.nation):
            self.problem(loaded, message, path)
        council = self.records.council.model
        committees = {c.id: c for c in council.committees}
        committee = committees.get(paper.meeting.committee) if paper.meeting else None
        if paper.meeting and committee is None:
            self.problem(loaded, f"no committee '{paper.meeting.committee}' in council.yaml"
                         f"{did_you_mean(paper.meeting.committee, committees)}; committees: {one_of(committees)}",
                         ("meeting", "committee"))
        if paper.meeting and paper.prepared and abs((paper.prepared - paper.meeting.date).days) > PREPARED_WITHIN_DAYS:
            when = "after" if paper.prepared > paper.meeting.date else "before"
            self.problem(loaded, f"the paper is dated {paper.prepared.isoformat()}, more than a year {when} its "
                         f"meeting on {paper.meeting.date.isoformat()}; check the year (this date is printed on "
                         "the paper and is the PDF's date)", ("prepared",), warn=True)
        review = self.reference(loaded, paper.review, ("review",)) if paper.review else None
        sections = [self.section(loaded, review, i, s, checked_progress) for i, s in enumerate(paper.sections)]
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
            body=self.body(loaded, checked_progress),
            appendices=appendices,
            source_files=self.sources(loaded),
            withheld=tuple(self.withheld),
            version="public" if self.public else "full",
        )
        if len([d for d in self.diagnostics if d.is_error]) > before:
            return None
        return view

    def sources(self, loaded: Loaded[Paper]) -> tuple[Path, ...]:
        """Every record file this paper is built from, for change detection."""
        paper = loaded.model
        files = [self.records.council.source.file, loaded.source.file]
        review_ids = {paper.review} if paper.review else set()
        for name in [use.progress for use in _record_uses(paper)] + record_names(paper):
            if name in self.records.progress:
                record = self.records.progress[name]
                files.append(record.source.file)
                review_ids.add(record.model.reference)
        review_ids |= {a.reference for a in paper.appendices if isinstance(a, RecommendationsAppendix)}
        files += [self.references[r].source.file for r in sorted(review_ids) if r in self.references]
        folder = self.records.folder
        images = [f.file for s in paper.sections for f in s.figures]
        if self.records.council.model.logo:
            images.append(self.records.council.model.logo.file)
        files += [(folder / image).resolve() for image in images]
        return tuple(dict.fromkeys(files))

    def section(self, loaded: Loaded[Paper], review: Reference | None, index: int, section: Section,
                checked_progress: dict[str, Reference | None]) -> SectionView:
        if self.public and section.exempt:
            images = [(self.records.folder / f.file).resolve() for f in section.figures]
            notice = self.withhold("section", index + 1, section.exempt, section_texts(section), images)
            return SectionView(index + 1, "", None, [], [], [], {}, withheld=notice)
        quoted = []
        if section.recommendations and review is None:
            self.problem(loaded, "this section quotes recommendations but the paper names no `review:`",
                         ("sections", index, "recommendations"))
        elif review is not None:
            for i, rec_id in enumerate(section.recommendations):
                rec = self.recommendation(loaded, review, rec_id, ("sections", index, "recommendations", i))
                if rec is not None:
                    quoted.append(rec)
        if not section.body and not section.paragraphs and not section.figures and not section.blocks:
            self.problem(loaded, "section has neither `body` nor `paragraphs`", ("sections", index), warn=True)
        figures = [self.figure(loaded, index, i, f) for i, f in enumerate(section.figures)]
        blocks = [block_view(self, loaded, b, ("sections", index, "blocks", i), checked_progress)
                  for i, b in enumerate(section.blocks)]
        return SectionView(index + 1, section.title, section.body, section.paragraphs, quoted,
                           [f for f in figures if f is not None], section.extra, [b for b in blocks if b],
                           exempt=section.exempt)

    def figure(self, loaded: Loaded[Paper], section: int, index: int, image: Image) -> FigureView | None:
        """A section's figure; in the public view, an exempt one is only its notice."""
        if self.public and image.exempt:
            notice = self.withhold("figure", section + 1, image.exempt, (image.alt, image.caption),
                                   [(self.records.folder / image.file).resolve()])
            return FigureView("", "", None, withheld=notice)
        found = self.image(loaded, image, ("sections", section, "figures", index, "file"))
        return FigureView(found.src, found.alt, found.caption, exempt=image.exempt) if found else None

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
        if self.public and getattr(appendix, "exempt", None):
            notice = self.withhold("appendix", number, appendix.exempt, appendix_texts(appendix))
            return AppendixView(number, "withheld", "", None, withheld=notice)
        if isinstance(appendix, ProgressAppendix):
            found = self.progress_record(loaded, appendix, path, checked_progress)
            if found is None:
                return AppendixView(number, appendix.type, appendix.title, appendix)
            reference, progress, groups, rows = found
            return AppendixView(number, appendix.type, appendix.title, appendix, reference=reference,
                                progress=progress, rows=rows, groups=groups)
        if isinstance(appendix, RecommendationsAppendix):
            reference = self.reference(loaded, appendix.reference, path + ("reference",))
            themes = _themes(reference) if reference else []
            return AppendixView(number, appendix.type, appendix.title, appendix, reference=reference, themes=themes)
        if isinstance(appendix, (ChangesBlock, SummaryBlock)):
            block = block_view(self, loaded, appendix, path, checked_progress)
            return AppendixView(number, appendix.type, appendix.title, appendix, block=block,
                                reference=block.reference if block else None)
        assert isinstance(appendix, (ListAppendix, TextAppendix))
        return AppendixView(number, appendix.type, appendix.title, appendix)


def _themes(reference: Reference) -> list[ThemeGroup]:
    return [
        ThemeGroup(theme, [r for r in reference.recommendations if r.theme == theme.id])
        for theme in reference.themes
    ]


def _record_uses(paper: Paper) -> list[GroupedRows]:
    """The paper's progress appendices and matrix body: everything that prints a progress record."""
    return [a for a in paper.appendices if isinstance(a, ProgressAppendix)] + ([paper.body] if paper.body else [])


def _printed_ids(reference: Reference, use: GroupedRows) -> list[str]:
    if use.groups:
        return [rec_id for group in use.groups for rec_id in group.recommendations]
    return [r.id for r in reference.recommendations if r.id not in use.omit]


def _id_range(reference: Reference) -> str:
    ids = [r.id for r in reference.recommendations]
    return f"{ids[0]} to {ids[-1]}" if len(ids) > 2 else one_of(ids)


def check_reference(loaded: Loaded[Reference]) -> list[Diagnostic]:
    """Problems inside one reference file: unknown themes, repeated ids, updates out of date order."""
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
        dates = [u.date for u in rec.government_response.updates]
        if dates != sorted(dates):
            problems.append(loaded.source.diagnostic(
                "the updates are not in date order; list them oldest first, as papers print them",
                ("recommendations", i, "government_response", "updates"), warn=True))
    return problems


def merge_council(
    records: CouncilRecords, references: dict[str, Loaded[Reference]]
) -> tuple[list[PaperView], list[Diagnostic]]:
    """Every paper of a council, merged; papers with errors are left out and reported."""
    merger = _Merger(records, references)
    _check_ids(merger, records.council)
    for loaded in [records.council, *records.papers.values(), *records.progress.values()]:
        merger.diagnostics += placeholder_warnings(loaded)
    uses: dict[str, list[GroupedRows]] = {}
    for paper in records.papers.values():
        for use in _record_uses(paper.model):
            uses.setdefault(use.progress, []).append(use)
    checked_progress = {name: merger.check_progress(p, uses.get(name, [])) for name, p in records.progress.items()}
    papers = []
    for loaded in records.papers.values():
        view = merger.paper(loaded, checked_progress)
        if view is not None:
            printed = [records.progress[n].model for n in [u.progress for u in _record_uses(loaded.model)]
                       + record_names(loaded.model) if n in records.progress]
            papers.append(with_public(view, loaded.model, printed, lambda: _Merger(  # noqa: B023 - called at once
                records, references, public=True).paper(loaded, checked_progress)))
    return papers, merger.diagnostics



def _check_ids(merger: _Merger, loaded: Loaded[Council]) -> None:
    for field_name in ("committees", "officers"):
        seen: set[str] = set()
        for i, item in enumerate(getattr(loaded.model, field_name)):
            if item.id in seen:
                merger.problem(loaded, f"id '{item.id}' is used twice in {field_name}", (field_name, i, "id"))
            seen.add(item.id)
