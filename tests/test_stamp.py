"""The page stamper: text where asked, on the pages asked, as pagination artifacts, the same bytes each time."""

from __future__ import annotations

import io
from pathlib import Path

import pdfplumber
import pikepdf
import pytest

from conftest import ROOT
from reportgen.pdf.stamp import Mark, page_sizes, stamp

FONT = ROOT / "templates/base/fonts/LiberationSans-Regular.ttf"
CHROMIUM = Path(__file__).resolve().parent / "fixtures/attachments/chromium.pdf"


@pytest.fixture(scope="module")
def three_pages() -> bytes:
    """A4 portrait, A4 landscape, and a portrait page shown rotated by 90 degrees."""
    with pikepdf.new() as pdf:
        for size, rotate in (((595, 842), 0), ((842, 595), 0), ((595, 842), 90)):
            page = pdf.add_blank_page(page_size=size)
            if rotate:
                page.obj.Rotate = rotate
        out = io.BytesIO()
        pdf.save(out, deterministic_id=True)
        return out.getvalue()


def words(data: bytes, page: int) -> dict[str, dict]:
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return {w["text"]: w for w in pdf.pages[page].extract_words()}


def test_marks_go_where_asked_aligned_as_asked(three_pages):
    marks = [
        Mark(0, "Right", x=500, y=40, size=10, align="right"),
        Mark(0, "Left", x=72, y=100, size=10, align="left", kind="Footer"),
        Mark(0, "Centre", x=297.5, y=400, size=20, align="center", kind="Watermark"),
        Mark(1, "Landscape", x=800, y=30),
    ]
    data = stamp(three_pages, marks, FONT)
    first = words(data, 0)
    assert first["Right"]["x1"] == pytest.approx(500, abs=0.5) and first["Right"]["top"] == pytest.approx(40, abs=1.5)
    assert first["Left"]["x0"] == pytest.approx(72, abs=0.5) and first["Left"]["top"] == pytest.approx(100, abs=1.5)
    centre = first["Centre"]
    assert (centre["x0"] + centre["x1"]) / 2 == pytest.approx(297.5, abs=0.5)
    assert words(data, 1)["Landscape"]["x1"] == pytest.approx(800, abs=0.5)
    assert words(data, 2) == {}  # no marks asked for: the page is left as it was
    with pikepdf.open(io.BytesIO(data)) as pdf:
        streams = [s.read_bytes() for s in pdf.pages[0].obj.Contents]
        assert streams[0] == b"q\n"  # the page's own content is wrapped, then the stamps follow
        kinds = [s.split(b">>")[0] for s in streams[2:]]
        assert kinds == [b"Q\n/Artifact <</Type /Pagination /Subtype /Header",
                         b"/Artifact <</Type /Pagination /Subtype /Footer",
                         b"/Artifact <</Type /Pagination /Subtype /Watermark"]
        assert "/Contents" not in pdf.pages[2].obj or not isinstance(pdf.pages[2].obj.Contents, pikepdf.Array)


def test_a_rotated_page_is_stamped_upright(three_pages):
    assert page_sizes(three_pages) == [(595, 842), (842, 595), (842, 595)]
    data = stamp(three_pages, [Mark(2, "Upright", x=800, y=30)], FONT)
    upright = words(data, 2)["Upright"]
    assert upright["upright"] and upright["x1"] == pytest.approx(800, abs=0.5)
    assert upright["top"] == pytest.approx(30, abs=1.5)


def test_html_fragments_and_text_are_kept_apart(three_pages):
    data = stamp(three_pages, [Mark(0, "<b>NOT</b> & <i>so</i>", x=72, y=72, align="left"),
                               Mark(1, "<strong>EXEMPT</strong>", x=72, y=72, align="left", markup=True)], FONT)
    assert "<b>NOT</b>" in words(data, 0)
    assert "EXEMPT" in words(data, 1)


def test_stamping_a_tagged_pdf_leaves_its_tags_and_is_reproducible():
    source = CHROMIUM.read_bytes()
    marks = [Mark(0, "Supplement 1", x=300, y=20, align="center")]
    once, again = stamp(source, marks, FONT), stamp(source, marks, FONT)
    assert once == again
    with pikepdf.open(io.BytesIO(once)) as pdf, pikepdf.open(io.BytesIO(source)) as before:
        assert pdf.Root.MarkInfo.Marked and len(pdf.Root.StructTreeRoot.ParentTree.Nums) == len(
            before.Root.StructTreeRoot.ParentTree.Nums)
    assert stamp(source, [], FONT) == source


