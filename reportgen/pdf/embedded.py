"""Marks drawn with a font the PDF already embeds, without laying out a document of stamps.

The "(continued)" labels are set in the base style's regular font, which the
paper's own text has already embedded (a subset, written by WeasyPrint as a
Type0 font with Identity-H codes that are the font file's glyph ids). When that
subset holds every glyph a mark needs, the stamper draws the mark with it: a
few text operators in a form XObject, where laying out a second document would
cost a WeasyPrint render, a font subset and a PDF to read back (about half a
second a paper). Anything else (another script, markup, a font the PDF does
not hold) is still laid out by WeasyPrint (pdf/stamp.py).

The embedded font is taken to be the file's when its codes are the file's glyph
ids for the characters it maps (ToUnicode) and its widths are the file's
advances: the same glyphs at the same places, so the text reads and measures
as WeasyPrint would have set it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pikepdf
from pikepdf import Array, Dictionary, Name

STAMP_GREY = 26 / 255  # the stamps' text colour, #1a1a1a
NO_BREAK_SPACE = "\u00a0"
_BFCHAR = re.compile(rb"beginbfchar(.*?)endbfchar", re.S)
_PAIR = re.compile(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]*)>")


@dataclass(frozen=True)
class FontFile:
    """What drawing needs of a TrueType file: its character map, advances and vertical metrics."""

    cmap: dict[int, int]  # code point -> glyph id
    advances: dict[int, int]  # glyph id -> advance, in font units
    em: int
    ascent: int
    descent: int  # positive, below the baseline
    italic: bool

    def width(self, glyphs: list[int], size: float) -> float:
        """The advance of `glyphs` at `size` points (no kerning: a little wide, never narrow)."""
        missing = self.advances.get(0, self.em // 2)  # glyph 0 is .notdef
        return sum(self.advances.get(glyph, missing) for glyph in glyphs) * size / self.em

    def text_width(self, text: str, size: float) -> float:
        return self.width([self.cmap.get(ord(c), 0) for c in text], size)

    def baseline(self) -> float:
        """Where the baseline of a line `line-height: 1` falls below its top, in ems (as CSS places it)."""
        return ((self.em - self.ascent - self.descent) / 2 + self.ascent) / self.em


@lru_cache(maxsize=4)
def font_file(path: str) -> FontFile:
    from fontTools.ttLib import TTFont

    with TTFont(path, lazy=True) as font:
        order = {name: gid for gid, name in enumerate(font.getGlyphOrder())}
        cmap = {code: order[name] for code, name in font.getBestCmap().items() if name in order}
        advances = {order[name]: metric[0] for name, metric in font["hmtx"].metrics.items() if name in order}
        hhea = font["hhea"]
        italic = bool(font["head"].macStyle & 2) or font["post"].italicAngle != 0
        return FontFile(cmap, advances, font["head"].unitsPerEm, hhea.ascent, -hhea.descent, italic)


@dataclass(frozen=True)
class EmbeddedFont:
    """A font dictionary of the PDF that draws the file's glyphs `held`."""

    font: pikepdf.Object
    file: FontFile
    held: frozenset[int]  # glyph ids in the subset

    def glyphs(self, text: str) -> list[int] | None:
        """The subset's glyph for each character; None when it lacks one. A no-break space is drawn as the
        space it is shaped as (the labels keep "recommendation 1" together with one)."""
        found = []
        for character in text:
            glyph = self.file.cmap.get(ord(character))
            if glyph not in self.held and character == NO_BREAK_SPACE:
                glyph = self.file.cmap.get(ord(" "))
            if glyph not in self.held:
                return None
            found.append(glyph)
        return found

    def can_draw(self, text: str) -> bool:
        return self.glyphs(text) is not None

    def form(self, pdf: pikepdf.Pdf, size: tuple[float, float], marks: list) -> pikepdf.Stream:
        """A form XObject the size of the shown page with each mark's text (all drawable) at its place."""
        width, height = size
        lines = [f"{STAMP_GREY:.4f} g".encode()]
        for mark in marks:
            glyphs = self.glyphs(mark.text) or []
            advance = self.file.width(glyphs, mark.size)
            x = {"left": mark.x, "right": mark.x - advance, "center": mark.x - advance / 2}[mark.align]
            y = height - mark.y - self.file.baseline() * mark.size
            codes = "".join(f"{glyph:04x}" for glyph in glyphs)
            lines.append(f"BT /L {pdf_number(mark.size)} Tf {pdf_number(x)} {pdf_number(y)} Td <{codes}> Tj ET"
                         .encode())
        return pdf.make_stream(b"\n".join(lines) + b"\n", Dictionary(
            Type=Name.XObject, Subtype=Name.Form, BBox=Array([0, 0, width, height]),
            Resources=Dictionary(Font=Dictionary(L=self.font))))


