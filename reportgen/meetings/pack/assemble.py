"""Building the agenda pack: its papers (one incremental build), the front sheet, the merge, page numbers, gate, write.

    plan (plan.py) -> the meeting's papers through one `build(only=...)` over the plan's gathered inputs
      -> front sheet (sheet.py) -> merged (pdf/concat.py): one tagged tree, bookmarks per item
      -> "Pack page N" on every page (pdf/stamp.py) -> the machine-check gate -> written atomically

An attachment that goes in untagged (it was untagged, or beyond repair) makes
the pack fail the checks; the gate is then run on the pack without such
attachments, so every other problem still stops the pack.

A meeting with exempt items gets two packs, written together: the public
one (the papers' public versions, exempt attachments left out and listed as
withheld; through the leak check) and the exempt one under exempt/ (every
item complete, the exempt "Part B" items last, "NOT FOR PUBLICATION" on
every page), which is never published.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import time
from dataclasses import dataclass, field
from pathlib import Path

import pikepdf

from reportgen.errors import BuildError, Diagnostic
from reportgen.inputs.project import Project
from reportgen.inputs.register import Register
from reportgen.merge.bilingual import by_record
from reportgen.meetings.pack.plan import PackPlan, plan_pack
from reportgen.meetings.pack.sheet import Placed, front_sheet, ordered
from reportgen.pdf.concat import Bookmark, Source, concat
from reportgen.pdf.stamp import Mark, page_sizes, stamp
from reportgen.pipeline.output import build_lock, describe_write_error, write_atomic, write_together
from reportgen.pipeline.produce import require_pass
from reportgen.render.catalogue import AGENDA_BOOKMARK, ITEM_BOOKMARK
from reportgen.pipeline.render import EXEMPT_FOLDER, exempt_marks

STAMP_FONT = Path("base/fonts/LiberationSans-Regular.ttf")  # under templates/
MM = 72 / 25.4
PAGE_NUMBER_TOP, PAGE_NUMBER_RIGHT, PAGE_NUMBER_RIGHT_LANDSCAPE = 16 * MM, 20 * MM, 15 * MM
PAGE_NUMBER_SIZE = 9.0


@dataclass
class PackReport:
    """What `build_pack` did."""

    target: Path
    status: str  # "written" or "unchanged"
    pages: int
    papers: list[str] = field(default_factory=list)  # "<paper id>: written|unchanged"
    attachments: int = 0
    diagnostics: list[Diagnostic] = field(default_factory=list)
    findings: list[str] = field(default_factory=list)  # machine-check findings accepted (untagged attachments)
    intake: list[str] = field(default_factory=list)  # per attachment: what was removed, repaired, how it went in
    seconds: float = 0.0
    plan: PackPlan | None = None  # what it holds
    exempt_target: Path | None = None  # the exempt pack, when the meeting has exempt items
    exempt_pages: int = 0


@dataclass(frozen=True)
class _Part:
    """A paper or attachment in the pack, after the front sheet."""

    placed: Placed
    data: bytes
    tagged: bool = True
    marked: bool = False  # already "NOT FOR PUBLICATION" on every page (a paper's exempt version)


def build_pack(project: Project, slug: str, date: dt.date, committee: str | None = None, *,
               out_dir: Path, strict: bool = False, supplement: bool = False) -> PackReport:
    """Build (or leave unchanged) the agenda pack of one meeting, or its next supplement; InputError or
    BuildError on failure. A pack that was published is never overwritten."""
    started = time.perf_counter()
    plan = plan_pack(project, slug, date, committee, strict=strict, supplement=supplement)
    out_dir = Path(out_dir)
    report = PackReport(plan.target(out_dir), "unchanged", 0, diagnostics=list(plan.diagnostics),
                        intake=intake_lines(plan), plan=plan)
    papers, exempt_papers = _build_papers(plan, out_dir, strict, report)
    version = "public" if plan.has_exempt else "full"
    parts = _parts(plan, papers, {}, version)
    front = front_sheet(plan, [p.placed for p in parts], strict=strict, version=version)
    pack, pages = assemble(plan, front, parts)
    untagged = [p for p in parts if not p.tagged]
    gate_pdf = pack if not untagged else assemble(plan, front, [p for p in parts if p.tagged])[0]

    require_pass(gate_pdf, what="the agenda pack", kept="the last good pack (if any)")
    files = [(report.target, pack)]
    if plan.has_exempt:
        _no_leak(plan, pack)
        exempt_pack, report.exempt_pages = _exempt_pack(plan, papers, exempt_papers, strict)
        report.exempt_target = plan.exempt_target(out_dir)
        files.append((report.exempt_target, exempt_pack))
    if untagged:
        from reportgen.pdf.gate import check_pdf

        report.findings = [f"[{f.rule}] {f.message}" for f in check_pdf(pack).findings]
    with build_lock(out_dir):
        try:
            if plan.published is not None and hashlib.sha256(pack).hexdigest() != plan.published.sha256:
                copy = Register(plan.calendar.folder).copy_of(plan.published)
                if copy.is_file():  # what went out stays in the output folder
                    write_atomic(report.target, copy.read_bytes())
                raise BuildError(_published_pack_changed(plan))
            changed = write_together(files)[0]
        except OSError as exc:
            raise BuildError(describe_write_error(report.target, exc)) from None
    report.status = "written" if changed else "unchanged"
    report.pages = pages
    report.attachments = sum(len(i.attachments) for i in plan.items)
    report.seconds = time.perf_counter() - started
    return report


def _published_pack_changed(plan: PackPlan) -> str:
    meeting = plan.meeting
    return (
        f"the {plan.what} of {meeting.committee.id} on {meeting.date} was published on "
        f"{plan.published.published_on} and would now be different, so the published one was kept. A paper "
        f"or attachment added since goes out in a supplement, with `late_reason:` on its item: reportgen pack "
        f"{plan.calendar.slug} --meeting {meeting.date} --supplement. A paper changed since is issued as a "
        f"revision of its own (`revisions:` in the paper)")


def intake_lines(plan: PackPlan) -> list[str]:
    """One line per attachment: how it went in, what was repaired, what active content was removed."""
    lines = []
    for item in plan.items:
        for attachment in item.attachments:
            intake = attachment.intake
            line = f"{plan.calendar.slug}/{attachment.file}: {intake.outcome}"
            if intake.repairs:
                line += f" ({'; '.join(intake.repairs)})"
            if intake.removed:
                line += f"; removed {', '.join(intake.removed)}"
            lines.append(line)
    return lines


def _no_leak(plan: PackPlan, pack: bytes) -> None:
    """The public pack through the leak check: its papers' exempt parts, its exempt attachments' titles and pages."""
    from reportgen.pdf.leak import page_fingerprints, require_no_leak

    pages = {f: a.title for item in plan.items for a in item.attachments if a.exempt
             for f in page_fingerprints(a.intake.data)}
    require_no_leak(tuple(w for item in plan.items for w in item.paper_withheld + item.withheld),
                    what=f"the public {plan.what}", pdf=pack, exempt_pages=pages)


def _exempt_pack(plan: PackPlan, papers: dict[str, bytes], exempt_papers: dict[str, bytes],
                 strict: bool) -> tuple[bytes, int]:
    """The members' pack: every item complete, exempt items last, NOT FOR PUBLICATION on every page."""
    parts = _parts(plan, papers, exempt_papers, "exempt")
    front = front_sheet(plan, [p.placed for p in parts], strict=strict, version="exempt")
    pack, pages = assemble(plan, front, parts, marking=True)
    require_pass(pack if all(p.tagged for p in parts) else assemble(
        plan, front, [p for p in parts if p.tagged], marking=True)[0],
        what="the exempt agenda pack", kept="the last good pack (if any)")
    return pack, pages


