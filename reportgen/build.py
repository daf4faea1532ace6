"""The build pipeline: gather and check everything, then render and write.

    read records -> validate -> merge with reference data -> resolve style
      -> render HTML -> PDF -> write atomically

A batch checks every council before it renders any. A council with an input
error is not built at all; one council's failure never stops the others.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from .errors import BuildError, Diagnostic, InputError, did_you_mean, error, one_of
from .merge import PaperView, check_reference, merge_council
from .output import build_lock, describe_write_error, remove_stale_temporaries, write_atomic
from .project import Project
from .records import read_council, read_references
from .render import render_html
from .styles import Style, resolve_style


@dataclass(frozen=True)
class CouncilInputs:
    slug: str
    style: Style
    papers: list[PaperView]


@dataclass
class Inputs:
    """Everything read and checked for a run, before anything is rendered."""

    councils: dict[str, CouncilInputs] = field(default_factory=dict)
    failed: list[str] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.is_error]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if not d.is_error]

    def papers(self) -> list[tuple[CouncilInputs, PaperView]]:
        return [(c, p) for c in self.councils.values() for p in c.papers]


def gather(project: Project, names: list[str] | None = None, *, strict: bool = False) -> Inputs:
    """Read, validate and merge the councils named (all when none are)."""
    slugs = project.select(names)
    inputs = Inputs()
    references, problems = read_references(project)
    inputs.diagnostics += problems
    for loaded in references.values():
        inputs.diagnostics += check_reference(loaded)
    reference_failed = any(d.is_error for d in inputs.diagnostics)
    for slug in slugs:
        council_problems: list[Diagnostic] = []
        records, problems = read_council(project, slug)
        council_problems += problems
        if records is not None:
            try:
                style = resolve_style(project, records)
            except InputError as exc:
                council_problems += exc.diagnostics
            else:
                papers, problems = merge_council(records, references)
                council_problems += problems
                if not records.papers and not any(d.is_error for d in council_problems):
                    council_problems.append(records.council.source.diagnostic(
                        "this council has no papers yet: add one under papers/", warn=True))
                if not any(d.is_error for d in council_problems):
                    inputs.councils[slug] = CouncilInputs(slug, style, papers)
        inputs.diagnostics += council_problems
        bad = reference_failed or any(d.is_error or strict for d in council_problems)
        if bad:
            inputs.councils.pop(slug, None)
            inputs.failed.append(slug)
    return inputs


@dataclass(frozen=True)
class PaperOutcome:
    council: str
    paper: str
    status: str  # "written", "unchanged" or "failed"
    files: tuple[Path, ...] = ()
    message: str = ""
    pages: int = 0
    warnings: tuple[str, ...] = ()


@dataclass
class BuildReport:
    inputs: Inputs
    outcomes: list[PaperOutcome] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.inputs.errors and not self.inputs.failed and all(o.status != "failed" for o in self.outcomes)

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)


def select_paper(inputs: Inputs, paper_id: str) -> None:
    """Keep only the paper named; an unknown id is an InputError."""
    known = sorted({p.id for _, p in inputs.papers()})
    if paper_id not in known and not inputs.failed:
        raise InputError([error(f"no paper '{paper_id}'{did_you_mean(paper_id, known)}; papers: {one_of(known)}")])
    for council in inputs.councils.values():
        council.papers[:] = [p for p in council.papers if p.id == paper_id]


def build(
    project: Project,
    names: list[str] | None = None,
    *,
    out_dir: Path,
    paper_id: str | None = None,
    strict: bool = False,
) -> BuildReport:
    started = time.perf_counter()
    inputs = gather(project, names, strict=strict)
    if paper_id is not None:
        select_paper(inputs, paper_id)
    report = BuildReport(inputs)
    out_dir = Path(out_dir)
    with build_lock(out_dir):
        remove_stale_temporaries(out_dir)
        for council, view in inputs.papers():
            report.outcomes.append(build_paper(project, council, view, out_dir, strict=strict))
    report.seconds = time.perf_counter() - started
    return report


def build_paper(project: Project, council: CouncilInputs, view: PaperView, out_dir: Path, *,
                strict: bool = False) -> PaperOutcome:
    """Render and write one paper; a failure is reported, never raised."""
    from .pdf import render_pdf  # imported here so that validate and --help never load WeasyPrint
    from .pdfcheck import check_pdf
    from .pdfrepair import repair

    target = out_dir / council.slug / f"{view.stem}.pdf"
    try:
        html = render_html(view, council.style)
        prepared = view.paper.prepared or view.paper.meeting.date
        rendered = render_pdf(
            html,
            base_url=view.council_folder,
            allowed_roots=[*council.style.asset_roots, view.council_folder],
            date_epoch=_epoch(prepared),
        )
        if strict and rendered.warnings:
            raise BuildError("WeasyPrint warned (--strict): " + "; ".join(rendered.warnings))
        pdf, _ = repair(rendered.pdf)
        try:
            changed = write_atomic(target, pdf)
        except OSError as exc:  # disk full, no permission: the old paper is intact, say so clearly
            raise BuildError(describe_write_error(target, exc)) from None
    except BuildError as exc:
        return PaperOutcome(council.slug, view.id, "failed", message=str(exc))
    return PaperOutcome(
        council.slug, view.id, "written" if changed else "unchanged", (target,),
        pages=rendered.pages, warnings=tuple(rendered.warnings),
    )


def _epoch(day) -> int:
    import calendar

    return calendar.timegm(day.timetuple())
