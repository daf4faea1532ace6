"""The accessible HTML twin of a paper: one self-contained file, published beside the PDF.

Government guidance is to publish HTML first. The twin is the same template
output as the PDF, made to stand alone: stylesheets are inlined (without the
print-only font files, so it uses the reader's own fonts), images become data
URLs. Its screen layout comes from the styles' screen.css files, which the
template links for output_format="html". Nothing in it asks for anything
from outside the file.
"""

from __future__ import annotations

import base64
import mimetypes
import os
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

from reportgen.errors import BuildError
from reportgen.merge import PaperView
from reportgen.inputs.styles import Style

_LINK = re.compile(r"<link\s+rel=\"stylesheet\"\s+href=\"([^\"]+)\"\s*/?>")
_IMG = re.compile(r"(<img\b[^>]*?\bsrc=\")([^\"]+)(\")")
_FONT_FACE = re.compile(r"@font-face\s*\{[^}]*\}", re.S)
_URL = re.compile(r"url\(([^)]*)\)")


def render_standalone(html: str, view: PaperView, style: Style) -> str:
    """`html` (rendered for output_format="html") with every outside reference brought inside."""
    roots = [Path(os.path.realpath(r)) for r in (*style.asset_roots, view.council_folder)]

    def local(url: str) -> Path:
        parts = urlsplit(url)
        path = Path(os.path.realpath(unquote(parts.path))) if parts.scheme == "file" else None
        if path is None or not any(path.is_relative_to(r) for r in roots) or not path.is_file():
            raise BuildError(f"the HTML twin may only use files of the style and the council; refused {url}")
        return path

    def inline_css(match: re.Match) -> str:
        css = _FONT_FACE.sub("", local(match.group(1)).read_text(encoding="utf-8"))
        css = _URL.sub("none", css)  # any other resource is print-only decoration
        return f"<style>\n{css}\n</style>"

    def inline_image(match: re.Match) -> str:
        path = local(match.group(2))
        kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        data = base64.b64encode(path.read_bytes()).decode("ascii")
        return f"{match.group(1)}data:{kind};base64,{data}{match.group(3)}"

    html = _LINK.sub(inline_css, html)
    return _IMG.sub(inline_image, html)
