"""HTML to PDF with WeasyPrint: the only module that imports it.

WeasyPrint reports problems only through its logger and will happily embed
any local file a document points at, so rendering here (1) fetches only
files under the folders the caller allows, and data: URLs, (2) records every
warning and error WeasyPrint logs, (3) fails the paper when a resource was
refused or missing, a font could not be loaded or subset, or anything was
logged as an error, and (4) gives fontconfig a configuration of its own with
no font folders (fontconfig.conf), so the only fonts are those the house style
loads with @font-face: a PDF never depends on the machine's fonts.

Speed and memory, each measured by `make bench` (bench/run.py): pydyf's
page-reference list is cached (`_cache_page_references`, for the pydyf
version it was measured on), WeasyPrint runs from a fresh chunk of CPython's
frame stack (`call_on_fresh_stack`), a caller that re-saves the PDF can skip
WeasyPrint's compression (`compressed=False`), and a long paper's layout is
freed before the caller goes on (`COLLECT_AFTER_PAGES`).
"""

from __future__ import annotations

import gc
import logging
import mimetypes
import os
import re
import sys
import traceback
import types
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

from reportgen import confine
from reportgen.errors import BuildError, clip, display_path, printable, quote
from reportgen.inputs.styles import MAX_STYLE_FILE_BYTES, too_big

PDF_VARIANT = "pdf/ua-1"
FONTCONFIG_FILE = Path(__file__).with_name("fontconfig.conf")


def isolate_fontconfig() -> None:
    """Point fontconfig at reportgen's own configuration (read each time WeasyPrint sets up a document's fonts)."""
    os.environ["FONTCONFIG_FILE"] = str(FONTCONFIG_FILE)
    os.environ.pop("FONTCONFIG_PATH", None)
    os.environ.pop("FONTCONFIG_SYSROOT", None)


def load_weasyprint():
    """WeasyPrint, with fontconfig isolated first (importing WeasyPrint starts fontconfig)."""
    isolate_fontconfig()
    import weasyprint

    return weasyprint


@dataclass
class Rendered:
    pdf: bytes
    pages: int
    warnings: list[str] = field(default_factory=list)
    inspected: Any = None  # what the caller's LayoutHooks.inspect made of the final pages


class LayoutHooks(Protocol):
    """What a caller may do with WeasyPrint's layout tree (pdf/breaks.py does both)."""

    def review(self, pages: list, root_box) -> set[int]:
        """Called once pages are laid out: change the styles of boxes under `root_box` and return the
        pages (0-based) whose layout the changes affect, to lay out again; none to keep the pages."""

    def inspect(self, pages: list, missing: frozenset[str]) -> Any:
        """Called with the final pages after the PDF is written; `missing` holds characters drawn as .notdef."""


class _Collector(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.WARNING)
        self.errors: list[str] = []
        self.warnings: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage().strip()
        if record.msg.startswith("Failed to load image") and len(record.args) == 2:
            message = _image_failure(*record.args)
        message = printable(message)  # it can quote a whole data: URL
        found = self.errors if record.levelno >= logging.ERROR or record.msg.startswith(FONT_FAILURES) \
            else self.warnings
        if message not in found:  # each layout pass repeats what the last one said
            found.append(message)


# A font that cannot be loaded or subset draws nothing, or the wrong glyphs: the paper fails.
FONT_FAILURES = ("Font-face %r cannot be loaded", "Unable to subset", "Unable to instantiate")


def _image_failure(url: str, exception: BaseException) -> str:
    """Why an image failed: WeasyPrint's own exception says nothing, the one it wraps does."""
    path = confine.local_path(url)
    where = display_path(path) if path is not None else quote(url)  # a data: URL can be megabytes long
    cause = exception
    while cause is not None and not str(cause).strip():
        cause = cause.__cause__ or cause.__context__
    if cause is None:
        return f"the image {where} could not be read"
    if type(cause).__name__ == "ParseError":  # xml.etree: the SVG is not well-formed
        return f"the image {where} is not a well-formed SVG ({cause}); open it in an editor and fix that line"
    if type(cause).__name__ == "UnidentifiedImageError":
        return f"the image {where} is not a PNG, JPEG, GIF or SVG image that can be read; export it again"
    return f"the image {where} could not be read ({type(cause).__name__}: {cause})"