def find(pdf: pikepdf.Pdf, path: Path) -> EmbeddedFont | None:
    """The PDF's embedded subset of the font file at `path`, if its pages use one; else None."""
    file = font_file(str(path))
    best: EmbeddedFont | None = None
    seen: set[tuple[int, int]] = set()
    for page in pdf.pages:
        resources = page.obj.get("/Resources")
        fonts = resources.get("/Font") if isinstance(resources, Dictionary) else None
        if not isinstance(fonts, Dictionary):
            continue
        for font in fonts.values():
            if not font.is_indirect or font.objgen in seen:
                continue
            seen.add(font.objgen)
            held = _held_glyphs(font, file)
            if held and (best is None or len(held) > len(best.held)):
                best = EmbeddedFont(font, file, held)
    return best


def _held_glyphs(font, file: FontFile) -> frozenset[int]:
    """The glyph ids a Type0 Identity-H font holds, when they are the file's (same ids, same widths); else none."""
    if font.get("/Subtype") != Name.Type0 or font.get("/Encoding") != Name("/Identity-H"):
        return frozenset()
    descendants = font.get("/DescendantFonts")
    cid_font = descendants[0] if isinstance(descendants, Array) and len(descendants) == 1 else None
    if not isinstance(cid_font, Dictionary) or cid_font.get("/Subtype") != Name.CIDFontType2 \
            or cid_font.get("/CIDToGIDMap") != Name.Identity:
        return frozenset()
    descriptor = cid_font.get("/FontDescriptor")
    flags = int(descriptor.get("/Flags", 0)) if isinstance(descriptor, Dictionary) else 0
    if bool(flags & 64) != file.italic:  # an italic of the same widths (Liberation's are metric-compatible)
        return frozenset()
    to_unicode = font.get("/ToUnicode")
    if not isinstance(to_unicode, pikepdf.Stream):
        return frozenset()
    mapped = {}
    for block in _BFCHAR.findall(to_unicode.read_bytes()):
        for code, text in _PAIR.findall(block):
            characters = bytes.fromhex(text.decode()).decode("utf-16-be", errors="replace")
            if len(characters) == 1:
                mapped[int(code, 16)] = ord(characters)
    widths = _widths(cid_font.get("/W"))
    scale = 1000 / file.em
    for glyph, character in mapped.items():
        if file.cmap.get(character, glyph) != glyph:
            return frozenset()  # another font's glyph order
        if glyph in widths and abs(widths[glyph] - file.advances.get(glyph, -1e9) * scale) > 1:
            return frozenset()  # another font's metrics (or a glyph the file does not have)
    return frozenset(g for g in mapped if g in widths)


def _widths(array) -> dict[int, float]:
    """A CIDFont's /W array as glyph id -> width (both forms: `c [w1 w2 ...]` and `c_first c_last w`)."""
    found: dict[int, float] = {}
    if not isinstance(array, Array):
        return found
    items, i = list(array), 0
    while i < len(items):
        first = int(items[i])
        if i + 1 < len(items) and isinstance(items[i + 1], Array):
            for offset, width in enumerate(items[i + 1]):
                found[first + offset] = float(width)
            i += 2
        elif i + 2 < len(items):
            for glyph in range(first, int(items[i + 1]) + 1):
                found[glyph] = float(items[i + 2])
            i += 3
        else:
            break
    return found


def pdf_number(value: float) -> str:
    """A number as content streams write it: short, never "-0", the same for the same value."""
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return text if text not in ("-0", "") else "0"
