"""The build pipeline: plan what changed, render it in worker processes, write it atomically, record it.

    gather (reportgen.pipeline.gather) -> plan against the manifest -> render each paper in a worker
      (reportgen.pipeline.render, within the limits of reportgen.pipeline.workers) -> write its formats
      together -> record them

A batch checks every council before it renders any. A council with an input
error is not built at all; one paper's failure never stops the others.
"""

from __future__ import annotations

import hashlib
import os
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable

from reportgen import confine
from reportgen.errors import BuildError, display_path
from reportgen.pipeline import workers
from reportgen.pipeline.gather import Inputs, gather, select_paper
from reportgen.merge import PaperView
from reportgen.pipeline.manifest import LISTING, Entry, Manifest, Publication, file_hash, folder_files, inputs_hash
from reportgen.pipeline.output import build_lock, describe_write_error, remove_stale_temporaries, write_together
from reportgen.pipeline.produce import strict_failure
from reportgen.pipeline.render import Job, Output, Rendered, render_paper
from reportgen.inputs.project import Project
from reportgen.inputs.records import yaml_files
from reportgen.inputs.styles import Style


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
    notices: list[str] = field(default_factory=list)  # e.g. the build record was not trusted and was set aside

    @property
    def ok(self) -> bool:
        return not self.inputs.errors and not self.inputs.failed and all(o.status != "failed" for o in self.outcomes)

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)


def style_inputs(style: Style) -> list[str]:
    """Every file of the style's layers, and each layer's file list (to see files added)."""
    found = []
    for layer in style.layers:
        found.append(f"{LISTING}{layer.folder}")
        found += [str(path) for path in folder_files(layer.folder)]
    return found


def plan(inputs: Inputs, out_dir: Path, formats: tuple[str, ...], manifest: Manifest,
         strict: bool = False) -> list[Job]:
    """One job per paper, for every format asked for; inputs named as the manifest records them."""
    jobs = []
    for council in inputs.councils.values():
        shared = {manifest.name_of(path): file_hash(path) for path in style_inputs(council.style)}
        for view in council.papers:
            files = {**{manifest.name_of(p): file_hash(p) for p in view.source_files}, **shared}
            outputs = []
            for fmt in formats:
                target, published = output_target(manifest, out_dir, council.slug, view, fmt)
                outputs.append(Output(fmt, target, inputs_hash(files, fmt), published))
            jobs.append(Job(council, view, tuple(outputs), files, strict))
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
    with build_lock(out_dir), Manifest(out_dir, project.root) as manifest:
        remove_stale_temporaries(out_dir)
        unchanged: list[PaperOutcome] = []
        slugs = project.select(names)
        if not (force or strict or paper_id or only or inputs is not None):
            # Councils whose every paper is recorded as current need no reading at all.
            fresh = [s for s in slugs if _council_is_current(project, s, manifest, formats)]
            for slug in fresh:
                for (paper, _), entry in sorted(manifest.entries(slug).items()):
                    if _fmt_of(entry) in formats:
                        unchanged.append(PaperOutcome(slug, paper, "unchanged", (entry.output,),
                                                      warnings=entry.warnings))
            slugs = [s for s in slugs if s not in fresh]
        if inputs is None:
            inputs = gather(project, slugs, strict=strict) if slugs else Inputs()
        if paper_id is not None:
            select_paper(inputs, paper_id)
        if only is not None:  # a new Inputs: the caller's stays as it was
            inputs = replace(inputs, councils={
                slug: replace(council, papers=[p for p in council.papers if p.id in only.get(slug, ())])
                for slug, council in inputs.councils.items()})
        report = BuildReport(inputs, outcomes=unchanged, notices=manifest.notices)
        todo = []
        for job in plan(inputs, out_dir, formats, manifest, strict):
            current = {o.fmt: _entry(manifest, job, o) for o in job.outputs
                       if not force and manifest.is_current(_entry(manifest, job, o), o.inputs_hash)}
            skipped = [_skipped(job, o, current[o.fmt]) for o in job.outputs if o.fmt in current]
            report.outcomes += skipped
            stale = tuple(o for o in job.outputs if o.fmt not in current)
            if stale and not any(outcome.status == "failed" for outcome in skipped):
                todo.append(replace(job, outputs=stale))
        done, total = len(report.outcomes), len(report.outcomes) + sum(len(job.outputs) for job in todo)
        for job, result in workers.run(render_paper, todo, _workers(jobs, len(todo))):
            outcomes = _finish(job, result, manifest)
            for outcome in outcomes:  # a failed paper is one outcome for all its formats
                done += len(job.outputs) // len(outcomes)
                report.outcomes.append(outcome)
                if on_outcome:
                    on_outcome(outcome, done, total)
    report.outcomes.sort(key=lambda o: (o.council, o.paper))
    report.seconds = time.perf_counter() - started
    return report


