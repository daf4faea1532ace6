"""The build pipeline: plan what changed, render it, write it atomically, record it.

    gather (reportgen.pipeline.gather) -> put back published files -> plan against the
      manifest -> render HTML -> PDF (reportgen.pipeline.produce) -> write atomically

A batch checks every council before it renders any. A council with an input
error is not built at all; one council's failure never stops the others.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import multiprocessing
import os
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable

from reportgen.errors import BuildError
from reportgen.pipeline.gather import CouncilInputs, Inputs, gather, select_paper
from reportgen.merge import PaperView
from reportgen.inputs.register import PublishedFile, read_register
from reportgen.pipeline.manifest import LISTING, Entry, Manifest, file_hash, folder_files, inputs_hash
from reportgen.pipeline.published import (
    changes_since, output_target, produced_names, refusal, relative_inputs, restore_published, stale_outputs,
)
from reportgen.pipeline.output import build_lock, describe_write_error, remove_stale_temporaries, write_atomic
from reportgen.inputs.project import Project
from reportgen.inputs.records import yaml_files
from reportgen.inputs.styles import Style
from reportgen.render.html import render_html


@dataclass(frozen=True)
class PaperOutcome:
    council: str
    paper: str
    status: str  # "written", "unchanged", "restored" (a published file put back) or "failed"
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
    pruned: list[Path] = field(default_factory=list)  # outputs removed by `--prune`

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
    published: PublishedFile | None = None  # set when the target is a published paper: never overwrite it
    changes: tuple[str, ...] = ()  # the inputs changed since it was published

    @property
    def keep(self) -> bool:
        """The target is a published file and nothing it was built from has changed: it is the file."""
        return self.published is not None and not self.changes


def style_inputs(style: Style) -> dict[str, str]:
    """Hashes of every file of the style's layers, and of each layer's file list (to see files added)."""
    found: dict[str, str] = {}
    for layer in style.layers:
        listing = f"{LISTING}{layer.folder}"
        found[listing] = file_hash(listing)
        for path in folder_files(layer.folder):
            found[str(path)] = file_hash(path)
    return found


def paper_inputs(view: PaperView, shared: dict[str, str]) -> dict[str, str]:
    """Every file one paper is built from, with its hash: its records, then its style's files (`shared`)."""
    return {**{str(p): file_hash(p) for p in view.source_files}, **shared}