def _build_papers(plan: PackPlan, out_dir: Path, strict: bool,
                  report: PackReport) -> tuple[dict[str, bytes], dict[str, bytes]]:
    """The meeting's papers, built (only when changed) in one run from the plan's inputs; their public PDFs,
    and the exempt versions of those with exempt parts."""
    from reportgen.pipeline.build import build

    slug = plan.calendar.slug
    if not plan.paper_ids:
        return {}, {}
    # A bilingual council's paper goes into the pack in its first language (by_record).
    council = plan.inputs.councils.get(slug)
    views = by_record(council.papers) if council else {}
    ids = {p: views[p].id if p in views else p for p in plan.paper_ids}
    records = {paper: record for record, paper in ids.items()}
    built = build(plan.project, [slug], out_dir=out_dir, strict=strict, only={slug: set(ids.values())},
                  inputs=plan.inputs)
    outcomes, exempt = {}, {}
    for o in built.outcomes:  # a paper's public PDF, and its exempt version apart
        record = records.get(o.paper, o.paper)
        in_exempt = any(f.parent.name == EXEMPT_FOLDER and f.parent.parent.name == slug for f in o.files)
        if in_exempt and o.status != "failed":
            exempt[record] = o.files[0].read_bytes()
        else:
            outcomes[record] = o
    papers, failures = {}, []
    for item in plan.items:
        if item.paper is None or item.paper in papers:
            continue
        outcome = outcomes.get(item.paper)
        if outcome is None or outcome.status == "failed":
            reason = outcome.message if outcome else "; ".join(str(d) for d in built.inputs.errors)
            failures.append(f"paper '{item.paper}' (item {item.number}) could not be built, so neither could "
                            f"the pack: {reason}")
            continue
        pdf_file = next(f for f in outcome.files if f.suffix == ".pdf")
        papers[item.paper] = pdf_file.read_bytes()
        report.papers.append(f"{item.paper}: {outcome.status}")
    if failures:
        raise BuildError("; ".join(failures))
    return papers, exempt


