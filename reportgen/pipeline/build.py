"""The build pipeline: plan what changed, render it in worker processes, write it atomically, record it.

    gather (reportgen.pipeline.gather) -> put back published files -> plan against the
      manifest -> render each paper in a worker (reportgen.pipeline.render, within the limits of
      reportgen.pipeline.workers) -> write a paper's formats together -> record them

A batch checks every council before it renders any. A council with an input
error is not built at all; one paper's failure never stops the others.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from reportgen import confine
from reportgen.errors import BuildError, display_path
from reportgen.pipeline import workers
from reportgen.pipeline.gathered import CouncilInputs, Inputs
from reportgen.merge import PaperView
from reportgen.inputs.register import read_register
from reportgen.pipeline.manifest import LISTING, Entry, Manifest, file_hash, folder_files, input_name, inputs_hash
from reportgen.pipeline.published import (
    changes_since, output_target, produced_names, refusal, relative_inputs, restore_published, stale_outputs,
)
from reportgen.pipeline.output import build_lock, describe_write_error, remove_stale_temporaries, write_together
from reportgen.pipeline.produce import RECORDED, strict_failure
from reportgen.pipeline.render import EXEMPT, EXEMPT_FOLDER, Job, Output, Rendered, exempt_target, render_paper
from reportgen.inputs.project import Project
from reportgen.inputs.records import yaml_files

if TYPE_CHECKING:  # reading and checking load only when a council has to be read (not for a no-op build)
    from reportgen.inputs.styles import Style


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
    notices: list[str] = field(default_factory=list)  # e.g. the build record was not trusted and was set aside

    @property
    def ok(self) -> bool:
        return not self.inputs.errors and not self.inputs.failed and all(o.status != "failed" for o in self.outcomes)

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)


def style_inputs(style: Style, root: Path, hashed: dict[Path, dict[str, str]]) -> dict[str, str]:
    """Hashes of every file of the style's layers, and of each layer's file list (to see files added);
    `hashed` keeps each layer's for the next council of the batch that uses it."""
    found: dict[str, str] = {}
    for layer in style.layers:
        if layer.folder not in hashed:
            hashed[layer.folder] = {input_name(root, f"{LISTING}{layer.folder}"): file_hash(f"{LISTING}{layer.folder}"),
                                    **{input_name(root, path): file_hash(path) for path in folder_files(layer.folder)}}
        found.update(hashed[layer.folder])
    return found


def paper_inputs(view: PaperView, shared: dict[str, str], root: Path) -> dict[str, str]:
    """Every file one paper is built from (named relative to the project), with its hash: its records, then
    its style's files (`shared`). The manifest records this list, and `reportgen preview` watches it."""
    return {**{input_name(root, p): file_hash(p) for p in view.source_files}, **shared}


