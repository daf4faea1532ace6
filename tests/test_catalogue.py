"""The message catalogue: every fixed word of the shipped templates in English and Welsh, and a Welsh paper's labels and dates."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import rendered

from reportgen.pdf.pagemodel import continued_word
from reportgen.render.catalogue import CONTINUED, catalogue
from reportgen.render.messages import bare_text, refresh, template_messages, untranslated

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def test_every_template_message_has_a_welsh_translation():
    messages = template_messages(TEMPLATES)
    assert {"Report for:", "Recommendation", "Page %(page)s of %(pages)s", "Skip to the paper",
            "No update given.", "Pack page"} <= messages.keys()
    assert untranslated(TEMPLATES, "cy") == []


def test_a_template_message_without_a_translation_fails_the_check(tmp_path):
    templates = shutil.copytree(TEMPLATES, tmp_path / "templates")
    cover = templates / "base/cover.html"
    cover.write_text(cover.read_text(encoding="utf-8") + '<p>{{ _("Brand new wording") }}</p>\n', encoding="utf-8")
    problems = untranslated(templates, "cy")
    assert len(problems) == 1 and problems[0].startswith("base/cover.html:")
    assert "'Brand new wording' has no cy translation" in problems[0]
    # a translation that drops a placeholder is as wrong as none
    po = templates / "base/locale/cy/LC_MESSAGES/messages.po"
    po.write_text(po.read_text(encoding="utf-8").replace('"Ymateb {council}"', '"Ymateb y cyngor"'), encoding="utf-8")
    assert any("'{council} response'" in p and "placeholders" in p for p in untranslated(templates, "cy"))


def test_templates_print_no_words_outside_the_catalogue():
    found = {str(path.relative_to(TEMPLATES)): words for path in sorted(TEMPLATES.rglob("*.html"))
             if (words := bare_text(path.read_text(encoding="utf-8")))}
    assert found == {}
    assert bare_text('<th scope="row">Venue</th>{# a note #}<td>{{ _("Date") }}</td>') == ["Venue"]


def test_the_committed_messages_pot_is_current(tmp_path):
    templates = shutil.copytree(TEMPLATES, tmp_path / "templates")
    refresh(templates)
    for name in ("messages.pot", "cy/LC_MESSAGES/messages.po"):
        assert (templates / "base/locale" / name).read_text(encoding="utf-8") == \
            (TEMPLATES / "base/locale" / name).read_text(encoding="utf-8"), f"run `make messages`: {name} is stale"


def test_continued_is_the_catalogues_word():
    assert continued_word("cy") == catalogue(TEMPLATES / "base", "cy").gettext(CONTINUED) == "(parhad)"
    assert continued_word("en-GB") == CONTINUED


@pytest.fixture
def welsh_project(tiny_project, monkeypatch):
    monkeypatch.chdir(tiny_project)
    council = tiny_project / "councils/tiny/council.yaml"
    council.write_text(council.read_text(encoding="utf-8").replace("nation: England", "nation: Wales\nlanguage: cy"),
                       encoding="utf-8")
    return tiny_project


def test_a_welsh_paper_prints_its_labels_and_dates_in_welsh(welsh_project):
    html = rendered(welsh_project)
    assert '<html lang="cy">' in html
    assert '<th scope="row">Adroddiad i:</th>' in html and "Report for:" not in html
    assert "21 Ionawr 2013" in html and "January" not in html
    assert 'data-before="Tudalen " data-between=" o " data-after=""' in html
    assert "Argymhelliad&nbsp;2" in html
    twin = rendered(welsh_project, "html")
    assert '<a class="skip-link" href="#content">Neidio i&#39;r papur</a>' in twin or "Neidio i'r papur" in twin


def test_a_councils_labels_win_over_the_catalogue(welsh_project):
    council = welsh_project / "councils/tiny/council.yaml"
    assert "<td>Heb ei roi</td>" in rendered(welsh_project)  # no item number: the catalogue's "Not given"
    council.write_text(council.read_text(encoding="utf-8") + "labels:\n  not_given: Dim eto\n", encoding="utf-8")
    assert "<td>Dim eto</td>" in rendered(welsh_project)
