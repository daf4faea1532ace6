"""What the proof reads about a laid-out paper: pages, lines of text, and the rows and blocks that break.

Two readers fill it in: pdf/layout.py from WeasyPrint's layout tree during a
build, pdf/readback.py from any PDF (pdfplumber and the structure tree) for
`reportgen check`. The proof's rules (pdf/proof.py) see only this, so both
give the same findings for the same pages. All lengths are points, measured
from the top left of the page.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# A glyph's box, from its baseline: the same fractions of the font size whichever reader made it.
ASCENT, DESCENT = 0.75, 0.2
SAME_LINE = 1.0  # baselines closer than this (points) are one line
CONTINUED = {"cy": "(parhad)"}  # the word for "(continued)" by language; English otherwise


def continued_word(lang: str) -> str:
    """"(continued)" in the paper's language (its primary subtag: en, cy)."""
    return CONTINUED.get(lang.split("-")[0].lower(), "(continued)")


@dataclass(frozen=True)
class Box:
    x0: float
    top: float
    x1: float
    bottom: float

    @property
    def height(self) -> float:
        return self.bottom - self.top

    @property
    def width(self) -> float:
        return self.x1 - self.x0


@dataclass(frozen=True)
class Run:
    """Text drawn in one font at one baseline; `artifact` for page furniture and "(continued)" labels."""

    x0: float
    x1: float
    baseline: float
    size: float
    text: str
    artifact: bool = False

    @property
    def top(self) -> float:
        return self.baseline - ASCENT * self.size

    @property
    def bottom(self) -> float:
        return self.baseline + DESCENT * self.size


@dataclass(frozen=True)
class Slot:
    """Where a "(continued)" label goes on a continuation: the band a style leaves for it (layout tree only)."""

    x0: float
    top: float
    width: float
    height: float
    size: float
    text: str = ""  # set when WeasyPrint laid out the label itself (a repeated heading row's placeholder)
    align: str = "left"  # "right": x0 is where the label ends (a placeholder's space may start its box)


@dataclass
class Piece:
    """The part of a row, block, group or table on one page; `cells` holds each cell's lines of text there."""

    page: int  # 0-based
    cells: tuple[tuple[Run, ...], ...]
    slot: Slot | None = None

    @property
    def runs(self) -> list[Run]:
        return [run for cell in self.cells for run in cell]

    def lines(self, cell: int | None = None) -> int:
        """Lines of text in one cell (all cells when None) on this page."""
        runs = self.runs if cell is None else self.cells[cell]
        return count_lines(runs)

    def most_lines(self) -> int:
        return max((count_lines(c) for c in self.cells), default=0)

    def extent(self) -> Box | None:
        return extent(self.runs)


@dataclass
class Unit:
    """A table row, a labelled block, a group (a block holding others) or a table with a heading row.

    `title` names it ("Munro recommendation 3"); a piece after the first must
    show it, with "(continued)", near its top.
    """

    key: str
    kind: str  # "row", "block", "group" or "table"
    title: str
    pieces: list[Piece] = field(default_factory=list)

    @property
    def split(self) -> bool:
        return len(self.pieces) > 1

    def cell_lines(self, cell: int) -> int:
        return sum(p.lines(cell) for p in self.pieces if cell < len(p.cells))

    @property
    def columns(self) -> int:
        return max((len(p.cells) for p in self.pieces), default=0)

    def height(self) -> float:
        return sum(e.height for e in (p.extent() for p in self.pieces) if e is not None)


@dataclass
class Page:
    width: float
    height: float
    content: Box  # the page area text belongs in (the page's /ArtBox in a PDF reportgen wrote)
    runs: list[Run] = field(default_factory=list)
    missing_glyphs: int = 0  # glyphs drawn as .notdef: no font had the character
    lost: list[str] = field(default_factory=list)  # text laid out where nobody sees it (clipped)
    figures: list[Box] = field(default_factory=list)  # pictures, which fill a page as text does


@dataclass
class Paper:
    pages: list[Page]
    units: list[Unit]
    lang: str = "en"
    source_text: str | None = None  # the words of the HTML, when the reader had it (a build, not `check`)

    @property
    def continued(self) -> str:
        return continued_word(self.lang)


def count_lines(runs) -> int:
    baselines = sorted({round(r.baseline, 2) for r in runs if r.text.strip() and not r.artifact})
    lines, last = 0, None
    for baseline in baselines:
        if last is None or baseline - last > SAME_LINE:
            lines += 1
            last = baseline
    return lines


def extent(runs) -> Box | None:
    shown = [r for r in runs if r.text.strip() and not r.artifact]
    if not shown:
        return None
    return Box(min(r.x0 for r in shown), min(r.top for r in shown),
               max(r.x1 for r in shown), max(r.bottom for r in shown))


def first_line_title(unit: Unit) -> str:
    """A row's name when nothing names it: the first line of its first cell, without a closing colon."""
    for piece in unit.pieces:
        line = [r for r in (piece.cells[0] if piece.cells else ()) if not r.artifact and r.text.strip()]
        if line:
            baseline = min(r.baseline for r in line)
            return " ".join(r.text.strip() for r in line if abs(r.baseline - baseline) < SAME_LINE).rstrip(":").strip()
    return ""
