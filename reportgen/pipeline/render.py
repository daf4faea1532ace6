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
from typing import TYPE_CHECKING

from reportgen.errors import BuildError
from reportgen.merge import PaperView
from reportgen.inputs.register import PublishedFile
from reportgen.pipeline.workers import template_limit

if TYPE_CHECKING:  # the build's no-op check imports this module; the templates load when they run
    from reportgen.pipeline.gathered import CouncilInputs

STAMP_FONT = Path("fonts/LiberationSans-Regular.ttf")  # in the base style, as the pack's: the exempt marking
MARK_TOP = 14  # points from the top of the page: above the running header, clear of the pack's page number


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
    exempt_pages: int = 0  # the exempt version's, when it was rendered
    exempt_warnings: tuple[str, ...] = ()


EXEMPT = "exempt"  # the output format of a paper's exempt version
EXEMPT_FOLDER = "exempt"


def exempt_target(public_pdf: Path) -> Path:
    """`output/<council>/exempt/<name>-exempt.pdf` for the public `output/<council>/<name>.pdf`."""
    return public_pdf.parent / EXEMPT_FOLDER / f"{public_pdf.stem}-exempt.pdf"


def render_paper(job: Job) -> Rendered:
    """Every format of one paper, in memory; a BuildError becomes a failed result."""
    public = job.view.public or job.view  # what the public formats are rendered from
    try:
        data, pages, warnings, exempt_pages, exempt_warnings = {}, 0, (), 0, ()
        for output in job.outputs:
            if output.fmt == "html":
                data["html"] = _html(job, public)
            elif output.fmt == EXEMPT:
                data[EXEMPT], exempt_pages, exempt_warnings = _pdf(job, job.view)
            else:
                data["pdf"], pages, warnings = _pdf(job, public)
        if public is not job.view:
            _leak_check(job, data)
        return Rendered(data, pages, warnings, exempt_pages=exempt_pages, exempt_warnings=exempt_warnings)
    except BuildError as exc:
        return Rendered(failure=str(exc))


def _leak_check(job: Job, data: dict[str, bytes]) -> None:
    """A BuildError naming where, when any exempt part reached a public format: then nothing is written."""
    from reportgen.pdf.leak import require_no_leak

    require_no_leak(job.view.public.withheld, what="the public version", pdf=data.get("pdf"), html=data.get("html"))


def _html(job: Job, view: PaperView) -> bytes:
    from reportgen.render.htmltwin import render_standalone

    html = _templates(job, view, "html")
    return render_standalone(html, view, job.council.style).encode("utf-8")


def _templates(job: Job, view: PaperView, output_format: str) -> str:
    """The paper's HTML from its style's templates, within the templates' own time limit."""
    from reportgen.render.html import render_html

    with template_limit():
        return render_html(view, job.council.style, output_format=output_format)


def _pdf(job: Job, view: PaperView) -> tuple[bytes, int, tuple[str, ...]]:
    from reportgen.pipeline.produce import produce_pdf

    council = job.council
    produced = produce_pdf(
        _templates(job, view, "pdf"),
        base_url=view.council_folder,
        allowed_roots=[*council.style.asset_roots, view.council_folder],
        date=view.paper.issue_date,
        strict=job.strict,
    )
    if view is job.view and view.public is not None:  # the exempt version
        from reportgen.pdf.stamp import page_sizes, stamp

        marks = exempt_marks(council.style, view.council, list(enumerate(page_sizes(produced.pdf))))
        return stamp(produced.pdf, marks, _stamp_font(council.style)), produced.pages, produced.warnings
    return produced.pdf, produced.pages, produced.warnings


def exempt_marks(style, council, pages: list[tuple[int, tuple[float, float]]]) -> list:
    """"NOT FOR PUBLICATION" (label `exempt_version`) centred at the top of each page (index, size), as a
    pagination artifact: on the exempt version of a paper and of an agenda pack."""
    from reportgen.inputs.labels import LabelLookup
    from reportgen.pdf.stamp import Mark

    text = LabelLookup((council.labels, *style.labels), {"council": council.display_short_name})("exempt_version")
    return [Mark(n, text, width / 2, MARK_TOP, size=11, align="center", kind="Header") for n, (width, _) in pages]


def _stamp_font(style) -> Path:
    font = next((root / STAMP_FONT for root in style.asset_roots if (root / STAMP_FONT).is_file()), None)
    if font is None:
        raise BuildError(f"the exempt version needs the base style's font {STAMP_FONT} to mark its pages "
                         "NOT FOR PUBLICATION; restore templates/base/fonts/")
    return font
