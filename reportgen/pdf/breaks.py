"""Rows and blocks that break well: review the first layout, mark what breaks badly, lay out again.

WeasyPrint alone splits a table row or a block wherever the page ends
(`break-inside: avoid` on every row instead leaves pages half empty). Here the
first layout is read from WeasyPrint's own tree (pdf/layout.py) and judged by
the proof's rules; a unit that would start at a page foot with too little of
itself, or that is short and split at all, gets `break-inside: avoid`; a
continuation of one line (or a nearly empty last page) pulls lines over from
the page before (`break-before: avoid` and `widows`). The engine then lays
out again from the first page that changes, at most MAX_PASSES times, and
only for papers that need it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from reportgen.pdf import layout as layout_tree
from reportgen.pdf.pagemodel import count_lines
from reportgen.pdf.proof import MIN_CELL_LINES, SHORT, THIN_PAGE, page_fill, weak_start

MAX_PASSES = 2
TALL = 0.75  # of a page: a unit taller than this is moved by a page break, not kept whole


@dataclass(frozen=True)
class Change:
    element: object
    style: tuple[tuple[str, object], ...]  # (WeasyPrint property name, value)
    page: int  # the first page (0-based) whose layout it can change


@dataclass
class BreakPasses:
    """The engine's LayoutHooks for a paper: review and re-lay out, then read the final pages."""

    lang: str = "en"
    max_passes: int = MAX_PASSES  # 0: review nothing (a single pass, as `make bench` compares)
    passes: int = 0
    applied: dict[tuple[int, str], object] = field(default_factory=dict)  # (element id, property) -> value
    source_text: str | None = None

    def review(self, pages: list, root_box) -> set[int]:
        if self.source_text is None:
            self.source_text = layout_tree.source_words(root_box)
        if self.passes >= self.max_passes:
            return set()
        changes = [c for c in plan(layout_tree.read(pages, lang=self.lang)) if self._new(c)]
        needed = {c.page for c in changes if c.page >= 0}
        if not needed:
            return set()
        _apply(root_box, changes)
        for change in changes:
            for name, value in change.style:
                self.applied[(id(change.element), name)] = value
        self.passes += 1
        return needed

    def _new(self, change: Change) -> bool:
        return any(self.applied.get((id(change.element), name)) != value for name, value in change.style)

    def inspect(self, pages: list, missing: frozenset[str]) -> layout_tree.Layout:
        return layout_tree.read(pages, lang=self.lang, source_text=self.source_text, missing=missing)


def plan(found: layout_tree.Layout) -> list[Change]:
    """What to change so that every row and block breaks well; [] when they all do.

    Short units that are whole now are also kept whole (page -1: no reason on
    its own to lay out again), so that the next pass cannot split them.
    """
    paper = found.paper
    changes: list[Change] = []
    for unit in paper.units:
        if unit.kind not in ("row", "block"):
            continue
        element = found.elements[unit.key]
        content = paper.pages[unit.pieces[0].page].content.height
        short = unit.height() < SHORT * content
        if unit.split and (short or weak_start(unit)):
            # Kept whole it moves to the next page; one nearly a page tall would not fit there beside its
            # table's heading row, which WeasyPrint would then leave out: that one only starts a new page.
            tall = unit.height() > TALL * content and unit.key not in found.first_rows
            style = ("break_before", "page") if tall else ("break_inside", "avoid")
            changes.append(Change(element, (style,), unit.pieces[0].page))
            continue
        if short:
            changes.append(Change(element, (("break_inside", "avoid"),), -1))
            continue
        for index, piece in enumerate(unit.pieces[1:], 1):
            page = paper.pages[piece.page]
            wanted = MIN_CELL_LINES
            last = index == len(unit.pieces) - 1
            if last and len(paper.pages) > 1 and page_fill(page) < THIN_PAGE:
                wanted = max(wanted, _lines_to_fill(page, piece))
            if piece.most_lines() < wanted:
                changes += _pull_back(found, unit, index, wanted)
    return changes + _fill_thin_pages(found)


