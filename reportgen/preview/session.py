"""A preview session: which papers a change touches, rebuilding them through the build library, the last good outputs.

    watched change -> papers whose recorded inputs it touches -> gather -> HTML twin (a thread)
      -> PDF (a process) -> the page is told by an event

Outputs go to the session's folder through the build's own jobs: written
atomically and recorded in that folder's manifest, never over a published
paper. A change that breaks something leaves the last good outputs in place
and shows its problems instead.
"""

from __future__ import annotations

import threading
import time
import traceback
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable

from reportgen.errors import display_path, ordered
from reportgen.inputs.project import Project
from reportgen.inputs.records import yaml_files
from reportgen.pipeline.build import finish, plan
from reportgen.pipeline.gather import Inputs, gather
from reportgen.pipeline.manifest import LISTING, Manifest
from reportgen.pipeline.render import Job, render_paper
from reportgen.preview.state import Dependencies, Events, PaperState, Problem
from reportgen.preview.watch import Watcher
from reportgen.preview.work import INTERNAL, Coalescing, PdfProcess

FORMATS = ("html", "pdf")


@dataclass(frozen=True)
class Notice:
    """What a render did, for the terminal: `what` is html, pdf, problems or pdf-problems."""

    paper: str
    what: str
    seconds: float = 0.0
    pages: int = 0
    lines: tuple[str, ...] = ()  # the problems, or the PDF's warnings


