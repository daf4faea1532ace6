"""Glyphs a PDF draws that its fonts do not have (.notdef): read from the content streams, page by page.

Only composite TrueType fonts (Type0 over CIDFontType2 with an embedded font
program, two-byte codes through Identity-H or an embedded CMap) are judged,
which is what WeasyPrint, Chromium and LibreOffice write: a code that maps to
glyph 0, or one past the end of the embedded font, shows as an empty box or
nothing at all. (WeasyPrint writes an embedded CMap exactly when it draws a
character no font has.) Other fonts are not judged.
"""

from __future__ import annotations

import io
import re

import pikepdf
from pikepdf import Dictionary, Name

MAX_DEPTH = 8  # form XObjects inside form XObjects


def missing_glyphs(pdf: pikepdf.Pdf) -> dict[int, int]:
    """Page index -> how many glyphs drawn there are missing from their font (pages with none left out)."""
    counts: dict[int, int] = {}
    sizes: dict[tuple, int | None] = {}
    for number, page in enumerate(pdf.pages):
        missing = _count(page.obj, page.obj.get("/Resources"), sizes, 0)
        if missing:
            counts[number] = missing
    return counts


def _count(owner, resources, sizes: dict, depth: int) -> int:
    if depth > MAX_DEPTH or not isinstance(resources, Dictionary):
        return 0
    fonts = resources.get("/Font") if isinstance(resources.get("/Font"), Dictionary) else Dictionary()
    xobjects = resources.get("/XObject") if isinstance(resources.get("/XObject"), Dictionary) else Dictionary()
    try:
        instructions = pikepdf.parse_content_stream(owner, "Tf Tj TJ ' \" Do")
    except (pikepdf.PdfError, TypeError):
        return 0
    missing, judged = 0, None
    for operands, operator in instructions:
        op = str(operator)
        if op == "Tf" and operands:
            judged = _judged(fonts.get(str(operands[0])), sizes)
        elif op in ("Tj", "'", '"', "TJ") and judged is not None:
            glyph_count, codes = judged
            strings = operands[-1] if op != "TJ" else [s for s in operands[0] if isinstance(s, pikepdf.String)]
            for string in ([strings] if op != "TJ" else strings):
                data = bytes(string)
                ids = [int.from_bytes(data[i:i + 2], "big") for i in range(0, len(data) - 1, 2)]
                if codes is not None:  # an embedded CMap: a code it does not map is CID 0 too
                    ids = [codes.get(code, 0) for code in ids]
                missing += sum(1 for gid in ids if gid == 0 or gid >= glyph_count)
        elif op == "Do" and operands:
            form = xobjects.get(str(operands[0]))
            if isinstance(form, pikepdf.Stream) and form.get("/Subtype") == Name.Form:
                missing += _count(form, form.get("/Resources", resources), sizes, depth + 1)
    return missing


CIDCHAR = re.compile(rb"<([0-9a-fA-F]{4})>\s*(\d+)")
CIDRANGE = re.compile(rb"<([0-9a-fA-F]{4})>\s*<([0-9a-fA-F]{4})>\s*(\d+)")


def _judged(font, sizes: dict) -> tuple[int, dict[int, int] | None] | None:
    """(glyphs in the embedded program, code -> CID from an embedded CMap or None for Identity-H); None: not judged."""
    if not isinstance(font, Dictionary) or font.get("/Subtype") != Name.Type0:
        return None
    encoding = font.get("/Encoding")
    codes = None
    if isinstance(encoding, pikepdf.Stream):
        codes = _cmap(encoding.read_bytes())
    elif encoding != Name("/Identity-H"):
        return None
    count = _glyph_count(font, sizes)
    return (count, codes) if count is not None else None


def _cmap(data: bytes) -> dict[int, int]:
    """code -> CID of an embedded two-byte CMap (its cidchar and cidrange entries)."""
    codes: dict[int, int] = {}
    for block in re.findall(rb"begincidrange(.*?)endcidrange", data, re.S):
        for low, high, cid in CIDRANGE.findall(block):
            for offset, code in enumerate(range(int(low, 16), int(high, 16) + 1)):
                codes[code] = int(cid) + offset
    for block in re.findall(rb"begincidchar(.*?)endcidchar", data, re.S):
        for code, cid in CIDCHAR.findall(block):
            codes[int(code, 16)] = int(cid)
    return codes


def _glyph_count(font, sizes: dict) -> int | None:
    """Glyphs in a composite TrueType font's embedded program (None: a font not judged)."""
    key = font.objgen
    if key in sizes:
        return sizes[key]
    count = None
    descendants = font.get("/DescendantFonts")
    cid_font = descendants[0] if isinstance(descendants, pikepdf.Array) and len(descendants) else None
    if isinstance(cid_font, Dictionary) and cid_font.get("/Subtype") == Name.CIDFontType2 \
            and cid_font.get("/CIDToGIDMap", Name.Identity) == Name.Identity:
        program = (cid_font.get("/FontDescriptor") or Dictionary()).get("/FontFile2")
        if isinstance(program, pikepdf.Stream):
            count = _glyphs_in(program.read_bytes())
    sizes[key] = count
    return count


def _glyphs_in(data: bytes) -> int | None:
    from fontTools.ttLib import TTFont, TTLibError

    try:
        with TTFont(io.BytesIO(data), lazy=True) as font:
            return int(font["maxp"].numGlyphs)
    except (TTLibError, KeyError, ValueError, AssertionError, IndexError, OSError):
        return None
