"""Every text colour a style uses is checked against its background."""

from pathlib import Path

import pytest

from conftest import ROOT
from reportgen.inputs.contrast import check_stylesheets, ratio


def sheet(tmp_path: Path, css: str) -> Path:
    path = tmp_path / "style.css"
    path.write_text(css)
    return path


def test_ratio_matches_wcag_reference_values():
    assert ratio((0, 0, 0), (1, 1, 1)) == pytest.approx(21.0)
    assert ratio((0.4627, 0.4627, 0.4627), (1, 1, 1)) == pytest.approx(4.54, abs=0.01)  # #767676


@pytest.mark.parametrize("style", ["base", "haringey", "hampshire", "barnet"])
def test_shipped_styles_pass(style):
    sheets = [ROOT / "templates/base/style.css"]
    if style != "base":
        sheets.append(ROOT / f"templates/{style}/style.css")
    assert check_stylesheets(sheets) == []


def test_low_contrast_text_is_named_with_its_colours(tmp_path):
    css = sheet(tmp_path, "p.note {\n  color: #aaaaaa;\n}\n")
    (problem,) = check_stylesheets([css])
    assert str(problem) == (f"{css}:2: p.note: text colour #aaaaaa on background #ffffff has contrast 2.32:1; "
                            "at least 4.5:1 is needed (WCAG 2.2 AA, 1.4.3)")


def test_custom_property_changed_by_a_council_is_checked_where_it_is_used(tmp_path):
    council = sheet(tmp_path, ":root { --header-fill: #222222; }\n")
    problems = [str(p) for p in check_stylesheets([ROOT / "templates/base/style.css", council])]
    assert problems and all("on background #222222" in p for p in problems)
    assert any("templates/base/style.css:" in p for p in problems)


def test_large_text_needs_three_to_one(tmp_path):
    css = sheet(tmp_path, "h1 { color: #808080; font-size: 20pt; }\nh2 { color: #a0a0a0; font-size: 20pt; }\n")
    (problem,) = check_stylesheets([css])
    assert "h2: text colour #a0a0a0" in str(problem) and "at least 3:1" in str(problem)


def test_a_council_with_a_failing_colour_is_refused(tiny_project, run_cli):
    project = tiny_project
    (project / "councils/tiny/templates").mkdir()
    (project / "councils/tiny/templates/style.css").write_text(":root {\n  --text: #b0b0b0;\n}\n")
    result = run_cli("-C", project, "validate", cwd=project)
    assert result.code == 1
    assert "text colour #b0b0b0 on background #ffffff has contrast 2." in result.err
