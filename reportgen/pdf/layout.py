"""WeasyPrint's layout tree read into the page model, with the HTML elements behind each row and block.

Read during a build, before any PDF is written, so proofing costs a walk over
boxes rather than a read-back. Boxes are read by their class names and
attributes (WeasyPrint 70), so this module never imports WeasyPrint; the
engine hands it the pages.

What counts as a unit (docs/house-styles.md): every body row of a table,
every element with class `unit` (a labelled block; a group when it holds
other units), and every table with a heading row. `data-title` names a unit;
`--continued-band` is the room a style leaves for "(continued)" at the top of
a continuation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from reportgen.pdf.pagemodel import Box, Page, Paper, Piece, Run, Slot, Unit, first_line_title

PX = 0.75  # CSS pixels to points
UNIT_CLASS = "unit"
FORCED = ("page", "left", "right", "recto", "verso")
HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
BAND = "__continued_band"  # how WeasyPrint stores the custom property --continued-band
WORD = re.compile(r"\w+")


@dataclass
class Block:
    """A block on one page and its lines there: inside a cell or block unit, or a paragraph of the flow."""

    element: object
    runs: list[Run] = field(default_factory=list)
    units: tuple[str, ...] = ()  # the units it is inside (a paragraph of the flow)

    @property
    def heading(self) -> bool:
        return getattr(self.element, "tag", "") in HEADINGS


@dataclass
class Layout:
    """The page model, and what the break passes need to act on it: each unit's element and cells' blocks."""

    paper: Paper
    elements: dict[str, object]
    blocks: dict[tuple[str, int, int], list[Block]]  # (unit key, piece index, cell) -> its blocks in order
    starts: dict[str, int] = field(default_factory=dict)  # unit key -> page its first piece is on
    flow: dict[int, list[Block]] = field(default_factory=dict)  # page -> its paragraphs outside rows and blocks
    forced: set[int] = field(default_factory=set)  # pages that start with a forced break (e.g. an appendix)
    first_rows: set[str] = field(default_factory=set)  # rows first in their table body


@dataclass(frozen=True)
class _Context:
    """Where the walk is: page furniture or not, the clip of any `overflow` box, the units it is inside."""

    artifact: bool = False
    clip: Box | None = None
    units: tuple = ()  # (unit key, cell, the cell's child being walked or None)
    head: bool = False  # inside a heading or footing row group
    paragraph: object = None  # the element of the block holding the lines being walked

    def but(self, **changes) -> "_Context":
        return replace(self, **changes)

    def inside(self, opened: tuple) -> "_Context":
        return replace(self, units=(*self.units, opened))


class _Reader:
    def __init__(self, lang: str, missing: frozenset[str]):
        self.lang = lang
        self.missing = missing
        self.keys: dict[int, str] = {}
        self.units: dict[str, Unit] = {}
        self.elements: dict[str, object] = {}
        self.cells: dict[tuple[str, int], list[list[Run]]] = {}  # (key, page) -> cells' runs
        self.slots: dict[tuple[str, int], Slot] = {}
        self.blocks: dict[tuple[str, int, int], list[Block]] = {}
        self.table_pages: dict[str, int] = {}
        self.flow: dict[int, list[Block]] = {}
        self.forced: set[int] = set()
        self.seen: set[int] = set()
        self.first_rows: set[str] = set()

    def key(self, element, kind: str, title: str) -> str:
        key = self.keys.get(id(element))
        if key is None:
            key = self.keys[id(element)] = f"u{len(self.keys)}"
            self.units[key] = Unit(key, kind, title)
            self.elements[key] = element
        return key

    def read_page(self, number: int, page_box) -> Page:
        x0, y0 = page_box.content_box_x(), page_box.content_box_y()
        page = Page(page_box.margin_width() * PX, page_box.margin_height() * PX,
                    Box(x0 * PX, y0 * PX, (x0 + page_box.width) * PX, (y0 + page_box.height) * PX))
        self.page, self.page_number = page, number
        for child in page_box.children:
            self.walk(child, _Context(artifact=type(child).__name__ == "MarginBox"))
        return page

    def walk(self, box, ctx: "_Context") -> None:
        name = type(box).__name__
        if name == "TextBox":
            self.text(box, ctx)
            return
        if name.endswith("ReplacedBox"):
            x, y = box.border_box_x() * PX, box.border_box_y() * PX
            self.page.figures.append(Box(x, y, x + box.border_width() * PX, y + box.border_height() * PX))
            return
        element = box.element
        if element is not None and id(element) not in self.seen:  # the element starts here
            self.seen.add(id(element))
            if box.style["break_before"] in FORCED and not any(not r.artifact for r in self.page.runs):
                self.forced.add(self.page_number)
        if any(type(child).__name__ == "LineBox" for child in getattr(box, "children", ())):
            ctx = ctx.but(paragraph=box.element)
        if name == "TableBox" and self._table(box):
            key = self.key(element, "table", "")
            first = self.table_pages.setdefault(key, self.page_number)
            inner = ctx.inside(self.enter(key, 0, box, band=False))
            for group in box.children:
                repeat = bool(getattr(group, "is_header", False)) and self.page_number != first
                if repeat:
                    self.placeholder(key, group)
                self.walk(group, inner.but(artifact=ctx.artifact or repeat))
            return
        if name == "TableRowGroupBox":
            ctx = ctx.but(head=bool(getattr(box, "is_header", False) or getattr(box, "is_footer", False)))
        elif name == "TableRowBox" and not ctx.head:
            key = self.key(element, "row", " ".join((element.get("data-title") or "").split()))
            if getattr(box, "index", None) == 0:
                self.first_rows.add(key)
            for index, cell in enumerate(box.children):
                self.enter_children(key, index, cell, ctx, band=index == 0)
            return
        elif _is_unit(box):
            key = self.key(element, "block", " ".join((element.get("data-title") or "").split()))
            self.enter_children(key, 0, box, ctx, band=True)
            return
        if box.style["overflow"] != "visible" and hasattr(box, "padding_box_x"):
            ctx = ctx.but(clip=_clip(ctx.clip, box))
        for child in getattr(box, "children", ()):
            self.walk(child, ctx)

    def _table(self, box) -> bool:
        """A table with a heading row (on this page, or on the page it started: WeasyPrint may leave it out)."""
        if box.children and getattr(box.children[0], "is_header", False):
            return True
        key = self.keys.get(id(box.element))
        return key is not None and self.units[key].kind == "table"

    def enter_children(self, key: str, cell: int, box, ctx: "_Context", *, band: bool) -> None:
        opened = self.enter(key, cell, box, band=band)
        for child in box.children:
            self.walk(child, ctx.inside((*opened[:2], child)))

    def enter(self, key: str, cell: int, box, *, band: bool) -> tuple:
        """Start (or go on with) `key`'s piece on this page at `cell`; note the band a continuation leaves."""
        cells = self.cells.setdefault((key, self.page_number), [])
        while len(cells) <= cell:
            cells.append([])
        if band and (key, self.page_number) not in self.slots and self.page_number != self._first_page(key):
            room = _band(box)
            if room:
                top = box.content_box_y() * PX - room
                # An empty cell (the row's name ended on an earlier page): the label may use all of it.
                height = room if _has_text(box) else room + box.height * PX
                self.slots[(key, self.page_number)] = Slot(
                    box.content_box_x() * PX, top, box.width * PX, height, box.style["font_size"] * PX)
        return key, cell, None

    def _first_page(self, key: str) -> int:
        pages = [page for (k, page) in self.cells if k == key]
        return min(pages) if pages else self.page_number

    def placeholder(self, key: str, head) -> None:
        """The hidden " (continued)" a style puts after a heading row's first cell: where the label goes."""
        for box in descendants(head):
            if type(box).__name__ == "TextBox" and box.element_tag.endswith("::after") and box.text.strip():
                size = box.style["font_size"] * PX
                baseline = (box.position_y + box.baseline) * PX
                self.slots[(key, self.page_number)] = Slot(
                    (box.position_x + box.width) * PX, baseline - 0.8 * size, box.width * PX, size, size,
                    box.text.strip(), align="right")
                return

    def text(self, box, ctx: "_Context") -> None:
        if not box.text.strip() or box.style["visibility"] != "visible":
            return
        size = box.style["font_size"] * PX
        x0 = box.position_x * PX
        run = Run(x0, x0 + box.width * PX, (box.position_y + box.baseline) * PX, size, box.text, ctx.artifact)
        clip = ctx.clip
        if clip is not None and (run.x1 <= clip.x0 or run.x0 >= clip.x1 or run.baseline <= clip.top
                                 or run.top >= clip.bottom):
            self.page.lost.append(box.text.strip())
            return
        self.page.runs.append(run)
        if self.missing:
            self.page.missing_glyphs += sum(1 for c in box.text if c in self.missing)
        if ctx.paragraph is not None:
            flow = self.flow.setdefault(self.page_number, [])
            if not flow or flow[-1].element is not ctx.paragraph:
                flow.append(Block(ctx.paragraph, units=tuple(key for key, _, _ in ctx.units)))
            flow[-1].runs.append(run)
        for key, cell, child in ctx.units:
            self.cells[(key, self.page_number)][cell].append(run)
            if child is not None:
                blocks = self.blocks.setdefault((key, self.page_number, cell), [])
                if not blocks or blocks[-1].element is not child.element:
                    blocks.append(Block(child.element))
                blocks[-1].runs.append(run)

    def paper(self, pages: list[Page], source_text: str | None) -> Layout:
        starts, blocks = {}, {}
        for (key, page), cells in sorted(self.cells.items(), key=lambda item: item[0][1]):
            piece = Piece(page, tuple(tuple(c) for c in cells), self.slots.get((key, page)))
            if piece.extent() is None:  # only padding or a repeated heading row of it here: no piece
                continue
            unit = self.units[key]
            starts.setdefault(key, page)
            unit.pieces.append(piece)
        for (key, page, cell), found in self.blocks.items():
            on = [p.page for p in self.units[key].pieces]
            if page in on:
                blocks[(key, on.index(page), cell)] = found
        nested = {key for key in self.units if self.units[key].kind in ("row", "block")}
        for key, unit in self.units.items():
            if unit.kind == "block" and _holds_units(self.elements[key], self.elements, nested - {key}):
                unit.kind = "group"
            if unit.kind == "row" and not unit.title:
                unit.title = first_line_title(unit)
        units = [u for u in self.units.values() if u.pieces]
        return Layout(Paper(pages, units, self.lang, source_text), self.elements, blocks, starts, self.flow,
                      self.forced, self.first_rows)


