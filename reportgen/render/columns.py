"""Column widths from the content: each column of a table gets the share of its text, within minimums.

A table asks for it with `data-widths="content"` and a `<colgroup>` of
`<col class="col-NAME">`; its start tag then gets `style="--col-NAME: 54%; ..."`
and the stylesheet sizes each column with `width: var(--col-NAME, <fallback>)`,
so a style can still set its own widths. With explicit widths the table can
use the fixed layout, which is also much faster for WeasyPrint to lay out.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from reportgen.render.linebreaks import LONG_RUN

MIN_SHARE = 0.12  # no column narrower than this share of the table
ROW_HEADER_SHARE = 0.18  # a column of row headings (a recommendation's name and title) no narrower than this
HEADING_CHAR, TEXT_CHAR, PADDING = 0.0095, 0.0085, 0.025  # shares of a landscape table: its longest word must fit
WORD = re.compile(r"(?:[^\s]|[\u00a0\u202f\u2060])+")  # a non-breaking space joins its words into one


class _Table:
    def __init__(self, start: int, end: int, names: list[str]):
        self.start, self.end = start, end  # where its start tag is in the source
        self.names = names
        self.text = [0] * len(names)
        self.longest = [0.0] * len(names)
        self.floors = [0.0] * len(names)


class _Nested:
    """A table pasted into a cell of an asking table: its rows' widest words, for that column's floor."""

    def __init__(self, outer: _Table, column: int):
        self.outer, self.column = outer, column
        self.rows: list[list[int]] = []


class _Reader(HTMLParser):
    """The tables asking for content widths, with the amount of text in each column."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.line_starts = [0, *(m.end() for m in re.finditer("\n", html))]
        self.tables: list[_Table] = []
        self.stack: list[_Table | None] = []  # one entry per open <table>; None for tables not asking
        self.column = None  # index of the cell being read in the innermost asking table
        self.next_column = 0
        self.heading = False
        self.bold = 0  # depth of <strong>/<b>: bold text is wider
        self.nested: list[_Nested | None] = []  # per open table not asking: what it holds, if inside a cell
        self.feed(html)
        self.close()

    def _here(self) -> int:
        line, column = self.getpos()
        return self.line_starts[line - 1] + column

    @property
    def table(self) -> _Table | None:
        return self.stack[-1] if self.stack else None

    def handle_starttag(self, tag, attrs):
        named = dict(attrs)
        if tag == "table":
            asking = named.get("data-widths") == "content"
            start = self._here()
            if not asking:
                inside = self.table is not None and self.column is not None
                self.nested.append(_Nested(self.table, self.column) if inside else None)
            self.stack.append(_Table(start, start + len(self.get_starttag_text()), []) if asking else None)
            if asking:
                self.tables.append(self.stack[-1])
        elif self.table is None:
            pasted = self.nested[-1] if self.nested else None
            if pasted is not None and tag == "tr":
                pasted.rows.append([])
            elif pasted is not None and tag in ("td", "th") and pasted.rows:
                pasted.rows[-1].append(0)
            return
        elif tag in ("strong", "b"):
            self.bold += 1
        elif tag == "col":
            self.table.names.append(next((c[4:] for c in (named.get("class") or "").split() if c.startswith("col-")),
                                         ""))
            self.table.text.append(0)
            self.table.longest.append(0.0)
            self.table.floors.append(0.0)
        elif tag == "tr":
            self.column, self.next_column = None, 0
        elif tag in ("td", "th"):
            self.column = self.next_column
            self.next_column += int(named.get("colspan") or 1) if (named.get("colspan") or "1").isdigit() else 1
            self.heading = tag == "th" and named.get("scope") == "col"
            if tag == "th" and named.get("scope") == "row" and self.table and self.column < len(self.table.floors):
                self.table.floors[self.column] = ROW_HEADER_SHARE

    def handle_endtag(self, tag):
        if tag == "table" and self.stack:
            if self.stack.pop() is not None or not self.nested:
                self.column = None
                return
            pasted = self.nested.pop()
            if pasted is not None:  # its columns side by side need room in the outer cell
                need = max((sum(row) * TEXT_CHAR + len(row) * PADDING for row in pasted.rows), default=0.0)
                pasted.outer.longest[pasted.column] = max(pasted.outer.longest[pasted.column], need)
                self.column = pasted.column
        elif tag in ("strong", "b") and self.bold:
            self.bold -= 1

    def handle_data(self, data):
        pasted = self.nested[-1] if self.table is None and self.nested else None
        if pasted is not None and pasted.rows and pasted.rows[-1]:
            pasted.rows[-1][-1] = max(pasted.rows[-1][-1], _widest(WORD.findall(data)))
            return
        table = self.table
        if table is None or self.column is None or not 0 <= self.column < len(table.names):
            return
        per_char = HEADING_CHAR if self.heading or self.bold else TEXT_CHAR
        words = WORD.findall(data)
        if not self.heading:
            table.text[self.column] += sum(len(w) for w in words)
        if words:
            table.longest[self.column] = max(table.longest[self.column], _widest(words) * per_char + PADDING)


def _widest(words: list[str]) -> int:
    """Characters of the longest word; a longer run than LONG_RUN is given places to wrap
    (render/linebreaks.py), so it needs no wider column."""
    return min(max((len(w) for w in words), default=0), LONG_RUN)


def shares(text: list[int], floors: list[float]) -> list[float]:
    """Each column's share of the text, raised to its floor, the rest shared by the others as their text is."""
    count = len(text)
    floors = [max(MIN_SHARE, f) for f in floors]
    if sum(floors) >= 1 or not sum(text):
        total = sum(floors)
        return [f / total for f in floors] if sum(text) else [1 / count] * count
    fixed: dict[int, float] = {}
    while True:
        free = [i for i in range(count) if i not in fixed]
        room = 1 - sum(fixed.values())
        weight = sum(text[i] for i in free) or 1
        proposal = {i: room * text[i] / weight for i in free}
        low = {i: floors[i] for i, share in proposal.items() if share < floors[i]}
        if not low:
            return [fixed.get(i, proposal.get(i, 0.0)) for i in range(count)]
        fixed.update(low)


def with_content_widths(html: str) -> str:
    """The HTML with each table that asks for it given `--col-NAME` widths from its content."""
    if 'data-widths="content"' not in html:
        return html
    out, done = [], 0
    for table in _Reader(html).tables:
        if not table.names or not all(table.names):
            continue
        widths = shares(table.text, [max(a, b) for a, b in zip(table.longest, table.floors)])
        style = "; ".join(f"--col-{n}: {w * 100:.1f}%" for n, w in zip(table.names, widths))
        tag = html[table.start:table.end]
        out.append(html[done:table.start])
        out.append(tag[:-1].rstrip("/ ") + f' style="{style}">')
        done = table.end
    out.append(html[done:])
    return "".join(out)