def _fill_thin_pages(found: layout_tree.Layout) -> list[Change]:
    """A nearly empty last page (or one before a forced break) of plain paragraphs takes some from the page before.

    The paragraphs that end the page before move over, a heading with the
    paragraph after it, as long as that page keeps most of what it had.
    """
    paper = found.paper
    kinds = {unit.key: unit.kind for unit in paper.units}
    changes = []
    for number, page in enumerate(paper.pages[1:], 1):
        last = number == len(paper.pages) - 1
        fill = page_fill(page)
        if fill >= THIN_PAGE or number in found.forced or not (last or number + 1 in found.forced):
            continue
        trailing = []  # the paragraphs that end the page before, outside rows and blocks, last first
        for block in reversed(found.flow.get(number - 1, [])):
            if any(kinds.get(key) in ("row", "block") for key in block.units):
                break
            trailing.append(block)
        if len(trailing) < 2:
            continue
        bottom = max(r.bottom for r in trailing[0].runs)
        needed = (THIN_PAGE * 1.3 - fill) * page.content.height
        for index, block in enumerate(trailing[:-1]):  # never the page's first paragraph
            top = min(r.top for r in block.runs)
            if bottom - top >= needed:
                move = trailing[index + 1] if trailing[index + 1].heading else block
                if move is not trailing[-1]:
                    changes.append(Change(move.element, (("break_before", "page"),), number - 1))
                break
    return changes


def _lines_to_fill(page, piece) -> int:
    """Lines a last piece must carry for its page to be filled to THIN_PAGE."""
    shown = [r for r in piece.runs if not r.artifact]
    if not shown:
        return MIN_CELL_LINES
    pitch = 1.4 * max(r.size for r in shown)
    missing = THIN_PAGE * page.content.height - page_fill(page) * page.content.height
    return piece.most_lines() + max(1, math.ceil(missing / pitch)) + 1


def _pull_back(found: layout_tree.Layout, unit, index: int, wanted: int) -> list[Change]:
    """Make the page before end earlier inside `unit`, so that piece `index` carries `wanted` lines."""
    before, piece = unit.pieces[index - 1], unit.pieces[index]
    # The cell that goes on furthest here, or else the longest one before the break.
    cells = range(len(before.cells))
    cell = max(cells, key=lambda c: (piece.lines(c) if c < len(piece.cells) else 0, before.lines(c)))
    ending = found.blocks.get((unit.key, index - 1, cell), [])
    going_on = found.blocks.get((unit.key, index, cell), [])
    if not ending:
        return []
    last = ending[-1]
    have = piece.lines(cell) if cell < len(piece.cells) else 0
    more = wanted - have
    if going_on and going_on[0].element is last.element:  # a paragraph split by the break: split it earlier
        lines_here = count_lines(going_on[0].runs)
        return [Change(last.element, (("widows", lines_here + more),), before.page)]
    changes = [Change(last.element, (("widows", max(MIN_CELL_LINES, more)),), before.page)]
    if going_on:
        changes.append(Change(going_on[0].element, (("break_before", "avoid"),), before.page))
    return changes


def _apply(root_box, changes: list[Change]) -> None:
    """Give every box of each element a copy of its style with the changes (layout copies boxes, not styles)."""
    wanted: dict[int, list[tuple[str, object]]] = {}
    for change in changes:
        wanted.setdefault(id(change.element), []).extend(change.style)
    for box in layout_tree.descendants(root_box):
        element = getattr(box, "element", None)
        if element is None or id(element) not in wanted or "::" in (box.element_tag or ""):
            continue
        if type(box).__name__ in ("TextBox", "LineBox", "InlineBox"):
            continue
        style = box.style.copy()
        for name, value in wanted[id(element)]:
            style[name] = value
        box.style = style