def _parts(plan: PackPlan, papers: dict[str, bytes], exempt: dict[str, bytes], version: str) -> list[_Part]:
    """The pack's papers and attachments in order: the public pack without exempt attachments; the exempt pack
    with the papers' exempt versions, every attachment, and the exempt items last."""
    def count(data: bytes) -> int:
        with pikepdf.open(io.BytesIO(data)) as pdf:
            return len(pdf.pages)

    parts = []
    for index, item in ordered(plan, version):
        if item.paper is not None:
            data = exempt.get(item.paper, papers[item.paper])
            parts.append(_Part(Placed(index, "paper", item.paper_title or item.title, count(data)), data,
                               marked=item.paper in exempt))
        for attachment in item.attachments:
            if attachment.exempt and version == "public":
                continue
            intake = attachment.intake
            parts.append(_Part(Placed(index, "attachment", attachment.title, intake.pages), intake.data,
                               intake.tagged))
    return parts


def assemble(plan: PackPlan, front: bytes, parts: list[_Part], marking: bool = False) -> tuple[bytes, int]:
    """The pack PDF (front sheet, then `parts`, bookmarked per item, pack page numbers stamped) and its pages;
    with `marking`, "NOT FOR PUBLICATION" on every page not marked already."""
    words = plan.words
    sources = [Source(front, words.gettext(AGENDA_BOOKMARK))] + [Source(p.data, p.placed.title, p.tagged) for p in parts]
    outline: list[Bookmark | int] = [0]  # the front sheet's own bookmarks first
    for index, item in ordered(plan, "exempt" if marking else "public"):
        numbers = [n for n, part in enumerate(parts, 1) if part.placed.item == index]
        if not numbers:
            continue
        children = tuple(n if parts[n - 1].placed.kind == "paper" else Bookmark(parts[n - 1].placed.title, n, (n,))
                         for n in numbers)
        outline.append(Bookmark(words.gettext(ITEM_BOOKMARK) % {"number": item.number, "title": item.title},
                                numbers[0], children))
    merged = concat(sources, outline)
    marks = [Mark(page, plan.page_label(page + 1),
                  x=width - (PAGE_NUMBER_RIGHT_LANDSCAPE if width > height else PAGE_NUMBER_RIGHT),
                  y=PAGE_NUMBER_TOP, size=PAGE_NUMBER_SIZE, align="right", kind="Header")
             for page, (width, height) in enumerate(page_sizes(merged.pdf))]
    if marking:
        marks += _marking(plan, front, parts, page_sizes(merged.pdf))
    return stamp(merged.pdf, marks, plan.project.templates_dir / STAMP_FONT), merged.pages


def _marking(plan: PackPlan, front: bytes, parts: list[_Part], sizes: list[tuple[float, float]]) -> list[Mark]:
    """"NOT FOR PUBLICATION" on the front sheet's pages and every part's not already marked."""
    with pikepdf.open(io.BytesIO(front)) as pdf:
        page, unmarked = len(pdf.pages), list(range(len(pdf.pages)))
    for part in parts:
        if not part.marked:
            unmarked += range(page, page + part.placed.pages)
        page += part.placed.pages
    return exempt_marks(plan.style, plan.calendar.council, [(n, sizes[n]) for n in unmarked])