def _fetcher_class():
    load_weasyprint()
    from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

    class ConfinedFetcher(URLFetcher):
        """Serves files from the allowed folders only; refuses everything else."""

        def __init__(self, roots: list[Path]):
            super().__init__(allowed_protocols={"file", "data"})
            self.roots = confine.Roots(roots)
            self.refused: list[str] = []

        def fetch(self, url, headers=None):
            if urlsplit(url).scheme == "data":
                return super().fetch(url, headers)
            real = self.roots.find_url(url)
            if real is not None:
                if not real.is_file():
                    self.refused.append(f"missing file {real}")
                    raise FatalURLFetchingError(f"missing file: {real}")
                if real.suffix == ".css" and real.stat().st_size > MAX_STYLE_FILE_BYTES:  # before reading it
                    self.refused.append(f"{display_path(real)}: {too_big(real.stat().st_size)}")
                    raise FatalURLFetchingError(f"too big: {real}")
                try:
                    data = real.read_bytes()
                except OSError as exc:
                    self.refused.append(f"cannot read {real}: {exc.strerror}")
                    raise FatalURLFetchingError(f"cannot read: {real}") from None
                kind = mimetypes.guess_type(real.name)[0] or "application/octet-stream"
                return URLFetcherResponse(url, data, headers={"Content-Type": kind})
            written = confine.local_path(url)
            target = confine.real(written) if written is not None else None
            if target is not None and target != written:  # say where a symbolic link really leads
                self.refused.append(f"refused {url}, a symbolic link to {target} "
                                    "(only files of the style and the council may be used)")
                raise FatalURLFetchingError(f"refused: {url}")
            shown = url if written is not None else clip(url)  # a path is worth seeing whole; a URL is not
            self.refused.append(f"refused {shown} (only files of the style and the council may be used)")
            raise FatalURLFetchingError(f"refused: {shown}")

    return ConfinedFetcher


# WeasyPrint 70 tags a box split across pages as one structure element per
# page and keeps nothing that ties the pieces together. This hook labels each
# element with the HTML element it came from (in /T, removed again by
# pdfrepair), so the repair can join the pieces exactly instead of guessing.
# While the HTML is at hand it also makes the spoken text match the written
# text (`_speak_as_written`). It wraps a private function, so it is applied
# only to the version it was written for; pdfcheck then reports any split
# table a newer version makes. An element with a data-title (a named row or
# block) keeps that as its /T, the structure element's title: `check` reads
# units back by it.
TRACED_VERSIONS = ("70.",)
SOURCE_KEY = "/T"
TITLE_SEPARATOR = "|"  # after the label, the element's data-title: a row's or block's name


def _trace_structure_sources() -> None:
    import pydyf

    weasyprint = load_weasyprint()
    from weasyprint.layout.absolute import AbsolutePlaceholder
    from weasyprint.pdf import tags

    if getattr(tags._build_box_tree, "_reportgen_traced", False):
        return
    if not weasyprint.__version__.startswith(TRACED_VERSIONS):
        return
    original = tags._build_box_tree

    def traced(box, parent, pdf, page_number, nums, annotations, marked):
        source = box._box if isinstance(box, AbsolutePlaceholder) else box
        keys = pdf.__dict__.setdefault("_reportgen_keys", {})
        for element in original(box, parent, pdf, page_number, nums, annotations, marked):
            if source.element is not None and SOURCE_KEY[1:] not in element:
                identity = (id(source.element), source.element_tag, type(source).__name__)
                key = f"rg:{keys.setdefault(identity, len(keys))}"
                title = source.element.get("data-title") if source.element_tag == source.element.tag else None
                if title and title.strip():  # the repair keeps it as the element's /T (its title)
                    key += TITLE_SEPARATOR + " ".join(title.split())
                element[SOURCE_KEY[1:]] = pydyf.String(key)
                _speak_as_written(element, source)
            yield element

    traced._reportgen_traced = True
    tags._build_box_tree = traced


# pydyf 0.13 rebuilds `PDF.page_references` (a tuple made from the /Kids
# array of the page tree) on every read, and WeasyPrint 70's tagging reads it
# once per structure element: O(elements x pages), which made a tagged
# 600-page paper x1.20 slower than an untagged one. The tuple is cached here,
# per PDF, until the page tree changes (a page added, or the /Kids array
# replaced), for the pydyf versions it was measured on; the PDF written is
# byte for byte the same (tests/test_pdf.py).
CACHED_PYDYF_VERSIONS = ("0.13.",)


