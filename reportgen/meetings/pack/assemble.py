"""Building the agenda pack: its papers (one incremental build), the front sheet, the merge, page numbers, gate, write.

    plan (plan.py) -> the meeting's papers through one `build(only=...)` over the plan's gathered inputs
      -> front sheet (sheet.py) -> merged (pdf/concat.py): one tagged tree, bookmarks per item
      -> "Pack page N" on every page (pdf/stamp.py) -> the machine-check gate -> written atomically

An attachment that goes in untagged (it was untagged, or beyond repair) makes
the pack fail the checks; the gate is then run on the pack without such
attachments, so every other problem still stops the pack.
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
from reportgen.merge import by_record
from reportgen.meetings.pack.plan import PackPlan, plan_pack
from reportgen.meetings.pack.sheet import Placed, front_sheet
from reportgen.pdf.concat import Bookmark, Source, concat
from reportgen.pdf.stamp import Mark, page_sizes, stamp
from reportgen.pipeline.output import build_lock, describe_write_error, write_atomic
from reportgen.pipeline.produce import require_pass
from reportgen.render.catalogue import AGENDA_BOOKMARK, ITEM_BOOKMARK

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


@dataclass(frozen=True)
class _Part:
    """A paper or attachment in the pack, after the front sheet."""

    placed: Placed
    data: bytes
    tagged: bool = True


def build_pack(project: Project, slug: str, date: dt.date, committee: str | None = None, *,
               out_dir: Path, strict: bool = False, supplement: bool = False) -> PackReport:
    """Build (or leave unchanged) the agenda pack of one meeting, or its next supplement; InputError or
    BuildError on failure. A pack that was published is never overwritten."""
    started = time.perf_counter()
    plan = plan_pack(project, slug, date, committee, strict=strict, supplement=supplement)
    out_dir = Path(out_dir)
    report = PackReport(plan.target(out_dir), "unchanged", 0, diagnostics=list(plan.diagnostics),
                        intake=intake_lines(plan), plan=plan)
    papers = _build_papers(plan, out_dir, strict, report)
    parts = _parts(plan, papers)
    front = front_sheet(plan, [p.placed for p in parts], strict=strict)
    pack, pages = assemble(plan, front, parts)
    untagged = [p for p in parts if not p.tagged]
    gate_pdf = pack if not untagged else assemble(plan, front, [p for p in parts if p.tagged])[0]

    require_pass(gate_pdf, what="the agenda pack", kept="the last good pack (if any)")
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
            changed = write_atomic(report.target, pack)
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


def _build_papers(plan: PackPlan, out_dir: Path, strict: bool, report: PackReport) -> dict[str, bytes]:
    """The meeting's papers, built (only when changed) in one run from the plan's inputs; their PDFs."""
    from reportgen.pipeline.build import build

    slug = plan.calendar.slug
    if not plan.paper_ids:
        return {}
    # A bilingual council's paper goes into the pack in its first language (by_record).
    council = plan.inputs.councils.get(slug)
    views = by_record(council.papers) if council else {}
    ids = {p: views[p].id if p in views else p for p in plan.paper_ids}
    built = build(plan.project, [slug], out_dir=out_dir, strict=strict, only={slug: set(ids.values())},
                  inputs=plan.inputs)
    by_id = {o.paper: o for o in built.outcomes}
    outcomes = {record: by_id[paper] for record, paper in ids.items() if paper in by_id}
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
    return papers


def _parts(plan: PackPlan, papers: dict[str, bytes]) -> list[_Part]:
    def count(data: bytes) -> int:
        with pikepdf.open(io.BytesIO(data)) as pdf:
            return len(pdf.pages)

    parts = []
    for index, item in enumerate(plan.items):
        if item.paper is not None:
            data = papers[item.paper]
            parts.append(_Part(Placed(index, "paper", item.paper_title or item.title, count(data)), data))
        for attachment in item.attachments:
            intake = attachment.intake
            parts.append(_Part(Placed(index, "attachment", attachment.title, intake.pages), intake.data,
                               intake.tagged))
    return parts


def assemble(plan: PackPlan, front: bytes, parts: list[_Part]) -> tuple[bytes, int]:
    """The pack PDF (front sheet, then `parts`, bookmarked per item, pack page numbers stamped) and its pages."""
    words = plan.words
    sources = [Source(front, words.gettext(AGENDA_BOOKMARK))] + [Source(p.data, p.placed.title, p.tagged) for p in parts]
    outline: list[Bookmark | int] = [0]  # the front sheet's own bookmarks first
    for index, item in enumerate(plan.items):
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
    return stamp(merged.pdf, marks, plan.project.templates_dir / STAMP_FONT), merged.pages
