"""reportgen.render.html: a merged paper and its house style become one HTML document."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from conftest import rendered

from reportgen import __version__
from reportgen.errors import BuildError
from reportgen.render.html import long_date


@pytest.fixture
def project(tiny_project, monkeypatch):
    monkeypatch.chdir(tiny_project)  # messages name files from where reportgen runs
    return tiny_project


def edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def council_template(project, name: str, text: str) -> None:
    folder = project / "councils/tiny/templates"
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")


def test_one_document_with_the_papers_metadata(project):
    html = rendered(project)
    assert html.startswith("<!DOCTYPE html>") and '<html lang="en-GB">' in html
    assert "<title>Munro update</title>" in html and "<h1>Munro update</h1>" in html
    assert '<meta name="description" content="Scrutiny Panel, 21 January 2013">' in html
    assert f'<meta name="generator" content="reportgen {__version__}">' in html
    # the paper's date is the meeting's unless the paper gives one
    assert '<meta name="dcterms.created" content="2013-01-21">' in html
    edit(project / "councils/tiny/papers/update.yaml", "review:", "prepared: 2013-01-08\nreview:")
    assert '<meta name="dcterms.created" content="2013-01-08">' in rendered(project)


def test_sections_quoted_recommendations_and_appendices_in_order(project):
    html = rendered(project)
    headings = re.findall(r"<h2>(.*?)</h2>", html)
    assert [re.sub(r"<[^>]+>", "", h) for h in headings] == ["1. Background", "Appendix 1: Notes"]
    quote = html[html.index('<blockquote class="quoted-recommendation'):html.index("</blockquote>")]
    assert "Recommendation 2" in quote and "The inspection framework should test" in quote


def test_stylesheets_cascade_from_base_to_style_to_council(project):
    # Layer by layer (base, style, council): style.css for both outputs, then print.css for the PDF only.
    assert re.findall(r'<link rel="stylesheet" href="([^"]+)">', rendered(project)) == [
        (project / path).as_uri() for path in ("templates/base/style.css", "templates/base/print.css")]
    edit(project / "councils/tiny/council.yaml", "style: base", "style: hampshire")
    council_template(project, "style.css", ":root { --text: #111111; }\n")
    assert re.findall(r'<link rel="stylesheet" href="([^"]+)">', rendered(project)) == [
        (project / path).as_uri() for path in
        ("templates/base/style.css", "templates/base/print.css", "templates/hampshire/style.css",
         "templates/hampshire/print.css", "councils/tiny/templates/style.css")]


def test_the_html_twin_gets_its_own_markup(project):
    skip_link = '<a class="skip-link" href="#content">Skip to the paper</a>'
    assert skip_link not in rendered(project, "pdf")
    assert skip_link in rendered(project, "html")


def test_text_from_records_is_escaped(project):
    edit(project / "councils/tiny/papers/update.yaml", "title: Munro update",
         'title: "<script>alert(1)</script> & <b>Co</b>"')
    html = rendered(project)
    assert "<title>&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;Co&lt;/b&gt;</title>" in html
    assert "<script>" not in html and "<b>Co" not in html


def test_a_council_template_overrides_the_style_and_can_extend_it(project):
    council_template(project, "section.html", '{% extends "base/section.html" %}'
                                              "{% block heading %}<h2>Part {{ section.number }}: "
                                              "{{ section.title }}</h2>{% endblock %}")
    html = rendered(project)
    assert "<h2>Part 1: Background</h2>" in html
    assert "Progress since the last report." in html  # the base's other blocks are kept


@pytest.mark.parametrize("expression, message", [
    ("{{ 1 / 0 }}", "template error: division by zero"),
    ('{{ "x" * 200000 }}', "template tried something unsafe: repeating a value 200,000 times is not allowed"),
    ("{{ 2 ** 5000 }}", "template tried something unsafe: raising to the power 5,000 is not allowed"),
    ("{{ paper.no_such_field }}", "template error: 'reportgen.inputs.models.Paper object' has no attribute "
                                  "'no_such_field'; see docs/house-styles.md for the variables templates can use"),
], ids=["division", "repeat", "power", "undefined"])
def test_template_errors_name_the_file_and_line(project, expression, message):
    council_template(project, "cover.html", "<header>\n<h1>{{ paper.title }}</h1>\n" + expression + "\n</header>\n")
    with pytest.raises(BuildError) as raised:
        rendered(project)
    assert str(raised.value) == f"councils/tiny/templates/cover.html:3: {message}"


def test_long_dates_as_printed_on_papers():
    assert long_date(dt.date(2013, 1, 1)) == "1 January 2013"
    assert long_date(dt.date(2012, 10, 15)) == "15 October 2012"
    assert long_date(None) == ""


@pytest.fixture
def fresh_template_cache(tmp_path, monkeypatch):
    """The user's cache folder in tmp_path, and no template environment made yet (as in a new process)."""
    from reportgen.render import html

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    html._bytecode_cache.cache_clear()
    html._cached_environment.cache_clear()
    yield tmp_path / "cache/reportgen/templates"
    html._bytecode_cache.cache_clear()
    html._cached_environment.cache_clear()


def test_templates_compiled_in_an_earlier_run_are_reused_until_they_change(project, fresh_template_cache):
    """Compiled templates are kept in the user's cache folder for the next process; an edited template is
    compiled afresh, so a cached one never prints old wording."""
    from reportgen.render import html

    council_template(project, "section.html", '{% extends "base/section.html" %}'
                                              "{% block heading %}<h2>First {{ section.title }}</h2>{% endblock %}")
    assert "<h2>First Background</h2>" in rendered(project)
    assert len(list(fresh_template_cache.glob("*/__jinja2_*.cache"))) >= 2  # the council's and the base's
    html._cached_environment.cache_clear()  # as a new process would: only the folder is left
    council_template(project, "section.html", '{% extends "base/section.html" %}'
                                              "{% block heading %}<h2>Second {{ section.title }}</h2>{% endblock %}")
    assert "<h2>Second Background</h2>" in rendered(project)