class _CachedPageReferences:
    """`pydyf.PDF.page_references`, rebuilt only when the page tree has changed."""

    _reportgen_cached = True

    def __init__(self, original: property):
        self.original = original

    def __get__(self, pdf, owner=None):
        if pdf is None:
            return self
        kids = pdf.pages["Kids"]
        cached = pdf.__dict__.get("_reportgen_page_references")
        if cached is None or cached[0] is not kids or cached[1] != len(kids):
            cached = (kids, len(kids), self.original.__get__(pdf, owner))
            pdf.__dict__["_reportgen_page_references"] = cached
        return cached[2]


def _text_of(html_element) -> str:
    return " ".join("".join(html_element.itertext()).split())


def _speak_as_written(element, box) -> None:
    """What a screen reader says is what the HTML says, not what the PDF shows.

    CSS `text-transform` puts "MEETING:" in the page; the element it starts
    on gets an /ActualText with the letters as written ("Meeting:"). A link's
    annotation describes itself by its `title`, or its text, instead of the raw
    address WeasyPrint puts there ("mailto:jo.smith@...").
    """
    import pydyf

    if "::" in (box.element_tag or ""):
        return  # generated content (::marker, ::before) has no text of its own in the HTML
    style = box.style
    parent_style = getattr(style, "parent_style", None)
    if style["text_transform"] != "none" and (parent_style is None or parent_style["text_transform"] == "none"):
        element["ActualText"] = pydyf.String(_text_of(box.element))
    annotation = getattr(box, "link_annotation", None)
    if annotation is not None and element["S"] == "/Link":
        described = box.element.get("title") or _text_of(box.element)
        if described:
            annotation["Contents"] = pydyf.String(described)


def _cache_page_references() -> None:
    import pydyf

    current = pydyf.PDF.__dict__.get("page_references")
    if getattr(current, "_reportgen_cached", False) or not isinstance(current, property):
        return
    if not pydyf.__version__.startswith(CACHED_PYDYF_VERSIONS):
        return
    pydyf.PDF.page_references = _CachedPageReferences(current)


# WeasyPrint lays pages out one after another, each from the state the page
# before left (`context.page_maker`), and already re-makes only the pages
# whose inputs changed when page counters need a second loop. The hook below
# uses that to lay a paper out again after a review of its pages (pdf/breaks.py
# marks rows that break badly): only the pages a change can affect and those
# it pushes on, reusing every other page, so an extra pass costs a fraction of
# a render.
_HOOKS: ContextVar[LayoutHooks | None] = ContextVar("reportgen_layout_hooks", default=None)


def _repaginate_after_review() -> None:
    import weasyprint
    from weasyprint import layout

    original = layout.make_all_pages
    if getattr(original, "_reportgen_reviewed", False) or not weasyprint.__version__.startswith(TRACED_VERSIONS):
        return

    def make_all_pages(context, root_box, html, pages):
        made = list(original(context, root_box, html, pages))
        hooks = _HOOKS.get()
        while hooks is not None:
            changed = hooks.review(made, root_box)
            if not changed:
                break
            for page in changed:  # pages between them are made again only if the one before them moved
                context.page_maker[page][-1]["content_changed"] = True
            made = list(original(context, root_box, html, made))
        yield from made

    make_all_pages._reportgen_reviewed = True
    layout.make_all_pages = make_all_pages


def install_hooks() -> None:
    """Everything render_pdf sets up in WeasyPrint and pydyf (each guarded by version); idempotent."""
    _trace_structure_sources()
    _cache_page_references()
    _repaginate_after_review()


# CPython 3.11+ keeps Python frames in a stack of memory chunks (16 KiB at
# first); a chunk is mapped when a call does not fit in the current one and
# unmapped again as soon as that call returns. A hot loop whose calls happen
# to straddle a chunk boundary maps and unmaps memory on every call (CPython
# issue gh-142183): a storm of minor page faults and system time, and the
# same render 1.2-1.5x slower depending only on how deep in the stack it
# started. The padded function below has a frame so large (about 120 KiB)
# that calling it always opens a new 256 KiB chunk with about 135 KiB free
# above it, which holds WeasyPrint's deepest recursion; that chunk stays
# mapped until the call returns, so no boundary is crossed inside.
STACK_PADDING_SLOTS = 15_500  # frame slots of 8 bytes: (slots + 1000) x 8 just over 128 KiB


