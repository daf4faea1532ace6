"""The page stamper: text placed on chosen pages of a finished PDF, marked as pagination artifacts.

Pack page numbers, "(continued)" labels, "NOT FOR PUBLICATION" and
"Supplement N" are all the same thing: a few words drawn over pages that are
already laid out, which screen readers must skip. Plain text that a font the
PDF already embeds can draw (the "(continued)" labels, in the paper's own
font) is drawn with it directly (pdf/embedded.py). Anything else is laid out by
WeasyPrint (so any font and script shapes correctly), one stamp page per page
stamped, the size of that page. Each page's marks are then drawn over it as a
form XObject inside `/Artifact <</Type /Pagination /Subtype ...>> BDC ... EMC`,
in a content stream of its own, so the page's own content and tags are untouched.
"""

from __future__ import annotations

import html as _html
import io
from dataclasses import dataclass
from itertools import groupby
from pathlib import Path

import pikepdf

from reportgen.errors import BuildError
from reportgen.pdf import embedded

ALIGNMENTS = ("left", "center", "right")
KINDS = ("Header", "Footer", "Watermark")  # the /Subtype of a /Pagination artifact (ISO 32000-1, 14.8.2.2)
EPOCH = 0  # stamps carry no date; a fixed one keeps the font subset, and so the bytes, reproducible


@dataclass(frozen=True)
class Mark:
    """Text to draw on one page. Coordinates are points from the top left of the page as shown.

    `x` is where the text's left edge, centre or right edge goes (`align`);
    `y` is where the top of its line goes. `markup=True` takes `text` as a
    small HTML fragment (e.g. `<strong>NOT FOR PUBLICATION</strong>`) from
    the caller, not from a user.
    """

    page: int  # 0-based
    text: str
    x: float
    y: float
    size: float = 9.0
    align: str = "right"
    kind: str = "Header"
    markup: bool = False

    def __post_init__(self):
        if self.align not in ALIGNMENTS:
            raise ValueError(f"align must be one of {ALIGNMENTS}, not {self.align!r}")
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, not {self.kind!r}")


STAMP_CSS = """
@font-face {{ font-family: "Stamp"; src: url({font}); }}
{pages}
html {{ font-family: "Stamp", sans-serif; color: #1a1a1a; }}
body {{ margin: 0; }}
section {{ position: relative; margin: 0; padding: 0; height: 100%; }}
section + section {{ break-before: page; }}
.mark {{ position: absolute; margin: 0; line-height: 1; white-space: nowrap; }}
"""


def page_sizes(pdf_bytes: bytes) -> list[tuple[float, float]]:
    """(width, height) in points of each page as a viewer shows it (crop box, rotation applied)."""
    with pikepdf.open(io.BytesIO(pdf_bytes)) as pdf:
        return [_shown_size(_page_box(page)) for page in pdf.pages]


