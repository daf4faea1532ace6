"""Checks of the text typed into records: characters no font of the style has, blank or too deeply nested Markdown.

Each string of a record is visited with its key path, so every problem is
placed at file:line:column. Markdown is parsed here with the same parser the
paper is rendered with (`markdown_parser`), so what is checked is what prints.
"""

from __future__ import annotations

import functools
import re
import typing
import unicodedata
from typing import Any, Iterator

from markdown_it import MarkdownIt
from pydantic import BaseModel

from reportgen.errors import Diagnostic
from reportgen.inputs.fonts import Coverage, script_hint
from reportgen.inputs.models import MARKDOWN
from reportgen.inputs.records import Loaded

MAX_MARKDOWN_DEPTH = 12
"""Lists and quotes nested deeper than this are refused (a paper never needs more; the PDF must stay readable)."""

# markdown-it stops reading, silently, at this many levels of its own (a list
# takes two, an item's paragraph one more): far above what MAX_MARKDOWN_DEPTH
# allows, so text inside the limit is never dropped.
_PARSER_NESTING = 4 * MAX_MARKDOWN_DEPTH + 8

BLANK_MEANING = "the paper will say 'No update given'"

KeyPath = tuple[str | int, ...]


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


@functools.lru_cache(maxsize=2)
def markdown_parser(headings: bool = False) -> MarkdownIt:
    """The one Markdown parser: CommonMark with pipe tables, curly quotes and dashes; no images or raw HTML.

    Images need alt text checked elsewhere, and HTML is not trusted. Headings
    are off unless the template places them under a heading of its own
    (`md(headings=3)`), or they would break the outline; underlined (setext)
    headings stay off, so a line of dashes is no heading. Quotes become ‘ ’ “ ”
    (English and Welsh alike) and apostrophes ’.
    """
    disabled = ["lheading", "image", "html_block", "html_inline"] + ([] if headings else ["heading"])
    parser = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": True,
                                       "maxNesting": _PARSER_NESTING})
    parser.enable("table").disable(disabled).enable("smartquotes")
    parser.core.ruler.push("dashes", _dashes)
    return parser


def is_blank(text: str) -> bool:
    """Only spaces of any kind (no-break, em ...), line breaks or invisible characters."""
    return all(c.isspace() or unicodedata.category(c) == "Cf" for c in text)


_MARKERS = re.compile(r"[-*+>]|\d[.)]")


def _may_nest_deeply(text: str) -> bool:
    """Whether `text` has enough list and quote markers to nest past the limit (most text is read no further)."""
    return len(_MARKERS.findall(text)) > MAX_MARKDOWN_DEPTH


@functools.lru_cache(maxsize=4096)
def markdown_depth(text: str) -> int:
    """How deeply lists and block quotes nest in `text`."""
    depth = deepest = 0
    for token in markdown_parser().parse(text):
        if token.type in ("bullet_list_open", "ordered_list_open", "blockquote_open"):
            depth += 1
            deepest = max(deepest, depth)
        elif token.type in ("bullet_list_close", "ordered_list_close", "blockquote_close"):
            depth -= 1
    return deepest


def check_record(loaded: Loaded, fonts: Coverage | None) -> list[Diagnostic]:
    """Every text problem of one record; characters are checked only when the style's fonts are known."""
    found = []
    source = loaded.source
    for path, value, markdown in _strings(loaded.model, ()):
        if fonts is not None:
            missing = [c for c in dict.fromkeys(value) if not fonts.has(c)]
            if missing:
                found.append(source.diagnostic(_missing_message(missing), path))
        if markdown and value and is_blank(value):
            found.append(source.diagnostic(
                f"this text is blank (only spaces or invisible characters); {BLANK_MEANING}: write the update, "
                "or leave the field out", path, warn=True))
        elif markdown and _may_nest_deeply(value):
            depth = markdown_depth(value)
            if depth > MAX_MARKDOWN_DEPTH:
                found.append(source.diagnostic(
                    f"lists or quotes are nested {depth} deep; at most {MAX_MARKDOWN_DEPTH} levels can be printed: "
                    "flatten the innermost levels", path))
    return found


def _missing_message(missing: list[str]) -> str:
    first = missing[0]
    shown = f"U+{ord(first):04X} {first}" if first.isprintable() else f"U+{ord(first):04X}"
    name = unicodedata.name(first, "").lower()
    more = {1: "", 2: ", and 1 other character,"}.get(len(missing), f", and {len(missing) - 1} other characters,")
    return (f"the character {shown}{f' ({name})' if name else ''}{more} cannot be printed: no font of the house "
            f"style has it{script_hint(first)}; see docs/fonts.md for the scripts papers can be written in")


def _strings(value: Any, path: KeyPath, markdown: bool = False) -> Iterator[tuple[KeyPath, str, bool]]:
    """(key path, text, is Markdown) for every string in a validated record, keys of mappings included."""
    if isinstance(value, BaseModel):
        for name, field in type(value).model_fields.items():
            yield from _strings(getattr(value, name), path + (name,), _is_markdown(field.annotation, field.metadata))
    elif isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, str):
                yield path + (key,), key, False
            yield from _strings(item, path + (key,), markdown)
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            yield from _strings(item, path + (index,), markdown)
    elif isinstance(value, str):
        yield path, value, markdown


def _is_markdown(annotation: Any, metadata: list) -> bool:
    """Whether a field holds Markdown (alone, optional, or in a list)."""
    if MARKDOWN in metadata:
        return True
    if typing.get_origin(annotation) is typing.Annotated and MARKDOWN in typing.get_args(annotation)[1:]:
        return True
    return any(_is_markdown(arg, []) for arg in typing.get_args(annotation) if arg is not type(None))
