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


def _fetcher_class():
    from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

    class ConfinedFetcher(URLFetcher):
        """Serves files from the allowed folders only; refuses everything else."""

        def __init__(self, roots: list[Path]):
            super().__init__(allowed_protocols={"file", "data"})
            self.roots = [Path(os.path.realpath(r)) for r in roots]
            self.refused: list[str] = []

        def fetch(self, url, headers=None):
            parts = urlsplit(url)
            if parts.scheme == "data":
                return super().fetch(url, headers)
            if parts.scheme == "file" and parts.netloc in ("", "localhost"):
                real = Path(os.path.realpath(unquote(parts.path)))
                if any(real.is_relative_to(root) for root in self.roots):
                    if not real.is_file():
                        self.refused.append(f"missing file {real}")
                        raise FatalURLFetchingError(f"missing file: {real}")
                    kind = mimetypes.guess_type(real.name)[0] or "application/octet-stream"
                    return URLFetcherResponse(url, real.read_bytes(), headers={"Content-Type": kind})
            self.refused.append(f"refused {url} (only files of the style and the council may be used)")
            raise FatalURLFetchingError(f"refused: {url}")

    return ConfinedFetcher


def render_pdf(
    html: str, *, base_url: Path, allowed_roots: list[Path], date_epoch: int, tagged: bool = True
) -> Rendered:
    """Render one HTML document; BuildError when a resource or WeasyPrint failed."""
    # SOURCE_DATE_EPOCH makes the fontTools subsetting fallback reproducible.
    os.environ["SOURCE_DATE_EPOCH"] = str(date_epoch)
    import weasyprint
    from weasyprint.urls import FatalURLFetchingError

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
    finally:
        logger.removeHandler(collector)
    problems = fetcher.refused + collector.errors
    if problems:
        raise BuildError("WeasyPrint: " + "; ".join(dict.fromkeys(problems)))
    return Rendered(pdf=pdf, pages=len(document.pages), warnings=collector.warnings)


def versions() -> dict[str, str]:
    """Versions of the rendering stack, for manifests and `doctor`."""
    import pydyf
    import weasyprint

    return {"weasyprint": weasyprint.__version__, "pydyf": pydyf.__version__}