class Session:
    """One council's papers kept rendered while their files change; `paper` limits it to one."""

    def __init__(self, project: Project, slug: str, *, folder: Path, paper: str | None = None,
                 notify: Callable[[Notice], None] = lambda notice: None):
        self.project, self.slug, self.folder, self.only = project, slug, folder, paper
        self.council_folder = project.council_dir(slug)
        self.events = Events()
        self._notify = notify
        self._lock = threading.Lock()
        self.papers: dict[str, PaperState] = {pid: PaperState(pid) for pid in self._paper_ids()}
        self._changed: set[str] = set()
        self._forced: set[str] = set(self.papers)  # render these whatever changed: at the start, a page opened
        self._wanted_pdf: set[str] = set(self.papers) if paper else set()
        self._pdf_jobs: dict[str, Job] = {}
        self._closing = False
        self._pdf_process = PdfProcess()
        self.html = Coalescing(self._render_html, "preview-html", self._crashed)
        self.pdf = Coalescing(self._render_pdfs, "preview-pdf", self._crashed)
        self.html_renders = 0
        self._watcher = Watcher([self.council_folder, project.reference_dir, project.templates_dir],
                                self.changed, self._cannot_watch)
        self._watched = Dependencies.of({f"{LISTING}{folder}": "" for folder in self._watcher.folders}, LISTING,
                                        project.root)

    # --- what asks for a render ---------------------------------------------------------------------

    def start(self) -> None:
        self._pdf_process.prepare()
        self._watcher.start()
        self.html.ask()

    def changed(self, paths: set[str]) -> None:
        """Files changed on disk (the watcher's burst): the papers they touch are rendered again."""
        with self._lock:
            self._changed |= paths
        self.html.ask()

    def want_pdf(self, paper: str) -> None:
        """A page for the paper was opened: keep its PDF made too (the HTML alone is made for the others)."""
        with self._lock:
            if paper in self._wanted_pdf:
                return
            self._wanted_pdf.add(paper)
            self._forced.add(paper)
        self.html.ask()

    def idle(self, pdf: bool = True) -> bool:
        """Nothing waits to be rendered and nothing is being rendered (PDFs aside, unless `pdf`)."""
        with self._lock:
            waiting = bool(self._changed or self._forced or (pdf and self._pdf_jobs))
        return not waiting and self.html.idle() and (not pdf or self.pdf.idle())

    def close(self) -> None:
        self._closing = True
        self._watcher.stop()
        self.events.close()
        self.html.stop()
        self._pdf_process.stop()  # ends a PDF being made; its thread then finds the session closing
        # ... unless that thread still waits for the fork server's first imports: it is not waited for,
        # and a process started after this ends at once (its pipe is closed).
        self.pdf.stop(timeout=0.5)

    # --- the HTML twin, in its thread ----------------------------------------------------------------

    def _paper_ids(self) -> list[str]:
        if self.only is not None:
            return [self.only]
        return [path.stem for path in yaml_files(self.council_folder / "papers")]

    def _touched(self, state: PaperState, changed: set[str]) -> bool:
        if state.dependencies is not None and not state.problems:
            return any(state.dependencies.touched_by(path) for path in changed)
        # Until a build succeeds its inputs are not known: anything gather reads may be the fix.
        return any(self._watched.touched_by(path) for path in changed)

    def _render_html(self) -> None:
        with self._lock:
            changed, self._changed = self._changed, set()
            forced, self._forced = self._forced, set()
            for pid in self._paper_ids():  # a paper added while previewing
                if pid not in self.papers:
                    self.papers[pid] = PaperState(pid)
                    forced.add(pid)
            todo = [pid for pid, state in self.papers.items() if pid in forced or self._touched(state, changed)]
        if not todo or self._closing:
            return
        inputs = gather(self.project, [self.slug])
        council = inputs.councils.get(self.slug)
        if council is None:  # the records have errors: every paper keeps its last good build
            problems = _problems(inputs)
            for pid in todo:
                self._set_problems(pid, problems)
            return
        council = replace(council, papers=[view for view in council.papers if view.id in todo])
        for job in plan(replace(inputs, councils={self.slug: council}), self.project.root, self.folder, FORMATS):
            # The public formats only: an exempt version (pipeline/render.py) is never previewed, nor served.
            outputs = {output.fmt: output for output in job.outputs}
            html, pdf = (replace(job, outputs=(outputs[fmt],)) for fmt in FORMATS)
            self._render_twin(html, pdf, inputs)
        for pid in set(todo) - {view.id for view in council.papers}:
            self._set_problems(pid, [Problem(f"no paper '{pid}' in {display_path(self.council_folder / 'papers')}")])

    def _render_twin(self, job: Job, pdf_job: Job, inputs: Inputs) -> None:
        started = time.perf_counter()
        rendered = render_paper(job)
        with Manifest(self.folder, self.project.root) as manifest:
            [outcome] = finish(job, rendered, manifest)
        self.html_renders += 1
        if outcome.status == "failed":
            self._set_problems(job.view.id, [Problem.from_message(outcome.message)])
            return
        dependencies = Dependencies.of(job.inputs, LISTING, self.project.root)
        with self._lock:
            state = self.papers[job.view.id]
            if outcome.status == "written" or state.html is None:
                state.html_generation += 1
            state.html, state.title, state.dependencies = outcome.files[0], job.view.paper.title, dependencies
            state.problems = []
            state.warnings = [Problem.of(d) for d in inputs.warnings
                              if d.file is None or dependencies.touched_by(str(d.file))]
            if job.view.id in self._wanted_pdf:
                self._pdf_jobs[job.view.id] = pdf_job  # a newer job supersedes one still waiting
                state.pdf_busy = True
            summary = state.summary()
        self.events.publish("html", summary)
        self._notify(Notice(job.view.id, "html", time.perf_counter() - started))
        self.pdf.ask()

    def _set_problems(self, pid: str, problems: list[Problem]) -> None:
        with self._lock:
            state = self.papers[pid]
            state.problems = problems
            summary = state.summary()
        self.events.publish("status", summary)
        self._notify(Notice(pid, "problems", lines=tuple(p.text for p in problems)))

    # --- the PDF, in its process ----------------------------------------------------------------------

    def _render_pdfs(self) -> None:
        while not self._closing:
            with self._lock:
                if not self._pdf_jobs:
                    return
                pid = next(iter(self._pdf_jobs))
                job = self._pdf_jobs.pop(pid)
            started = time.perf_counter()
            rendered = self._pdf_process.run(job)
            if self._closing:
                return
            with Manifest(self.folder, self.project.root) as manifest:
                [outcome] = finish(job, rendered, manifest)
            with self._lock:
                state = self.papers[pid]
                state.pdf_busy = pid in self._pdf_jobs
                if outcome.status == "failed":
                    state.pdf_problem = Problem.from_message(outcome.message)
                else:
                    state.pdf, state.pages, state.pdf_warnings = outcome.files[0], outcome.pages, outcome.warnings
                    state.pdf_generation += 1
                    state.pdf_problem = None
                summary = state.summary()
            failed = outcome.status == "failed"
            self.events.publish("status" if failed else "pdf", summary)
            self._notify(Notice(pid, "pdf-problems" if failed else "pdf", time.perf_counter() - started,
                                outcome.pages, (outcome.message,) if failed else outcome.warnings))

    def _cannot_watch(self, exc: BaseException) -> None:
        self._show_everywhere(Problem(
            f"cannot watch the files for changes ({exc}); the preview no longer follows them: restart it (on "
            f"Linux, if the limit on watches was reached, raise fs.inotify.max_user_watches)"))

    def _crashed(self, exc: BaseException) -> None:
        """A bug: shown on every paper's page, and in the terminal with its traceback."""
        self._show_everywhere(Problem(f"{INTERNAL}{type(exc).__name__}: {exc}"),
                              "".join(traceback.format_exception(exc)))

    def _show_everywhere(self, problem: Problem, detail: str = "") -> None:
        for pid in list(self.papers):
            with self._lock:
                self.papers[pid].problems = [problem]
                summary = self.papers[pid].summary()
            self.events.publish("status", summary)
        self._notify(Notice("", "problems", lines=tuple(line for line in (problem.text, detail) if line)))


def _problems(inputs: Inputs) -> list[Problem]:
    """The errors that stop the council being built, in the order the command line lists them."""
    return [Problem.of(d) for d in ordered(inputs.diagnostics) if d.is_error]
