"""The build pipeline: plan what changed, render it, write it atomically, record it.

    gather (reportgen.inputs.gather) -> plan against the manifest -> render HTML
      -> PDF (reportgen.pipeline.produce) -> write atomically

A batch checks every council before it renders any. A council with an input
error is not built at all; one council's failure never stops the others.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable

from reportgen.errors import BuildError, display_path
from reportgen.pipeline.gather import CouncilInputs, Inputs, gather, select_paper
from reportgen.merge import PaperView
from reportgen.pipeline.manifest import LISTING, Entry, Manifest, Publication, file_hash, folder_files, inputs_hash
from reportgen.pipeline.output import build_lock, describe_write_error, remove_stale_temporaries, write_atomic
from reportgen.inputs.project import Project
from reportgen.inputs.records import yaml_files
from reportgen.inputs.styles import Style
from reportgen.render.html import render_html


FORMATS = ("pdf", "html")


@dataclass(frozen=True)
class PaperOutcome:
    council: str
    paper: str
    status: str  # "written", "unchanged" or "failed"
    files: tuple[Path, ...] = ()
    message: str = ""
    pages: int = 0
    warnings: tuple[str, ...] = ()
    rendered: bool = False  # False when the manifest showed nothing had changed


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


@dataclass(frozen=True)
class Job:
    """One output to produce: a paper in one format, and what it is built from."""

    council: CouncilInputs
    view: PaperView
    fmt: str
    target: Path
    inputs: dict[str, str]
    inputs_hash: str
    strict: bool = False
    published: Publication | None = None  # set when the target is a published paper: never overwrite it


def style_inputs(style: Style) -> dict[str, str]:
    """Hashes of every file of the style's layers, and of each layer's file list (to see files added)."""
    found: dict[str, str] = {}
    for layer in style.layers:
        listing = f"{LISTING}{layer.folder}"
        found[listing] = file_hash(listing)
        for path in folder_files(layer.folder):
            found[str(path)] = file_hash(path)
    return found


def plan(inputs: Inputs, out_dir: Path, formats: tuple[str, ...], manifest: Manifest,
         strict: bool = False) -> list[Job]:
    jobs = []
    for council in inputs.councils.values():
        shared = style_inputs(council.style)
        for view in council.papers:
            files = {**{str(p): file_hash(p) for p in view.source_files}, **shared}
            for fmt in formats:
                target, published = output_target(manifest, out_dir, council.slug, view, fmt)
                jobs.append(Job(council, view, fmt, target, files, inputs_hash(files, fmt), strict, published))
    return jobs


def output_target(manifest: Manifest, out_dir: Path, slug: str, view: PaperView,
                  fmt: str) -> tuple[Path, Publication | None]:
    """Where a paper goes: its own name; once published, a new `-revN` file for each revision."""
    publication = manifest.published(slug, view.id, fmt)
    revisions = len(view.paper.revisions)
    if publication is None:
        return out_dir / slug / f"{view.stem}.{fmt}", None
    if revisions > publication.revision:
        return out_dir / slug / f"{view.stem}-rev{revisions}.{fmt}", None
    return publication.output, publication


def build(
    project: Project,
    names: list[str] | None = None,
    *,
    out_dir: Path,
    paper_id: str | None = None,
    strict: bool = False,
    formats: tuple[str, ...] = ("pdf",),
    force: bool = False,
    jobs: int | None = None,
    only: dict[str, set[str]] | None = None,
    inputs: Inputs | None = None,
    on_outcome: Callable[[PaperOutcome, int, int], None] | None = None,
) -> BuildReport:
    """Build the papers of the councils named (all when none are); only what changed unless `force`.

    `only` keeps the papers named per council; `inputs`, already gathered for these councils, saves
    reading and checking them again (the agenda pack gathers once for its plan and its papers).
    """
    started = time.perf_counter()
    out_dir = Path(out_dir)
    with build_lock(out_dir), Manifest(out_dir) as manifest:
        remove_stale_temporaries(out_dir)
        unchanged: list[PaperOutcome] = []
        slugs = project.select(names)
        if not (force or strict or paper_id or only or inputs is not None):
            # Councils whose every paper is recorded as current need no reading at all.
            fresh = [s for s in slugs if _council_is_current(project, s, manifest, formats)]
            for slug in fresh:
                for (paper, _), entry in sorted(manifest.entries(slug).items()):
                    if _fmt_of(entry) in formats:
                        unchanged.append(PaperOutcome(slug, paper, "unchanged", (entry.output,)))
            slugs = [s for s in slugs if s not in fresh]
        if inputs is None:
            inputs = gather(project, slugs, strict=strict) if slugs else Inputs()
        if paper_id is not None:
            select_paper(inputs, paper_id)
        if only is not None:  # a new Inputs: the caller's stays as it was
            inputs = replace(inputs, councils={
                slug: replace(council, papers=[p for p in council.papers if p.id in only.get(slug, ())])
                for slug, council in inputs.councils.items()})
        report = BuildReport(inputs, outcomes=unchanged)
        todo = []
        for job in plan(inputs, out_dir, formats, manifest, strict):
            entry = manifest.get(job.council.slug, job.view.id, job.fmt)
            if not force and manifest.is_current(entry, job.inputs_hash):
                report.outcomes.append(PaperOutcome(job.council.slug, job.view.id, "unchanged", (job.target,)))
            else:
                todo.append(job)
        total = len(report.outcomes) + len(todo)
        for outcome, job in _run(todo, jobs):
            if outcome.status != "failed":
                manifest.record(job.council.slug, job.view.id, job.fmt,
                                Entry(job.target, job.inputs_hash, job.inputs, file_hash(job.target)))
            report.outcomes.append(outcome)
            if on_outcome:
                on_outcome(outcome, len(report.outcomes), total)
    report.outcomes.sort(key=lambda o: (o.council, o.paper))
    report.seconds = time.perf_counter() - started
    return report


def _fmt_of(entry: Entry) -> str:
    return entry.output.suffix.lstrip(".")


def _council_is_current(project: Project, slug: str, manifest: Manifest, formats: tuple[str, ...]) -> bool:
    entries = manifest.entries(slug)
    papers = {p.stem for p in yaml_files(project.council_dir(slug) / "papers")}
    if not papers or {(p, f) for p in papers for f in formats} - set(entries):
        return False
    return all(manifest.still_current(entries[(p, f)], f) for p in papers for f in formats)


def _run(todo: list[Job], jobs: int | None):
    """Yield (outcome, job) as each finishes; several at once in worker processes when asked."""
    workers = min(jobs or os.cpu_count() or 1, len(todo))
    if workers <= 1:
        for job in todo:
            yield run_job(job), job
        return
    from reportgen.pdf import engine as pdf

    # Workers are forked from a fork server that has imported WeasyPrint but
    # never rendered: a process that has rendered holds Pango and fontconfig
    # threads and locks, and a child forked from it can deadlock.
    # The fork server and its workers inherit fontconfig's isolation from this
    # process's environment; the engine, imported first, sets it up for WeasyPrint.
    pdf.isolate_fontconfig()
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["reportgen.pdf.engine", "weasyprint", "reportgen.pipeline.build", "reportgen.pdf.repair", "reportgen.pdf.gate"])
    with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=pdf.preload) as pool:
        futures = {pool.submit(run_job, job): job for job in todo}
        for future in as_completed(futures):
            yield future.result(), futures[future]


def run_job(job: Job) -> PaperOutcome:
    """Produce one output; a failure is reported, never raised, and never replaces the last good file."""
    council, view = job.council, job.view
    try:
        if job.fmt == "html":
            from reportgen.render.htmltwin import render_standalone

            html = render_html(view, council.style, output_format="html")
            changed = _write(job, render_standalone(html, view, council.style).encode("utf-8"))
            return PaperOutcome(council.slug, view.id, "written" if changed else "unchanged", (job.target,),
                                rendered=True)
        return _build_pdf(job)
    except BuildError as exc:
        return PaperOutcome(council.slug, view.id, "failed", message=str(exc), rendered=True)
    except OSError as exc:  # disk full, permissions: the old file is still in place
        return PaperOutcome(council.slug, view.id, "failed", message=describe_write_error(job.target, exc))


def _write(job: Job, data: bytes) -> bool:
    """Write the output, unless that would change a published paper."""
    if job.published is not None and hashlib.sha256(data).hexdigest() != job.published.output_hash:
        paper_file = job.view.source_files[1] if len(job.view.source_files) > 1 else job.view.id
        raise BuildError(
            f"this paper was published on {job.published.published_on} and has changed since, so the published "
            f"version was kept as it was; to issue a revised version, add under `revisions:` in "
            f"{display_path(paper_file)} the date and a note of what changed"
        )
    return write_atomic(job.target, data)


def _build_pdf(job: Job) -> PaperOutcome:
    from reportgen.pipeline.produce import produce_pdf

    council, view = job.council, job.view
    produced = produce_pdf(
        render_html(view, council.style),
        base_url=view.council_folder,
        allowed_roots=[*council.style.asset_roots, view.council_folder],
        date=view.paper.prepared or view.paper.meeting.date,
        strict=job.strict,
    )
    changed = _write(job, produced.pdf)
    return PaperOutcome(
        council.slug, view.id, "written" if changed else "unchanged", (job.target,),
        pages=produced.pages, warnings=produced.warnings, rendered=True,
    )