def plan(inputs: Inputs, root: Path, out_dir: Path, formats: tuple[str, ...], strict: bool = False) -> list[Job]:
    """One job per paper, with an output for every format asked for, and its exempt version when it has one."""
    jobs = []
    hashed: dict[Path, dict[str, str]] = {}  # councils share their style's layers: each is listed once
    for council in inputs.councils.values():
        shared = style_inputs(council.style, root, hashed)
        own = f"{council.register.folder.relative_to(root).as_posix()}/"  # the council's own records
        for view in council.papers:
            files = paper_inputs(view, shared, root)
            outputs = []
            for fmt in formats:
                target = output_target(council.register, out_dir, council.slug, view, fmt)
                changes = changes_since(target.published, relative_inputs(root, files), own) if target.published else []
                outputs.append(Output(fmt, target.path, inputs_hash(files, fmt), target.published, tuple(changes)))
            if view.public is not None:  # members only: never beside the public files, never published
                path = exempt_target(output_target(council.register, out_dir, council.slug, view, "pdf").path)
                outputs.append(Output(EXEMPT, path, inputs_hash(files, EXEMPT)))
            jobs.append(Job(council, view, tuple(outputs), files, strict))
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
    with build_lock(out_dir), Manifest(out_dir, project.root) as manifest:
        remove_stale_temporaries(out_dir)
        report = BuildReport(Inputs(), notices=manifest.notices)
        slugs = project.select(names)
        if not (force or strict or paper_id or only or prune or inputs is not None):
            # Councils whose every paper is recorded as current need no reading at all.
            for slug in list(slugs):
                current = _current_outcomes(project, slug, manifest, formats, out_dir)
                if current is not None:
                    report.outcomes += current
                    slugs.remove(slug)
        if slugs or inputs is not None:
            workers.warm_up()  # something is likely to be rendered
        if inputs is None and slugs:
            from reportgen.pipeline.gather import gather

            inputs = gather(project, slugs, strict=strict)
        if inputs is None:  # every council named was current
            inputs = Inputs()
        report.inputs = inputs
        restored: dict[Path, PaperOutcome] = {}
        for council in inputs.councils.values():
            for item in restore_published(council.register, out_dir, council.slug):
                status = "failed" if item.problem else "restored"
                restored[item.path] = PaperOutcome(council.slug, item.paper, status, (item.path,), item.problem)
            if prune:
                report.pruned += _prune(council, out_dir, manifest)
        if paper_id is not None:
            from reportgen.pipeline.gather import select_paper

            select_paper(inputs, paper_id)
        if only is not None:  # a new Inputs: the caller's stays as it was
            inputs = replace(inputs, councils={
                slug: replace(council, papers=[p for p in council.papers if p.id in only.get(slug, ())])
                for slug, council in inputs.councils.items()})
        todo = []
        for job in plan(inputs, project.root, out_dir, formats, strict):
            if job.view.public is None and manifest.get(job.council.slug, job.view.id, EXEMPT) is not None:
                manifest.forget(job.council.slug, job.view.id, EXEMPT)  # nothing exempt any more (--prune: the file)
            skipped: dict[str, PaperOutcome] = {}
            for output in job.outputs:
                entry = manifest.get(job.council.slug, job.view.id, output.fmt)
                if output.keep:
                    entry = Entry(output.target, output.inputs_hash, job.inputs, output.published.sha256)
                    manifest.record(job.council.slug, job.view.id, output.fmt, entry)
                elif force or not manifest.is_current(entry, output.inputs_hash):
                    continue
                skipped[output.fmt] = restored.pop(output.target, None) or _skipped(job, output, entry)
            report.outcomes += skipped.values()
            stale = tuple(o for o in job.outputs if o.fmt not in skipped)
            if stale and not (job.strict and any(o.message.startswith(RECORDED) for o in skipped.values())):
                todo.append(replace(job, outputs=stale))
        # Older published versions, and papers not in this build, go first: after the (stable) sort
        # below, a paper's last outcome is then always its current file's, which the agenda pack uses.
        report.outcomes[:0] = restored.values()
        done, total = len(report.outcomes), len(report.outcomes) + sum(len(job.outputs) for job in todo)
        for job, result in workers.run(render_paper, todo, _workers(jobs, len(todo))):
            outcomes = finish(job, result, manifest)
            for outcome in outcomes:  # a failed paper is one outcome for all its formats
                done += len(job.outputs) // len(outcomes)
                report.outcomes.append(outcome)
                if on_outcome:
                    on_outcome(outcome, done, total)
    report.outcomes.sort(key=lambda o: (o.council, o.paper))
    report.seconds = time.perf_counter() - started
    return report


