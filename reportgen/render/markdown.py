"""Markdown in records becomes a small, safe subset of HTML, typeset: curly quotes and proper dashes.

Raw HTML in a record is never passed through: markdown-it shows it as text,
and nh3 then keeps only the tags and link schemes a paper needs, so nothing
typed into a record can add a script, a stylesheet, an image or a link to a
local file.
"""

from __future__ import annotations

import re
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

ALLOWED_TAGS = {
    "p", "br", "em", "strong", "ul", "ol", "li", "blockquote", "code", "a", "sub", "sup",
    "h3", "h4", "h5", "h6",  # only from `md(headings=N)`, N >= 3
}
ALLOWED_ATTRIBUTES = {"a": {"href"}, "ol": {"start"}}
LINK_SCHEMES = {"https", "http", "mailto"}


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
    return value


# Typesetting, in text only (never in code): "--" and "---" are dashes, so is
# a hyphen with a space each side ("2012 - 2013"), "..." an ellipsis. The
# rest of markdown-it's replacements are left off: "(c)" stays "(c)", as in
# a paragraph reference.
DASHES = ((re.compile(r"---"), "\u2014"), (re.compile(r"--"), "\u2013"),
          (re.compile(r"(?<=\s)-(?=\s)"), "\u2013"), (re.compile(r"(?<!\.)\.\.\.(?!\.)"), "\u2026"))


def _dashes(state) -> None:
    for token in state.tokens:
        for child in token.children or ():
            if child.type == "text":
                for pattern, dash in DASHES:
                    child.content = pattern.sub(dash, child.content)


@lru_cache(maxsize=2)
def _parser(headings: bool = False) -> MarkdownIt:
    # Images and raw HTML are off: images need alt text checked elsewhere, HTML
    # is not trusted. Headings are off unless the template places them under
    # a heading of its own (`md(headings=3)`), or they would break the outline;
    # underlined (setext) headings stay off, so a line of dashes is no heading.
    # Quotes become ‘ ’ “ ” (English and Welsh alike) and apostrophes ’.
    disabled = ["lheading", "image", "html_block", "html_inline"] + ([] if headings else ["heading"])
    parser = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": True}).disable(
        disabled).enable("smartquotes")
    parser.core.ruler.push("dashes", _dashes)
    return parser


def _shift_headings(tokens: list, top: int) -> None:
    """The field's heading levels, in order, become `top`, `top + 1` ... (at most h6), so none is skipped."""
    levels = sorted({int(t.tag[1]) for t in tokens if t.type == "heading_open"})
    new_level = {level: f"h{min(top + i, 6)}" for i, level in enumerate(levels)}
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = new_level[int(token.tag[1])]


@lru_cache(maxsize=4096)
def to_html(text: str | None, headings: int | None = None) -> Markup:
    """Sanitised HTML for a Markdown field; empty for None.

    `headings=N` lets the field have headings (`# Key points`), as hN and
    below: N is one level under the heading the template puts it beneath.
    """
    if not text:
        return Markup("")
    if headings is not None and not 3 <= headings <= 6:
        raise ValueError(f"md(headings={headings}): a field's headings start at level 3 to 6")
    parser = _parser(headings is not None)
    tokens = parser.parse(text)
    if headings is not None:
        _shift_headings(tokens, headings)
    html = parser.renderer.render(tokens, parser.options, {})
    clean = nh3.clean(
        html,
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
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        html = html[3:-4]
    return Markup(html)
