"""Markdown in records becomes a small, safe subset of HTML, typeset: curly quotes and proper dashes.

Raw HTML in a record is never passed through: markdown-it shows it as text,
and nh3 then keeps only the tags and link schemes a paper needs, so nothing
typed into a record can add a script, a stylesheet, an image or a link to a
local file. Pipe tables, which officers paste from spreadsheets, become real
tables with scoped header cells; blank text says "No update given.".
"""

from __future__ import annotations

from functools import lru_cache

import nh3
from markupsafe import Markup

from reportgen.inputs.text import is_blank, markdown_parser

ALLOWED_TAGS = {
    "p", "br", "em", "strong", "ul", "ol", "li", "blockquote", "code", "a", "sub", "sup",
    "h3", "h4", "h5", "h6",  # only from `md(headings=N)`, N >= 3
    "table", "thead", "tbody", "tr", "th", "td",
}
ALLOWED_ATTRIBUTES = {"a": {"href"}, "ol": {"start"}, "th": {"scope", "class"}, "td": {"class"}}
LINK_SCHEMES = {"https", "http", "mailto"}
ALIGN_CLASSES = {"text-align:left": "align-left", "text-align:center": "align-center",
                 "text-align:right": "align-right"}
NO_UPDATE = Markup('<p class="no-update">No update given.</p>')


def _keep_attribute(tag: str, name: str, value: str) -> str | None:
    """Keep a link only when it is absolute with an allowed scheme, or a '#fragment' in the paper.

    nh3 checks the scheme of absolute URLs only; a relative one ('secret.txt',
    '../../x', '/etc/passwd', '//host/x') passes, and WeasyPrint then resolves
    it against the council folder into a link to a local file.
    """
    if tag == "a" and name == "href":
        scheme = value.split(":", 1)[0].lower() if ":" in value else ""
        if not (value.startswith("#") or scheme in LINK_SCHEMES):
            return None
    if name == "class" and value not in ALIGN_CLASSES.values():
        return None
    if name == "scope" and value not in ("col", "row"):
        return None
    return value


def _shift_headings(tokens: list, top: int) -> None:
    """The field's heading levels, in order, become `top`, `top + 1` ... (at most h6), so none is skipped."""
    levels = sorted({int(t.tag[1]) for t in tokens if t.type == "heading_open"})
    new_level = {level: f"h{min(top + i, 6)}" for i, level in enumerate(levels)}
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = new_level[int(token.tag[1])]


def _scope_table_cells(tokens: list) -> None:
    """A pasted table's header cells scoped to their column; its column alignment as a class, not a style."""
    for token in tokens:
        if token.type in ("th_open", "td_open"):
            align = ALIGN_CLASSES.get(str(token.attrGet("style") or ""))
            token.attrs = {"class": align} if align else {}
            if token.type == "th_open":
                token.attrSet("scope", "col")


@lru_cache(maxsize=4096)
def to_html(text: str | None, headings: int | None = None) -> Markup:
    """Sanitised HTML for a Markdown field; empty for None, "No update given." for blank text.

    `headings=N` lets the field have headings (`# Key points`), as hN and
    below: N is one level under the heading the template puts it beneath.
    """
    if not text:
        return Markup("")
    if is_blank(text):
        return NO_UPDATE
    if headings is not None and not 3 <= headings <= 6:
        raise ValueError(f"md(headings={headings}): a field's headings start at level 3 to 6")
    parser = markdown_parser(headings is not None)
    tokens = parser.parse(text)
    if headings is not None:
        _shift_headings(tokens, headings)
    _scope_table_cells(tokens)
    clean = nh3.clean(
        parser.renderer.render(tokens, parser.options, {}),
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=LINK_SCHEMES,
        attribute_filter=_keep_attribute,
        link_rel="noopener noreferrer",
    )
    return Markup(clean.strip())


def to_inline_html(text: str | None) -> Markup:
    """As `to_html`, without the wrapping paragraph for one-paragraph text."""
    html = str(to_html(text))
    if html.startswith("<p") and html.endswith("</p>") and html.count("<p") == 1:
        html = html[html.index(">") + 1:-4]
    return Markup(html)