def _entry(manifest: Manifest, job: Job, output: Output) -> Entry | None:
    return manifest.get(job.council.slug, job.view.id, output.fmt)


def _skipped(job: Job, output: Output, entry: Entry) -> PaperOutcome:
    """A paper that need not be rendered again; under --strict, still failed by the warnings it was built with."""
    slug, paper = job.council.slug, job.view.id
    if job.strict and entry.warnings:
        return PaperOutcome(slug, paper, "failed", message=strict_failure(entry.warnings))
    return PaperOutcome(slug, paper, "unchanged", (output.target,), warnings=entry.warnings)


def _workers(jobs: int | None, papers: int) -> int:
    return max(1, min(jobs or os.cpu_count() or 1, papers))


def _finish(job: Job, result: Rendered | workers.Failure, manifest: Manifest) -> list[PaperOutcome]:
    """Write a rendered paper's files together (or none of them) and record them; its outcomes."""
    slug, paper = job.council.slug, job.view.id
    if isinstance(result, workers.Failure) or result.failure is not None:
        return [PaperOutcome(slug, paper, "failed", message=result.message if isinstance(result, workers.Failure)
                             else result.failure, rendered=True)]
    try:
        for output in job.outputs:
            _check_inside(output.target, manifest.out_dir)
            _check_not_published(job, output, result.data[output.fmt])
        changed = write_together([(o.target, result.data[o.fmt]) for o in job.outputs])
    except BuildError as exc:
        return [PaperOutcome(slug, paper, "failed", message=str(exc), rendered=True)]
    except OSError as exc:  # disk full, permissions: the old files are still in place
        target = Path(exc.filename) if exc.filename else job.outputs[0].target
        return [PaperOutcome(slug, paper, "failed", message=describe_write_error(target, exc), rendered=True)]
    outcomes = []
    for output, written in zip(job.outputs, changed):
        warnings = result.warnings if output.fmt == "pdf" else ()
        manifest.record(slug, paper, output.fmt, Entry(output.target, output.inputs_hash, job.inputs,
                                                       file_hash(output.target), warnings))
        outcomes.append(PaperOutcome(slug, paper, "written" if written else "unchanged", (output.target,),
                                     pages=result.pages if output.fmt == "pdf" else 0, warnings=warnings,
                                     rendered=True))
    return outcomes


def _check_inside(target: Path, out_dir: Path) -> None:
    """A BuildError when a link (a council's folder in output/) would take the file out of the output folder."""
    elsewhere = confine.leads_out(target.parent, out_dir)
    if elsewhere is not None:
        raise BuildError(f"{display_path(target.parent)} leads to {elsewhere}, outside the output folder (a "
                         f"symbolic link?), so nothing was written there; remove it and build again")


def _check_not_published(job: Job, output: Output, data: bytes) -> None:
    """A BuildError when writing `data` would change a published paper."""
    if output.published is not None and hashlib.sha256(data).hexdigest() != output.published.output_hash:
        paper_file = job.view.source_files[1] if len(job.view.source_files) > 1 else job.view.id
        raise BuildError(
            f"this paper was published on {output.published.published_on} and has changed since, so the published "
            f"version was kept as it was; to issue a revised version, add under `revisions:` in "
            f"{display_path(paper_file)} the date and a note of what changed"
        )


def _fmt_of(entry: Entry) -> str:
    return entry.output.suffix.lstrip(".")


def _council_is_current(project: Project, slug: str, manifest: Manifest, formats: tuple[str, ...]) -> bool:
    entries = manifest.entries(slug)
    papers = {p.stem for p in yaml_files(project.council_dir(slug) / "papers")}
    if not papers or {(p, f) for p in papers for f in formats} - set(entries):
        return False
    return all(manifest.still_current(entries[(p, f)], f) for p in papers for f in formats)
