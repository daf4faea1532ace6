"""Fonts come from the project only, a font that cannot be loaded fails the paper, and long runs get break places."""

import io

import pikepdf
import pytest

from conftest import ROOT
from reportgen.errors import BuildError
from reportgen.pdf.engine import render_pdf
from reportgen.render.linebreaks import ZERO_WIDTH_SPACE, with_break_opportunities

FONTS = ROOT / "templates/base/fonts"


def _embedded_fonts(pdf: bytes) -> set[str]:
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        return {str(font.BaseFont).split("+", 1)[-1] for page in doc.pages
                for font in page.obj.Resources.get("/Font", {}).values()}


def _render(tmp_path, css: str, text: str = "Committee papers") -> bytes:
    html = f'<html lang="en"><head><title>t</title><style>{css}</style></head><body><p>{text}</p></body></html>'
    return render_pdf(html, base_url=tmp_path, allowed_roots=[tmp_path, FONTS], date_epoch=0, tagged=False).pdf


def test_a_font_asked_for_by_name_comes_from_the_project_never_the_machine(tmp_path):
    """fontconfig sees no system folder: "DejaVu Sans" or "Liberation Sans" installed on the host are not used."""
    pdf = _render(tmp_path, 'p { font-family: "DejaVu Sans", "Liberation Sans", sans-serif; }')
    assert _embedded_fonts(pdf) == {"Reportgen-Fallback"}


def test_a_font_face_of_the_style_is_what_the_text_is_set_in(tmp_path):
    css = (f'@font-face {{ font-family: "Report Sans"; src: url({(FONTS / "LiberationSans-Regular.ttf").as_uri()}); }}'
           ' p { font-family: "Report Sans"; }')
    assert _embedded_fonts(_render(tmp_path, css)) == {"Report-Sans"}


def test_a_font_that_cannot_be_loaded_fails_the_paper_instead_of_printing_in_another(tmp_path):
    (tmp_path / "Heading.ttf").write_bytes(b"\x00\x01\x00\x00" + b"not a font" * 100)
    css = '@font-face { font-family: "Heading"; src: url(Heading.ttf); } p { font-family: "Heading"; }'
    with pytest.raises(BuildError, match="Font-face 'Heading' cannot be loaded"):
        _render(tmp_path, css)


@pytest.mark.parametrize("html, kept", [
    ('<a href="https://example.org/a/very/long/address/of/a/page">x</a>', "address/of/a/page"),  # attributes
    ("<head><title>https://example.org/a/very/long/address/of/a/page</title></head>", "address/of/a/page"),
    ("<p>مرحبابالعالممرحبابالعالممرحبابالعالم</p>", "مرحبابالعالممرحبابالعالممرحبابالعالم"),  # Arabic joins
    ("<p>a short line of ordinary words</p>", "a short line of ordinary words"),
])
def test_break_places_never_go_into_tags_the_head_joining_scripts_or_ordinary_words(html, kept):
    assert kept in with_break_opportunities(f'<html lang="en-GB">{html}</html>')


def test_a_long_url_breaks_after_its_punctuation_and_a_long_word_where_it_hyphenates():
    html = with_break_opportunities('<html lang="en-GB"><body><td>https://example.org/children/referrals?a=1&amp;b=2 '
                                    'internationalisation</td></body></html>')
    z = ZERO_WIDTH_SPACE
    assert f"https://{z}example.{z}org/{z}children/{z}referrals?{z}a={z}1&amp;{z}b={z}2" in html
    assert f"in{z}ter{z}na{z}tion{z}al{z}isa{z}tion" in html


def test_doctor_reports_the_chinese_pack_missing_or_changed(tmp_path):
    from reportgen.doctor import run_checks

    templates = tmp_path / "templates"
    (templates / "base/fonts/chinese").mkdir(parents=True)
    (pack,) = [c for c in run_checks(templates) if c.name == "font pack Chinese"]
    assert (pack.ok, pack.required, pack.detail) == (False, False, "not installed (optional)")
    assert pack.fix == "run `make fonts-chinese` to print Chinese text"
    (templates / "base/fonts/chinese/NotoSansSC-Regular.otf").write_bytes(b"not the pinned font")
    (pack,) = [c for c in run_checks(templates) if c.name == "font pack Chinese"]
    assert not pack.ok and pack.detail == "NotoSansSC-Regular.otf is not the pinned file (sha256 differs), so it is not used"


def test_a_changed_chinese_pack_is_not_used_so_chinese_text_is_still_refused(tmp_path, run_cli):
    from conftest import copy_tiny

    project = copy_tiny(tmp_path / "project", styles=("base",))
    (project / "templates/base/fonts/chinese/NotoSansSC-Regular.otf").write_bytes(
        (FONTS / "LiberationSans-Regular.ttf").read_bytes())  # a font, but not the pinned one
    paper = project / "councils/tiny/papers/update.yaml"
    paper.write_text(paper.read_text().replace("Progress since the last report.", "中文"))
    result = run_cli("-C", project, "validate")
    assert result.code == 1
    assert "the character U+4E2D 中 (cjk unified ideograph-4e2d), and 1 other character, cannot be printed" in result.err