def _call(function, args, kwargs):
    return function(*args, **kwargs)


if sys.implementation.name == "cpython" and sys.version_info >= (3, 11):
    _padded_call = types.FunctionType(
        _call.__code__.replace(co_stacksize=_call.__code__.co_stacksize + STACK_PADDING_SLOTS), globals(),
        "_padded_call",
    )
else:  # other interpreters have no chunked frame stack
    _padded_call = _call


def call_on_fresh_stack(function, *args, **kwargs):
    """`function(*args, **kwargs)`, started at the bottom of a fresh chunk of CPython's frame stack."""
    return _padded_call(function, args, kwargs)


def _render_and_write(html: str, base_url: str, fetcher, options: dict, hooks: LayoutHooks | None):
    weasyprint = load_weasyprint()
    token = _HOOKS.set(hooks)
    try:
        document = weasyprint.HTML(string=html, base_url=base_url, url_fetcher=fetcher).render()
    finally:
        _HOOKS.reset(token)
    return document, document.write_pdf(**options)


NOTDEF = re.compile(r'\.notdef glyph rendered .*\(U\+([0-9A-F]{4,6})\)')


COLLECT_AFTER_PAGES = 100  # below this the layout is small next to the process, and collecting costs ~1%


def render_pdf(
    html: str, *, base_url: Path, allowed_roots: list[Path], date_epoch: int, tagged: bool = True,
    compressed: bool = True, hooks: LayoutHooks | None = None,
) -> Rendered:
    """Render one HTML document; BuildError when a resource or WeasyPrint failed.

    `compressed=False` leaves the PDF's streams uncompressed, for a caller that
    saves it again with compression anyway (the repair does): WeasyPrint then
    does not compress what pikepdf would decompress and compress again.
    `hooks` may review the layout before the PDF is written and inspect the final pages.
    """
    # SOURCE_DATE_EPOCH makes the fontTools subsetting fallback reproducible.
    os.environ["SOURCE_DATE_EPOCH"] = str(date_epoch)
    load_weasyprint()
    from weasyprint.urls import FatalURLFetchingError

    install_hooks()
    fetcher = _fetcher_class()(allowed_roots)
    collector = _Collector()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(collector)
    try:
        options = {"pdf_variant": PDF_VARIANT} if tagged else {}
        if not compressed:
            options["uncompressed_pdf"] = True
        document, pdf = call_on_fresh_stack(_render_and_write, html, base_url.as_uri() + "/", fetcher, options,
                                            hooks)
    except FatalURLFetchingError:
        raise BuildError("; ".join(fetcher.refused) or "a resource could not be loaded") from None
    except Exception as exc:  # noqa: BLE001 - WeasyPrint is the boundary here
        # WeasyPrint has internal errors on some layouts ("min-content width
        # for TextBox not handled yet"): that fails this paper, not the batch.
        # Where it happened is kept in the message, so a bug is still traceable.
        frame = traceback.extract_tb(exc.__traceback__)[-1]
        raise BuildError(
            f"WeasyPrint could not lay out this paper ({type(exc).__name__}: {exc}, in "
            f"{Path(frame.filename).parent.name}/{Path(frame.filename).name}:{frame.lineno}); "
            "usually a style's or council's CSS sets this off: undo the latest CSS change and try again"
        ) from None
    finally:
        logger.removeHandler(collector)
    pages = len(document.pages)
    inspected = None
    if hooks is not None:
        missing = frozenset(chr(int(m.group(1), 16)) for w in collector.warnings if (m := NOTDEF.search(w)))
        inspected = hooks.inspect([page._page_box for page in document.pages], missing)
    del document
    if pages >= COLLECT_AFTER_PAGES:
        # The layout is full of reference cycles, so it outlives this call until
        # Python's cycle collector runs: free it now, before the caller repairs
        # and checks the PDF, or a long paper holds both at once (a 600-page
        # paper: 700 MiB at peak instead of 490 MiB).
        gc.collect()
    problems = fetcher.refused + collector.errors
    if problems:
        raise BuildError("WeasyPrint: " + "; ".join(dict.fromkeys(problems)))
    return Rendered(pdf=pdf, pages=pages, warnings=collector.warnings, inspected=inspected)


def preload() -> None:
    """Import WeasyPrint now (fontconfig isolated), so worker processes forked after this share the import."""
    load_weasyprint()
    install_hooks()
