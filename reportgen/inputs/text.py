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


# A list or quote can only open at the start of a line, after the markers of
# the blocks it sits in: so the markers in those line prefixes, counted over
# every line, bound the depth from above, and prose with hyphens or "2013."
# in it is never parsed.
_MARKER = r"(?:>|[-*+](?=[ \t]|$)|\d{1,9}[.)](?=[ \t]|$))"
_PREFIX = re.compile(rf"^[ \t]*(?:{_MARKER}[ \t]*)+", re.M)
_MARKERS = re.compile(_MARKER, re.M)


def _may_nest_deeply(text: str) -> bool:
    """Whether `text` has enough list and quote markers to nest past the limit (most text is read no further)."""
    lines = text.replace("\r", "\n")  # CommonMark ends a line at CR too
    return sum(len(_MARKERS.findall(prefix)) for prefix in _PREFIX.findall(lines)) > MAX_MARKDOWN_DEPTH


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
    strings = list(_strings(loaded.model, ()))
    # Most records print whole: their characters are checked together, and each string only when one is not.
    unprintable = set() if fonts is None else {c for c in _characters(strings, fonts.ascii_gaps) if not fonts.has(c)}
    for path, value, markdown in strings:
        if unprintable and not unprintable.isdisjoint(value):
            found.append(source.diagnostic(_missing_message([c for c in dict.fromkeys(value) if c in unprintable]),
                                           path))
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


def _characters(strings: list[tuple[KeyPath, str, bool]], ascii_gaps: frozenset[str]) -> set[str]:
    """The characters of the strings that may be unprintable: ASCII text (most) is skipped when the fonts
    print all of ASCII (`str.isascii` does not read the text)."""
    found: set[str] = set()
    for _, value, _ in strings:
        if not value.isascii() or (ascii_gaps and not ascii_gaps.isdisjoint(value)):
            found.update(value)
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
        for name, markdown_field in _fields(type(value)):
            yield from _strings(getattr(value, name), path + (name,), markdown_field)
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


@functools.lru_cache(maxsize=None)
def _fields(model: type[BaseModel]) -> tuple[tuple[str, bool], ...]:
    """(name, holds Markdown) of each field of a model class."""
    return tuple((name, _is_markdown(field.annotation, field.metadata)) for name, field in model.model_fields.items())


def _is_markdown(annotation: Any, metadata: list) -> bool:
    """Whether a field holds Markdown (alone, optional, or in a list)."""
    if MARKDOWN in metadata:
        return True
    if typing.get_origin(annotation) is typing.Annotated and MARKDOWN in typing.get_args(annotation)[1:]:
        return True
    return any(_is_markdown(arg, []) for arg in typing.get_args(annotation) if arg is not type(None))
