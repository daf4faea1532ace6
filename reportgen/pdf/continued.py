"""The "(continued)" labels: each continuation named where its layout says it starts, drawn by the stamper.

A row, block or group that goes on to another page leaves a band at the top
of the continuation (its style's --continued-band), and a repeated heading
row keeps room after its first cell; pdf/layout.py records where. Each label
is fitted into that room (wrapped, or set a little smaller, never below 9 pt)
and drawn after layout by pdf/stamp.py as a pagination artifact, so it never
reflows the page and a screen reader hears each name once. A label that
cannot fit is left out, and the proof says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from reportgen.pdf.embedded import font_file
from reportgen.pdf.pagemodel import Paper, Run, Slot
from reportgen.pdf.proof import SMALLEST, named_before
from reportgen.pdf.stamp import Mark

SCALE = 0.85  # a label is set this much smaller than the text of what it names
LEADING = 1.2  # line height of a label of two lines, in its font size
INSET = 0.5  # points kept clear at the right of the room, for rounding and kerning


@dataclass(frozen=True)
class Label:
    page: int
    lines: tuple[str, ...]
    x: float
    top: float
    size: float
    align: str = "left"

    def marks(self) -> list[Mark]:
        return [Mark(self.page, line, self.x, self.top + i * LEADING * self.size, self.size, align=self.align)
                for i, line in enumerate(self.lines)]

    def runs(self, font: Path) -> list[Run]:
        """The label as the proof sees it: text drawn on its page, as page furniture."""
        found, file = [], font_file(str(font))
        for i, line in enumerate(self.lines):
            width = file.text_width(line, self.size)
            x0 = self.x - width if self.align == "right" else self.x
            found.append(Run(x0, x0 + width, self.top + (i * LEADING + file.baseline()) * self.size, self.size, line,
                             artifact=True))
        return found


def labels(paper: Paper, font: Path) -> list[Label]:
    """A label for every continuation that has room for one."""
    found = []
    for unit in paper.units:
        for piece in unit.pieces[1:]:
            slot = piece.slot
            if slot is None or not named_before(unit, piece):  # a row whose name starts here needs no label
                continue
            if slot.text:  # a heading row's placeholder, laid out by WeasyPrint in the row's own type
                found.append(Label(piece.page, (slot.text,), slot.x0, slot.top, slot.size, slot.align))
                continue
            label = fit(f"{unit.title} {paper.continued}".strip(), slot, font)
            if label:
                found.append(Label(piece.page, *label))
    return found


def fit(text: str, slot: Slot, font: Path) -> tuple[tuple[str, ...], float, float, float] | None:
    """(lines, x, top, size) of `text` set into `slot`, or None when it cannot fit at 9 pt or more."""
    for size in dict.fromkeys((max(SMALLEST, round(SCALE * slot.size, 2)), SMALLEST)):
        lines = wrap(text, slot.width - INSET, size, font)
        if lines and len(lines) * LEADING * size <= slot.height + 0.5:
            return tuple(lines), slot.x0, slot.top + (LEADING - 1) / 2 * size, size
    return None


def wrap(text: str, width: float, size: float, font: Path) -> list[str]:
    """Lines of `text` no wider than `width`; [] when a word alone is wider. A short last word ("3") keeps
    the word before it, so a number never starts a line on its own."""
    words = text.split()
    joined: list[str] = []
    for word in words:
        if joined and len(word) <= 3 and word[0].isdigit():
            joined[-1] += "\u00a0" + word
        else:
            joined.append(word)
    lines: list[str] = []
    for word in joined:
        candidate = f"{lines[-1]} {word}" if lines else word
        if lines and text_width(candidate, size, font) <= width:
            lines[-1] = candidate
        elif text_width(word, size, font) <= width:
            lines.append(word)
        else:
            return []
    return lines


def text_width(text: str, size: float, font: Path) -> float:
    """The advance width of `text` in `font` at `size` points (no kerning: a little wide, never narrow)."""
    return font_file(str(font)).text_width(text, size)