def test_bad_marks_are_refused(three_pages):
    with pytest.raises(ValueError, match="align must be one of"):
        Mark(0, "x", 1, 1, align="middle")
    with pytest.raises(ValueError, match="marks for pages \\[5\\] of a 3-page PDF"):
        stamp(three_pages, [Mark(5, "x", 1, 1)], FONT)


# -- marks drawn with the font the PDF already embeds (pdf/embedded.py) ---------------------------------------

ITALIC = ROOT / "templates/base/fonts/LiberationSans-Italic.ttf"


def _fonts(data: bytes) -> set[str]:
    with pikepdf.open(io.BytesIO(data)) as pdf:
        return {str(f.get("/BaseFont")) for f in pdf.objects
                if isinstance(f, pikepdf.Dictionary) and f.get("/Type") == pikepdf.Name.Font}


@pytest.fixture(scope="module")
def typeset() -> bytes:
    """Three pages whose own text embeds a subset of the labels' font (and an italic of the same widths)."""
    from reportgen.pdf.engine import render_pdf

    words_used = "abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ (0123456789)"
    css = (f'@font-face {{ font-family: Body; src: url({FONT.as_uri()}); }}'
           f'@font-face {{ font-family: Body; font-style: italic; src: url({ITALIC.as_uri()}); }}'
           '@page { size: A4; } @page wide { size: A4 landscape; } .wide { page: wide; }'
           'body { font-family: Body; } section + section { break-before: page; }')
    html = (f"<!DOCTYPE html><html lang='en'><head><style>{css}</style></head><body>"
            f"<section><p>{words_used}</p><p><em>{words_used} Ωmega</em></p></section>"
            f"<section class='wide'><p>{words_used}</p></section><section><p>{words_used}</p></section></body></html>")
    rendered = render_pdf(html, base_url=FONT.parent, allowed_roots=[FONT.parent], date_epoch=0, tagged=False)
    with pikepdf.open(io.BytesIO(rendered.pdf)) as pdf:
        pdf.pages[2].obj.Rotate = 90
        out = io.BytesIO()
        pdf.save(out, deterministic_id=True)
        return out.getvalue()


def test_marks_in_the_papers_own_font_are_drawn_with_it_where_asked(typeset):
    marks = [Mark(0, "Right", x=500, y=40, size=10, align="right"),
             Mark(0, "Munro recommendation\u00a01 (continued)", x=72, y=100, size=10, align="left", kind="Footer"),
             Mark(0, "Centre", x=297.5, y=400, size=20, align="center", kind="Watermark"),
             Mark(1, "Landscape", x=800, y=30), Mark(2, "Upright", x=800, y=30)]
    data = stamp(typeset, marks, FONT)
    assert _fonts(data) == _fonts(typeset)  # no font laid out and embedded for the marks
    first = words(data, 0)
    assert first["Right"]["x1"] == pytest.approx(500, abs=0.5) and first["Right"]["top"] == pytest.approx(40, abs=1.5)
    assert first["Munro"]["x0"] == pytest.approx(72, abs=0.5) and first["Munro"]["top"] == pytest.approx(100, abs=1.5)
    assert "(continued)" in first
    centre = first["Centre"]
    assert (centre["x0"] + centre["x1"]) / 2 == pytest.approx(297.5, abs=0.5)
    assert words(data, 1)["Landscape"]["x1"] == pytest.approx(800, abs=0.5)
    upright = words(data, 2)["Upright"]
    assert upright["upright"] and upright["x1"] == pytest.approx(800, abs=0.5)
    assert upright["top"] == pytest.approx(30, abs=1.5)
    assert stamp(typeset, marks, FONT) == data


def test_a_mark_the_embedded_subset_cannot_draw_is_laid_out_instead(typeset):
    """'Ω' is only in the italic subset, whose font must not stand in for the regular: WeasyPrint sets it."""
    data = stamp(typeset, [Mark(0, "Ωmega", x=72, y=72, align="left"), Mark(0, "Right", x=500, y=40)], FONT)
    assert len(_fonts(data)) == len(_fonts(typeset)) + 1
    assert {"Ωmega", "Right"} <= set(words(data, 0))
