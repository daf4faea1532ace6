"""HTML to PDF with WeasyPrint: the only module that imports it.

WeasyPrint reports problems only through its logger and will happily embed
any local file a document points at, so rendering here (1) fetches only
files under the folders the caller allows, and data: URLs, (2) records every
warning and error WeasyPrint logs, and (3) fails the paper when a resource was
refused or missing or anything was logged as an error.
"""

from __future__ import annotations

import logging
import mimetypes
import os
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .errors import BuildError

PDF_VARIANT = "pdf/ua-1"


@dataclass
class Rendered:
    pdf: bytes
    pages: int
    warnings: list[str] = field(default_factory=list)


class _Collector(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.WARNING)
        self.errors: list[str] = []
        self.warnings: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage().strip()
        (self.errors if record.levelno >= logging.ERROR else self.warnings).append(message)


def _trusted_roots(roots: list[Path]) -> list[Path]:
    """The real folders files may be served from.

    Roots are compared by their real paths, so a council folder that is itself
    a symbolic link keeps working. But a root that lies inside another root
    (a council's templates/ inside the council folder) must also really be
    inside it: a templates/ that is a link to, say, the home folder would
    otherwise make every file there fair game.
    """
    trusted = []
    for root in roots:
        real = Path(os.path.realpath(root))
        outer = [Path(os.path.realpath(other)) for other in roots
                 if other != root and Path(os.path.abspath(root)).is_relative_to(os.path.abspath(other))]
        if all(real.is_relative_to(folder) for folder in outer):
            trusted.append(real)
    return trusted


def _fetcher_class():
    from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

    class ConfinedFetcher(URLFetcher):
        """Serves files from the allowed folders only; refuses everything else."""

        def __init__(self, roots: list[Path]):
            super().__init__(allowed_protocols={"file", "data"})
            self.roots = _trusted_roots(roots)
            self.refused: list[str] = []

        def fetch(self, url, headers=None):
            parts = urlsplit(url)
            if parts.scheme == "data":
                return super().fetch(url, headers)
            if parts.scheme == "file" and parts.netloc in ("", "localhost"):
                written = os.path.abspath(unquote(parts.path))
                real = Path(os.path.realpath(written))
                if any(real.is_relative_to(root) for root in self.roots):
                    if not real.is_file():
                        self.refused.append(f"missing file {real}")
                        raise FatalURLFetchingError(f"missing file: {real}")
                    try:
                        data = real.read_bytes()
                    except OSError as exc:
                        self.refused.append(f"cannot read {real}: {exc.strerror}")
                        raise FatalURLFetchingError(f"cannot read: {real}") from None
                    kind = mimetypes.guess_type(real.name)[0] or "application/octet-stream"
                    return URLFetcherResponse(url, data, headers={"Content-Type": kind})
                if str(real) != written:  # say where a symbolic link really leads
                    self.refused.append(f"refused {url}, a symbolic link to {real} "
                                        "(only files of the style and the council may be used)")
                    raise FatalURLFetchingError(f"refused: {url}")
            self.refused.append(f"refused {url} (only files of the style and the council may be used)")
            raise FatalURLFetchingError(f"refused: {url}")

    return ConfinedFetcher


# WeasyPrint 70 tags a box split across pages as one structure element per
# page and keeps nothing that ties the pieces together. This hook labels each
# element with the HTML element it came from (in /T, removed again by
# pdfrepair), so the repair can join the pieces exactly instead of guessing.
# It wraps a private function, so it is applied only to the version it was
# written for; pdfcheck then reports any split table a newer version makes.
TRACED_VERSIONS = ("70.",)
SOURCE_KEY = "/T"


def _trace_structure_sources() -> None:
    import pydyf
    import weasyprint
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
                element[SOURCE_KEY[1:]] = pydyf.String(f"rg:{keys.setdefault(identity, len(keys))}")
            yield element

    traced._reportgen_traced = True
    tags._build_box_tree = traced


def render_pdf(
    html: str, *, base_url: Path, allowed_roots: list[Path], date_epoch: int, tagged: bool = True
) -> Rendered:
    """Render one HTML document; BuildError when a resource or WeasyPrint failed."""
    # SOURCE_DATE_EPOCH makes the fontTools subsetting fallback reproducible.
    os.environ["SOURCE_DATE_EPOCH"] = str(date_epoch)
    import weasyprint
    from weasyprint.urls import FatalURLFetchingError

    _trace_structure_sources()
    fetcher = _fetcher_class()(allowed_roots)
    collector = _Collector()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(collector)
    try:
        document = weasyprint.HTML(
            string=html, base_url=base_url.as_uri() + "/", url_fetcher=fetcher
        ).render()
        options = {"pdf_variant": PDF_VARIANT} if tagged else {}
        pdf = document.write_pdf(**options)
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
    problems = fetcher.refused + collector.errors
    if problems:
        raise BuildError("WeasyPrint: " + "; ".join(dict.fromkeys(problems)))
    return Rendered(pdf=pdf, pages=len(document.pages), warnings=collector.warnings)


def preload() -> None:
    """Import WeasyPrint now, so worker processes forked after this share the import."""
    import weasyprint  # noqa: F401

    _trace_structure_sources()


def versions() -> dict[str, str]:
    """Versions of the rendering stack, for manifests and `doctor`."""
    import pydyf
    import weasyprint

    return {"weasyprint": weasyprint.__version__, "pydyf": pydyf.__version__}
