"""Glyphs a PDF draws that its fonts do not have (.notdef): read from the content streams, page by page.

Only composite TrueType fonts (Type0 over CIDFontType2, Identity-H, an
embedded font program) are judged, which is what WeasyPrint, Chromium and
LibreOffice write: a glyph id of 0, or one past the end of the embedded font,
shows as an empty box or nothing at all. Other fonts are not judged.
"""

from __future__ import annotations

import io

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
    missing, glyph_count = 0, None
    for operands, operator in instructions:
        op = str(operator)
        if op == "Tf" and operands:
            glyph_count = _glyph_count(fonts.get(str(operands[0])), sizes)
        elif op in ("Tj", "'", '"', "TJ") and glyph_count is not None:
            strings = operands[-1] if op != "TJ" else [s for s in operands[0] if isinstance(s, pikepdf.String)]
            for string in ([strings] if op != "TJ" else strings):
                data = bytes(string)
                ids = [int.from_bytes(data[i:i + 2], "big") for i in range(0, len(data) - 1, 2)]
                missing += sum(1 for gid in ids if gid == 0 or gid >= glyph_count)
        elif op == "Do" and operands:
            form = xobjects.get(str(operands[0]))
            if isinstance(form, pikepdf.Stream) and form.get("/Subtype") == Name.Form:
                missing += _count(form, form.get("/Resources", resources), sizes, depth + 1)
    return missing


def _glyph_count(font, sizes: dict) -> int | None:
    """Glyphs in a composite TrueType font's embedded program (None: a font not judged)."""
    if not isinstance(font, Dictionary) or font.get("/Subtype") != Name.Type0 or font.get("/Encoding") != Name("/Identity-H"):
        return None
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
