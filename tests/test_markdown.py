"""Markdown fields: headings only where a template places them under a heading of its own."""

import pytest

from reportgen.render.markdown import to_html


def test_headings_are_text_unless_the_template_asks_for_them():
    assert str(to_html("# Key points\n\nText.")) == "<p># Key points</p>\n<p>Text.</p>"


def test_headings_start_at_the_level_asked_and_never_skip_one():
    html = str(to_html("Intro.\n\n## Key points\n\nText.\n\n#### Detail\n\nMore.\n\n## Next", headings=3))
    assert html == ("<p>Intro.</p>\n<h3>Key points</h3>\n<p>Text.</p>\n<h4>Detail</h4>\n<p>More.</p>\n"
                    "<h3>Next</h3>")


def test_deep_headings_stop_at_h6():
    html = str(to_html("# A\n\n## B\n\n### C\n\n#### D", headings=5))
    assert html == "<h5>A</h5>\n<h6>B</h6>\n<h6>C</h6>\n<h6>D</h6>"


def test_a_line_of_dashes_is_not_a_heading():
    assert "<h" not in str(to_html("Some words\n---\n\nMore words", headings=3))


def test_headings_above_level_three_are_refused():
    with pytest.raises(ValueError, match="start at level 3"):
        to_html("# A", headings=2)
