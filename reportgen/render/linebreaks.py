"""Line-break opportunities in long unbroken runs of text (a URL, an e-mail address, a very long word) for the PDF.

A run of text with no space cannot wrap, so in a narrow table cell it makes
the column, and then the table, wider than the page. CSS's
`overflow-wrap: anywhere` would let it break, but WeasyPrint then measures
every cell by laying its text out once per character (a 300-character URL
costs half a second, and ordinary papers slow down four times). Instead,
in the HTML the PDF is made from (pipeline/produce.py), a long run gets
zero-width spaces, which draw nothing unless a line breaks there and are not
in the PDF's text: a word where the paper's language hyphenates it (pyphen's
dictionaries), a URL or e-mail address after its punctuation, and where there
is no such place, every few characters. (Soft hyphens would show a hyphen at
the break, but WeasyPrint 70 then measures some cells as if the word could
not break, and the table runs off the page.) The HTML twin wraps with CSS,
which browsers do quickly.
"""

from __future__ import annotations

import functools
import re
import unicodedata

ZERO_WIDTH_SPACE = "\u200b"
LONG_RUN = 20  # runs of this many characters without a space get break opportunities (few English words are as long)
EVERY = 12  # at most this many characters between two break opportunities in a long run
AFTER = frozenset("/.?&=_@#;,)]}-\\|+~")

_TAG = re.compile(r"(<[^>]*>)")
_RUN = re.compile(r"[^\s<>]{%d,}" % LONG_RUN)
_SKIPPED = re.compile(r"<(style|script|head|title)\b", re.I)
_LANG = re.compile(r"<html\b[^>]*\blang=\"([^\"]+)\"", re.I)


def with_break_opportunities(html: str) -> str:
    """`html` with break opportunities in every long unbroken run of its text (never in tags or attributes)."""
    found = _LANG.search(html[:2000])
    hyphenate = _hyphenator(found.group(1) if found else "en")
    pieces = _TAG.split(html)
    skipping: str | None = None
    for index, piece in enumerate(pieces):
        if index % 2:  # a tag
            if skipping is None:
                opened = _SKIPPED.match(piece)
                skipping = opened.group(1).lower() if opened else None
            elif piece.lower().startswith(f"</{skipping}"):
                skipping = None
        elif skipping is None and len(piece) >= LONG_RUN:
            pieces[index] = _RUN.sub(lambda m: _breakable(m.group(), hyphenate), piece)
    return "".join(pieces)


@functools.lru_cache(maxsize=8)
def _hyphenator(lang: str):
    """pyphen's hyphenation of `lang` (e.g. en-GB), or None where it has no dictionary (Welsh)."""
    import pyphen

    dictionary = pyphen.language_fallback(lang.replace("-", "_"))
    return pyphen.Pyphen(lang=dictionary) if dictionary else None


def _breakable(run: str, hyphenate) -> str:
    """The run with break opportunities: a word's hyphenation points, or after a URL's punctuation."""
    if run.isalpha():
        points = set(hyphenate.positions(run)) if hyphenate is not None and run.isascii() else set()
        return _with_breaks(run, lambda i, char: i in points)
    return _with_breaks(run, lambda i, char: char in AFTER and run[i] not in AFTER)


def _with_breaks(run: str, preferred) -> str:
    """A zero-width space before each index i where `preferred(i, run[i - 1])`, and every EVERY characters."""
    out = [run[0]]
    since = 1
    in_entity = run[0] == "&"  # inside "&amp;": never broken
    for i in range(1, len(run)):
        before, char = run[i - 1], run[i]
        if not in_entity and char != "&" and _may_break_between(before, char) \
                and (preferred(i, before) or since >= EVERY):
            out.append(ZERO_WIDTH_SPACE)
            since = 0
        out.append(char)
        since += 1
        in_entity = (in_entity or char == "&") and char != ";"
    return "".join(out)


def _may_break_between(before: str, after: str) -> bool:
    """Only between two letters of scripts that do not join or combine (Latin, Greek, Cyrillic), never before a mark."""
    return ord(before) < 0x0590 and ord(after) < 0x0590 and not unicodedata.category(after).startswith("M")