def plan(inputs: Inputs, root: Path, out_dir: Path, formats: tuple[str, ...], strict: bool = False) -> list[Job]:
    jobs = []
    for council in inputs.councils.values():
        shared = style_inputs(council.style)
        own = f"{council.register.folder.relative_to(root).as_posix()}/"  # the council's own records
        for view in council.papers:
            files = paper_inputs(view, shared)
            for fmt in formats:
                target = output_target(council.register, out_dir, council.slug, view, fmt)
                changes = changes_since(target.published, relative_inputs(root, files), own) if target.published else []
                jobs.append(Job(council, view, fmt, target.path, files, inputs_hash(files, fmt), strict,
                                target.published, tuple(changes)))
    return jobs


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
    prune: bool = False,
    inputs: Inputs | None = None,
    on_outcome: Callable[[PaperOutcome, int, int], None] | None = None,
) -> BuildReport:
    """Build the papers of the councils named (all when none are); only what changed unless `force`.

    Published files are put back first and never overwritten; `prune` removes
    outputs that no paper produces any more. `only` keeps the papers named per
    council; `inputs`, already gathered for these councils, saves reading and
    checking them again (the agenda pack gathers once for its plan and its papers).
    """
    started = time.perf_counter()
    out_dir = Path(out_dir)
    with build_lock(out_dir), Manifest(out_dir) as manifest:
        remove_stale_temporaries(out_dir)
        report = BuildReport(Inputs())
        slugs = project.select(names)
        if not (force or strict or paper_id or only or prune or inputs is not None):
            # Councils whose every paper is recorded as current need no reading at all.
            for slug in list(slugs):
                current = _current_outcomes(project, slug, manifest, formats, out_dir)
                if current is not None:
                    report.outcomes += current
                    slugs.remove(slug)
        if inputs is None:
            inputs = gather(project, slugs, strict=strict) if slugs else Inputs()
        report.inputs = inputs
        restored: dict[Path, PaperOutcome] = {}
        for council in inputs.councils.values():
            for item in restore_published(council.register, out_dir, council.slug):
                status = "failed" if item.problem else "restored"
                restored[item.path] = PaperOutcome(council.slug, item.paper, status, (item.path,), item.problem)
            if prune:
                report.pruned += _prune(council, out_dir, manifest)
        if paper_id is not None:
            select_paper(inputs, paper_id)
        if only is not None:  # a new Inputs: the caller's stays as it was
            inputs = replace(inputs, councils={
                slug: replace(council, papers=[p for p in council.papers if p.id in only.get(slug, ())])
                for slug, council in inputs.councils.items()})
        todo = []
        for job in plan(inputs, project.root, out_dir, formats, strict):
            entry = manifest.get(job.council.slug, job.view.id, job.fmt)
            if job.keep or (not force and manifest.is_current(entry, job.inputs_hash)):
                if job.keep:
                    manifest.record(job.council.slug, job.view.id, job.fmt,
                                    Entry(job.target, job.inputs_hash, job.inputs, job.published.sha256))
                report.outcomes.append(restored.pop(job.target, None)
                                       or PaperOutcome(job.council.slug, job.view.id, "unchanged", (job.target,)))
            else:
                todo.append(job)
        # Older published versions, and papers not in this build, go first: after the (stable) sort
        # below, a paper's last outcome is then always its current file's, which the agenda pack uses.
        report.outcomes[:0] = restored.values()
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


def _prune(council: CouncilInputs, out_dir: Path, manifest: Manifest) -> list[Path]:
    """Remove the council's outputs that no paper produces any more, and what the manifest says of them."""
    removed = []
    for path in stale_outputs(out_dir / council.slug, produced_names(council.register, council.papers)):
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
        removed.append(path)
    papers = {view.id for view in council.papers}
    for paper in {paper for paper, _ in manifest.entries(council.slug)} - papers:
        manifest.forget(council.slug, paper)
    return removed


def _current_outcomes(project: Project, slug: str, manifest: Manifest, formats: tuple[str, ...],
                      out_dir: Path) -> list[PaperOutcome] | None:
    """Each paper as "unchanged" when every one is recorded as current and every published file is in place."""
    entries = manifest.entries(slug)
    papers = {p.stem for p in yaml_files(project.council_dir(slug) / "papers")}
    if not papers or {(p, f) for p in papers for f in formats} - set(entries):
        return None
    if not all(manifest.still_current(entries[(p, f)], f) for p in papers for f in formats):
        return None
    register, _ = read_register(project.council_dir(slug))
    if register is None or any(file_hash(out_dir / slug / e.file) != e.sha256 for e in register.files_in_force()):
        return None
    return [PaperOutcome(slug, p, "unchanged", (entries[(p, f)].output,)) for p in sorted(papers) for f in formats]


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
    if job.published is not None and hashlib.sha256(data).hexdigest() != job.published.sha256:
        raise BuildError(refusal(job.view, job.published, list(job.changes), dt.date.today()))
    return write_atomic(job.target, data)


def _build_pdf(job: Job) -> PaperOutcome:
    from reportgen.pipeline.produce import produce_pdf

    council, view = job.council, job.view
    produced = produce_pdf(
        render_html(view, council.style),
        base_url=view.council_folder,
        allowed_roots=[*council.style.asset_roots, view.council_folder],
        date=view.paper.issue_date,
        strict=job.strict,
    )
    changed = _write(job, produced.pdf)
    return PaperOutcome(
        council.slug, view.id, "written" if changed else "unchanged", (job.target,),
        pages=produced.pages, warnings=produced.warnings, rendered=True,
    )