def _prune(council: CouncilInputs, out_dir: Path, manifest: Manifest) -> list[Path]:
    """Remove the council's outputs that no paper produces any more, and what the manifest says of them."""
    removed = []
    keep = produced_names(council.register, council.papers)
    exempt = {exempt_target(Path(name)).name for view in council.papers if view.public is not None  # its names
              for name in produced_names(council.register, [view]) if name.endswith(".pdf")}
    for path in stale_outputs(out_dir / council.slug, keep) + stale_outputs(
            out_dir / council.slug / EXEMPT_FOLDER, exempt):
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
    exempt = [(p, EXEMPT) for p in papers if (p, EXEMPT) in entries]  # their exempt versions, to be in place too
    if not all(manifest.still_current(entries[key], key[1]) for key in [(p, f) for p in papers for f in formats]
               + exempt):
        return None
    register, _ = read_register(project.council_dir(slug))
    if register is None or any(file_hash(out_dir / slug / e.file) != e.sha256 for e in register.files_in_force()):
        return None
    return [PaperOutcome(slug, p, "unchanged", (entries[(p, f)].output,), warnings=entries[(p, f)].warnings)
            for p in sorted(papers) for f in formats + ((EXEMPT,) if (p, EXEMPT) in entries else ())]


def _skipped(job: Job, output: Output, entry: Entry) -> PaperOutcome:
    """A paper that need not be rendered again; under --strict, still failed by the warnings it was built with."""
    slug, paper = job.council.slug, job.view.id
    if job.strict and entry.warnings:
        return PaperOutcome(slug, paper, "failed", message=strict_failure(entry.warnings, who=RECORDED))
    return PaperOutcome(slug, paper, "unchanged", (output.target,), warnings=entry.warnings)


def _workers(jobs: int | None, papers: int) -> int:
    return max(1, min(jobs or os.cpu_count() or 1, papers))


def finish(job: Job, result: Rendered | workers.Failure, manifest: Manifest) -> list[PaperOutcome]:
    """Write a rendered paper's files together (or none of them) and record them; its outcomes.

    The build calls it for each paper its workers render, and `reportgen preview` for each it renders.
    """
    slug, paper = job.council.slug, job.view.id
    if isinstance(result, workers.Failure) or result.failure is not None:
        return [PaperOutcome(slug, paper, "failed", message=result.message if isinstance(result, workers.Failure)
                             else result.failure, rendered=True)]
    try:
        for output in job.outputs:
            _check_inside(output.target, manifest.out_dir)
            if output.published is not None and hashlib.sha256(result.data[output.fmt]).hexdigest() \
                    != output.published.sha256:
                raise BuildError(refusal(job.view, output.published, list(output.changes), dt.date.today()))
        changed = write_together([(o.target, result.data[o.fmt]) for o in job.outputs])
    except BuildError as exc:
        return [PaperOutcome(slug, paper, "failed", message=str(exc), rendered=True)]
    except OSError as exc:  # disk full, permissions: the old files are still in place
        target = Path(exc.filename) if exc.filename else job.outputs[0].target
        return [PaperOutcome(slug, paper, "failed", message=describe_write_error(target, exc), rendered=True)]
    outcomes = []
    for output, written in zip(job.outputs, changed):
        warnings = {"pdf": result.warnings, EXEMPT: result.exempt_warnings}.get(output.fmt, ())
        manifest.record(slug, paper, output.fmt, Entry(output.target, output.inputs_hash, job.inputs,
                                                       file_hash(output.target), warnings))
        outcomes.append(PaperOutcome(slug, paper, "written" if written else "unchanged", (output.target,),
                                     pages={"pdf": result.pages, EXEMPT: result.exempt_pages}.get(output.fmt, 0),
                                     warnings=warnings,
                                     rendered=True))
    return outcomes


def _check_inside(target: Path, out_dir: Path) -> None:
    """A BuildError when a link (a council's folder in output/) would take the file out of the output folder."""
    elsewhere = confine.leads_out(target.parent, out_dir)
    if elsewhere is not None:
        raise BuildError(f"{display_path(target.parent)} leads to {elsewhere}, outside the output folder (a "
                         f"symbolic link?), so nothing was written there; remove it and build again")