def stamp(pdf_bytes: bytes, marks: list[Mark], font_path: Path) -> bytes:
    """The PDF with every mark drawn on its page as a pagination artifact; the same bytes for the same input."""
    if not marks:
        return pdf_bytes
    with pikepdf.open(io.BytesIO(pdf_bytes)) as pdf:
        draw_marks(pdf, marks, font_path)
        out = io.BytesIO()
        pdf.save(out, deterministic_id=True, compress_streams=True,
                 object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return out.getvalue()


def draw_marks(pdf: pikepdf.Pdf, marks: list[Mark], font_path: Path) -> None:
    """Draw the marks into an open PDF (for a caller that saves it anyway: the repair, for the labels)."""
    boxes = [_page_box(page) for page in pdf.pages]
    wrong = [m.page for m in marks if not 0 <= m.page < len(boxes)]
    if wrong:
        raise ValueError(f"marks for pages {wrong} of a {len(boxes)}-page PDF")
    groups = [(key, list(group)) for key, group in
              groupby(sorted(marks, key=lambda m: (m.page, KINDS.index(m.kind))), key=lambda m: (m.page, m.kind))]
    font = embedded.find(pdf, font_path) if any(not m.markup for m in marks) else None
    forms = {key: font.form(pdf, _shown_size(boxes[key[0]]), group) for key, group in groups
             if font is not None and all(not m.markup and font.can_draw(m.text) for m in group)}
    laid_out = [(key, group) for key, group in groups if key not in forms]
    if laid_out:
        forms.update(zip((key for key, _ in laid_out), _laid_out_forms(pdf, laid_out, boxes, font_path)))
    opened: set[int] = set()
    for key, _ in groups:
        page_index, kind = key
        _draw(pdf, pdf.pages[page_index], forms[key], kind, boxes[page_index], first=page_index not in opened)
        opened.add(page_index)


def _laid_out_forms(pdf, groups: list, boxes: list, font_path: Path) -> list:
    """One form XObject per group of marks, laid out by WeasyPrint (any script, markup): one stamp page each."""
    from reportgen.pdf.engine import render_pdf

    html = stamp_html([(_shown_size(boxes[page]), group) for (page, _), group in groups], font_path)
    rendered = render_pdf(html, base_url=font_path.parent, allowed_roots=[font_path.parent],
                          date_epoch=EPOCH, tagged=False)
    if rendered.pages != len(groups):
        raise BuildError(f"the stamps came out on {rendered.pages} pages, not {len(groups)}: "
                         "a mark is too long for its page")
    with pikepdf.open(io.BytesIO(rendered.pdf)) as stamps:
        return [pdf.copy_foreign(page.as_form_xobject()) for page in stamps.pages]


def stamp_html(pages: list[tuple[tuple[float, float], list[Mark]]], font: Path) -> str:
    """One HTML page per ((width, height), marks), each the size of the page it will be drawn on."""
    kinds = sorted({size for size, _ in pages})
    at_rules = "\n".join(f"@page s{i} {{ size: {w:.3f}pt {h:.3f}pt; margin: 0; }}" for i, (w, h) in enumerate(kinds))
    css = STAMP_CSS.format(font=font.as_uri(), pages=at_rules)
    body = "".join(
        f'<section style="page: s{kinds.index(size)}">' + "".join(_mark_html(m, size[0]) for m in marks) + "</section>"
        for size, marks in pages
    )
    return (f'<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8"><title>Stamps</title>'
            f"<style>{css}</style></head><body>{body}</body></html>")


def _mark_html(mark: Mark, width: float) -> str:
    text = mark.text if mark.markup else _html.escape(mark.text)
    if mark.align == "left":
        where = f"left: {mark.x:.3f}pt"
    elif mark.align == "right":
        where = f"right: {width - mark.x:.3f}pt; text-align: right"
    else:  # a wide box centred on x, the text centred in it
        where = f"left: {mark.x - width:.3f}pt; width: {2 * width:.3f}pt; text-align: center"
    return f'<p class="mark" style="top: {mark.y:.3f}pt; {where}; font-size: {mark.size:.2f}pt">{text}</p>'


def _page_box(page) -> tuple[float, float, float, float, int]:
    """(x0, y0, width, height, rotate) of what a viewer shows of the page."""
    box = [float(v) for v in (page.obj.get("/CropBox") or page.obj.MediaBox)]
    x0, y0 = min(box[0], box[2]), min(box[1], box[3])
    width, height = abs(box[2] - box[0]), abs(box[3] - box[1])
    rotate = int(page.obj.get("/Rotate", 0)) % 360
    return x0, y0, width, height, rotate


def _shown_size(box: tuple[float, float, float, float, int]) -> tuple[float, float]:
    _, _, w, h, rotate = box
    return (round(h, 3), round(w, 3)) if rotate in (90, 270) else (round(w, 3), round(h, 3))


def _placement(x0: float, y0: float, w: float, h: float, rotate: int) -> list[float]:
    """The matrix that puts a drawing made upright on the shown page onto the page's own coordinates."""
    if rotate == 90:
        return [0, 1, -1, 0, x0 + w, y0]
    if rotate == 180:
        return [-1, 0, 0, -1, x0 + w, y0 + h]
    if rotate == 270:
        return [0, -1, 1, 0, x0, y0 + h]
    return [1, 0, 0, 1, x0, y0]


def _draw(pdf, page, form, kind: str, box, *, first: bool) -> None:
    """Draw `form` over the page in a stream of its own, after the page's own content, as an artifact."""
    name = _free_name(page, "/Stamp")
    page.add_resource(form, pikepdf.Name.XObject, name)
    matrix = " ".join(embedded.pdf_number(v) for v in _placement(*box))
    if first:  # the page's own content may leave the graphics state changed: wrap it in q ... Q
        page.contents_add(pdf.make_stream(b"q\n"), prepend=True)
    restore = "Q\n" if first else ""
    page.contents_add(pdf.make_stream(
        f"{restore}/Artifact <</Type /Pagination /Subtype /{kind}>> BDC\nq {matrix} cm {name} Do Q\nEMC\n".encode()))


def _free_name(page, base: str) -> str:
    """A resource name the page does not use yet (fixed, not random, so the bytes are reproducible)."""
    resources = page.obj.get("/Resources")
    xobjects = resources.get("/XObject") if isinstance(resources, pikepdf.Dictionary) else None
    used = set(xobjects.keys()) if isinstance(xobjects, pikepdf.Dictionary) else set()
    name, n = base, 1
    while name in used:
        name, n = f"{base}{n}", n + 1
    return name
