"""One paper rendered to the bytes of each format asked for: the work a build's worker process does.

Nothing is written here: the building process writes a paper's files
together once every format has rendered (pipeline/build.py), so a paper
whose PDF fails does not get a new HTML beside its old PDF.

A paper with exempt parts renders its public formats from its public view
and its exempt version (`exempt`: a PDF, every page stamped "NOT FOR
PUBLICATION") from the full view; the leak check (pdf/leak.py) then reads the
public bytes, and a leak fails the paper, so nothing of it is written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from reportgen.errors import BuildError
from reportgen.merge import PaperView
from reportgen.pipeline.gather import CouncilInputs
from reportgen.inputs.register import PublishedFile
from reportgen.render.html import render_html

STAMP_FONT = Path("fonts/LiberationSans-Bold.ttf")  # in the base style: the exempt version's marking


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
    exempt_pages: int = 0


EXEMPT = "exempt"  # the output format of a paper's exempt version
EXEMPT_FOLDER = "exempt"


def exempt_target(public_pdf: Path) -> Path:
    """`output/<council>/exempt/<name>-exempt.pdf` for the public `output/<council>/<name>.pdf`."""
    return public_pdf.parent / EXEMPT_FOLDER / f"{public_pdf.stem}-exempt.pdf"


def render_paper(job: Job) -> Rendered:
    """Every format of one paper, in memory; a BuildError becomes a failed result."""
    public = job.view.public or job.view  # what the public formats are rendered from
    try:
        data, pages, warnings, exempt_pages = {}, 0, (), 0
        for output in job.outputs:
            if output.fmt == "html":
                data["html"] = _html(job, public)
            elif output.fmt == EXEMPT:
                data[EXEMPT], exempt_pages, _ = _pdf(job, job.view)
            else:
                data["pdf"], pages, warnings = _pdf(job, public)
        if public is not job.view:
            _leak_check(job, data)
        return Rendered(data, pages, warnings, exempt_pages=exempt_pages)
    except BuildError as exc:
        return Rendered(failure=str(exc))


def _leak_check(job: Job, data: dict[str, bytes]) -> None:
    """A BuildError naming where, when any exempt part reached a public format: then nothing is written."""
    from reportgen.pdf.leak import find_leaks

    leaks = find_leaks(job.view.public.withheld, pdf=data.get("pdf"), html=data.get("html"))
    if leaks:
        shown = "; ".join(leaks[:5]) + ("; ..." if len(leaks) > 5 else "")
        raise BuildError(f"exempt information found in the public version, so nothing of the paper was written: "
                         f"{shown}. Take the exempt words out of the public parts (or mark those parts exempt "
                         "too); if the paper's records do not repeat them, report it: a template printed them")


def _html(job: Job, view: PaperView) -> bytes:
    from reportgen.render.htmltwin import render_standalone

    html = render_html(view, job.council.style, output_format="html")
    return render_standalone(html, view, job.council.style).encode("utf-8")


def _pdf(job: Job, view: PaperView) -> tuple[bytes, int, tuple[str, ...]]:
    from reportgen.pipeline.produce import produce_pdf

    council = job.council
    produced = produce_pdf(
        render_html(view, council.style),
        base_url=view.council_folder,
        allowed_roots=[*council.style.asset_roots, view.council_folder],
        date=view.paper.issue_date,
        strict=job.strict,
    )
    if view is job.view and view.public is not None:
        return _stamped(view, council.style, produced.pdf), produced.pages, produced.warnings
    return produced.pdf, produced.pages, produced.warnings


def _stamped(view: PaperView, style, pdf: bytes) -> bytes:
    """The exempt version with "NOT FOR PUBLICATION" at the top of every page, as a pagination artifact."""
    from reportgen.pdf.stamp import Mark, page_sizes, stamp
    from reportgen.render.html import labels

    font = next((root / STAMP_FONT for root in style.asset_roots if (root / STAMP_FONT).is_file()), None)
    if font is None:
        raise BuildError(f"the exempt version needs the base style's font {STAMP_FONT} to mark its pages "
                         "NOT FOR PUBLICATION; restore templates/base/fonts/")
    text = labels(view, style)("exempt_version")
    marks = [Mark(i, text, width / 2, 14, size=11, align="center", kind="Header")
             for i, (width, _) in enumerate(page_sizes(pdf))]
    return stamp(pdf, marks, font)