def _holds_units(element, elements: dict, candidates: set) -> bool:
    inside = {id(e) for e in element.iter()} - {id(element)}
    return any(id(elements[k]) in inside for k in candidates)


def _is_unit(box) -> bool:
    element = box.element
    return (element is not None and "::" not in (box.element_tag or "")
            and type(box).__name__ not in ("TableCellBox", "InlineBox", "LineBox")
            and UNIT_CLASS in (element.get("class") or "").split())


def _clip(clip: Box | None, box) -> Box:
    inner = Box(box.padding_box_x() * PX, box.padding_box_y() * PX,
                (box.padding_box_x() + box.padding_width()) * PX, (box.padding_box_y() + box.padding_height()) * PX)
    if clip is None:
        return inner
    return Box(max(clip.x0, inner.x0), max(clip.top, inner.top), min(clip.x1, inner.x1), min(clip.bottom, inner.bottom))


def descendants(box):
    yield box
    for child in getattr(box, "children", ()):
        yield from descendants(child)


def _has_text(box) -> bool:
    return any(type(b).__name__ == "TextBox" and b.text.strip() for b in descendants(box))


def _band(box) -> float:
    """The style's --continued-band for this box, in points (0 when it leaves none)."""
    try:
        tokens = box.style[BAND]
    except (KeyError, TypeError):
        return 0.0
    for token in tokens or ():
        if getattr(token, "type", "") == "dimension":
            scale = {"pt": 1.0, "px": PX, "mm": 72 / 25.4, "em": box.style["font_size"] * PX}.get(token.unit.lower())
            return float(token.value) * scale if scale else 0.0
        if getattr(token, "type", "") == "number" and token.value == 0:
            return 0.0
    return 0.0


def source_words(root_box) -> str:
    """The visible text WeasyPrint was given to lay out (before pagination), as one string."""
    return " ".join(b.text for b in descendants(root_box)
                    if type(b).__name__ == "TextBox" and b.style["visibility"] == "visible")


def read(page_boxes, *, lang: str = "en", source_text: str | None = None,
         missing: frozenset[str] = frozenset()) -> Layout:
    """The page model of laid-out pages (WeasyPrint PageBoxes), with the elements behind its units.

    `missing` holds the characters WeasyPrint drew as .notdef (it logs them while writing the PDF).
    """
    reader = _Reader(lang, missing)
    pages = [reader.read_page(n, box) for n, box in enumerate(page_boxes)]
    return reader.paper(pages, source_text)
