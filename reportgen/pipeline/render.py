"""One paper rendered to the bytes of each format asked for: the work a build's worker process does.

Nothing is written here: the building process writes a paper's files
together once every format has rendered (pipeline/build.py), so a paper
whose PDF fails does not get a new HTML beside its old PDF.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from reportgen.errors import BuildError
from reportgen.merge import PaperView
from reportgen.pipeline.gather import CouncilInputs
from reportgen.inputs.register import PublishedFile
from reportgen.render.html import render_html


@dataclass(frozen=True)
class Output:
    """One file of a paper: its format, where it goes, and the hash of what it is built from."""

    fmt: str
    target: Path
    inputs_hash: str
    published: PublishedFile | None = None  # set when the target is a published paper: never overwrite it
    changes: tuple[str, ...] = ()  # the inputs changed since it was published

    @property
    def keep(self) -> bool:
        """The target is a published file and nothing it was built from has changed: it is the file."""
        return self.published is not None and not self.changes


@dataclass(frozen=True)
class Job:
    """One paper to produce in one or more formats, and what it is built from."""

    council: CouncilInputs
    view: PaperView
    outputs: tuple[Output, ...]
    inputs: dict[str, str]  # input names (Manifest.name_of) -> hashes
    strict: bool = False


@dataclass(frozen=True)
class Rendered:
    """What a worker sends back: each format's bytes, or why the paper failed."""

    data: dict[str, bytes] = field(default_factory=dict)
    pages: int = 0
    warnings: tuple[str, ...] = ()
    failure: str | None = None


def render_paper(job: Job) -> Rendered:
    """Every format of one paper, in memory; a BuildError becomes a failed result."""
    try:
        data, pages, warnings = {}, 0, ()
        for output in job.outputs:
            if output.fmt == "html":
                data["html"] = _html(job)
            else:
                data["pdf"], pages, warnings = _pdf(job)
        return Rendered(data, pages, warnings)
    except BuildError as exc:
        return Rendered(failure=str(exc))


def _html(job: Job) -> bytes:
    from reportgen.render.htmltwin import render_standalone

    council, view = job.council, job.view
    html = render_html(view, council.style, output_format="html")
    return render_standalone(html, view, council.style).encode("utf-8")


def _pdf(job: Job) -> tuple[bytes, int, tuple[str, ...]]:
    from reportgen.pipeline.produce import produce_pdf

    council, view = job.council, job.view
    produced = produce_pdf(
        render_html(view, council.style),
        base_url=view.council_folder,
        allowed_roots=[*council.style.asset_roots, view.council_folder],
        date=view.paper.issue_date,
        strict=job.strict,
    )
    return produced.pdf, produced.pages, produced.warnings
