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
import html as _html
import mimetypes
import re
from html.parser import HTMLParser
from pathlib import Path

from reportgen.confine import Roots
from reportgen.errors import BuildError
from reportgen.merge import PaperView
from reportgen.inputs.styles import Style

_FONT_FACE = re.compile(r"@font-face\s*\{[^}]*\}", re.S)
_URL = re.compile(r"url\(([^)]*)\)")


class _Tags(HTMLParser):
    """Where, in the source text, the stylesheet links and images are."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.line_starts = [0, *(newline.end() for newline in re.finditer("\n", html))]  # as the parser counts lines
        self.found: list[tuple[int, int, str, list[tuple[str, str | None]]]] = []  # start, end, tag, attributes
        self.feed(html)
        self.close()

    def _here(self) -> int:
        line, column = self.getpos()
        return self.line_starts[line - 1] + column

    def handle_starttag(self, tag, attrs):
        named = dict(attrs)
        if (tag == "img" and named.get("src")) or (
                tag == "link" and named.get("href") and "stylesheet" in (named.get("rel") or "").lower().split()):
            start = self._here()
            self.found.append((start, start + len(self.get_starttag_text()), tag, attrs))

    handle_startendtag = handle_starttag


def _attribute(name: str, value: str | None) -> str:
    return name if value is None else f'{name}="{_html.escape(value, quote=False).replace(chr(34), "&quot;")}"'


def render_standalone(html: str, view: PaperView, style: Style) -> str:
    """`html` (rendered for output_format="html") with every outside reference brought inside."""
    roots = Roots([*style.asset_roots, view.council_folder])

    def local(url: str) -> Path:
        path = roots.find_url(url)
        if path is None or not path.is_file():
            raise BuildError(f"the HTML twin may only use files of the style and the council; refused {url}")
        return path

    def inline_css(attrs: dict) -> str:
        css = _FONT_FACE.sub("", local(attrs["href"]).read_text(encoding="utf-8"))
        css = _URL.sub("none", css)  # any other resource is print-only decoration
        return f"<style>\n{css}\n</style>"

    def inline_image(attrs: list[tuple[str, str | None]], closed: bool) -> str:
        if (dict(attrs)["src"] or "").startswith("data:"):  # already inside, e.g. the summary's chart
            return f"<img {' '.join(_attribute(name, value) for name, value in attrs)}{' /' if closed else ''}>"
        path = local(dict(attrs)["src"])
        kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        data = f"data:{kind};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"
        kept = [_attribute(name, data if name == "src" else value) for name, value in attrs]
        return f"<img {' '.join(kept)}{' /' if closed else ''}>"

    tags = _Tags(html)
    edits = [(start, end, inline_css(dict(attrs)) if tag == "link"
              else inline_image(attrs, html[start:end].endswith("/>")))
             for start, end, tag, attrs in tags.found]
    pieces, done = [], 0
    for start, end, replacement in sorted(edits):
        pieces += [html[done:start], replacement]
        done = end
    return "".join(pieces) + html[done:]
