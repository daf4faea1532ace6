"""Bilingual papers (`bilingual: separate`): text given as {cy, en}, two papers naming each other, each language
marked in the HTML and in the PDF's structure tree, and text given in one language only refused."""

from __future__ import annotations

import re

import pikepdf
import pytest

from conftest import FIXTURES, copy_project
from reportgen.inputs.project import Project
from reportgen.pdf.gate import check_pdf
from reportgen.pdf.structtree import read_tree
from reportgen.pipeline.build import build

BILINGUAL = FIXTURES / "bilingual"
STEM = "2013-02-11-craffu-munro"


def bilingual_project(dest):
    return copy_project(dest, ("tegfan",), source=BILINGUAL, reviews=("munro-2011",))


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The bilingual fixture built once, both formats."""
    project = bilingual_project(tmp_path_factory.mktemp("bilingual") / "project")
    out = project / "out"
    report = build(Project.at(project), None, out_dir=out, formats=("pdf", "html"))
    assert report.ok, [o.message for o in report.outcomes] + [str(d) for d in report.inputs.errors]
    return out / "tegfan"


def structure_languages(path):
    """(Root /Lang, {(type, /Lang, text)} of the elements with a /Lang), and whether the gate passes."""
    with pikepdf.open(path) as pdf:
        tree = read_tree(pdf.Root.StructTreeRoot)
        marked = {(tree.type(e), str(e.Lang)) for e in tree.elements if "/Lang" in e}
        return str(pdf.Root.Lang), marked


def test_a_bilingual_paper_is_two_papers_welsh_and_english(built):
    assert sorted(p.name for p in built.iterdir()) == [
        f"{STEM}-cy.html", f"{STEM}-cy.pdf", f"{STEM}-en.html", f"{STEM}-en.pdf"]
    import pdfplumber

    with pdfplumber.open(built / f"{STEM}-cy.pdf") as pdf:
        welsh = " ".join(" ".join((p.extract_text() or "").split()) for p in pdf.pages)
    with pdfplumber.open(built / f"{STEM}-en.pdf") as pdf:
        english = " ".join(" ".join((p.extract_text() or "").split()) for p in pdf.pages)
    assert "Cyngor Sir Tegfan" in welsh and "Adolygiad Munro – y diweddaraf" in welsh and "Tudalen 1 o" in welsh
    assert "Gofynnodd y Pwyllgor" in welsh and "The Committee asked" not in welsh
    assert "Tegfan County Council" in english and "The Munro review – an update" in english and "Page 1 of" in english
    assert "The Committee asked" in english and "Gofynnodd" not in english
    # each names the other, in the other's language
    assert f"This paper is also available in English: {STEM}-en.pdf" in welsh
    assert f"Mae'r papur hwn ar gael yn Gymraeg hefyd: {STEM}-cy.pdf" in english


def test_each_version_links_to_the_other_in_its_html(built):
    welsh = (built / f"{STEM}-cy.html").read_text(encoding="utf-8")
    english = (built / f"{STEM}-en.html").read_text(encoding="utf-8")
    assert '<html lang="cy">' in welsh and '<html lang="en-GB">' in english
    assert re.search(rf'<p class="language-version" lang="en-GB">This paper is also available in English: '
                     rf'<a href="{STEM}-en.html" hreflang="en-GB">', welsh)
    assert re.search(rf'<p class="language-version" lang="cy">Mae&#39;r papur hwn ar gael yn Gymraeg hefyd: '
                     rf'<a href="{STEM}-cy.html" hreflang="cy">', english)


def test_both_pass_the_gate_with_each_language_in_the_structure_tree(built):
    for name in (f"{STEM}-cy.pdf", f"{STEM}-en.pdf"):
        report = check_pdf((built / name).read_bytes())
        assert report.passed, report.findings_text()
    root, marked = structure_languages(built / f"{STEM}-cy.pdf")
    # the notice in English; the review it quotes (English) as English
    assert root == "cy" and {("/P", "en-GB"), ("/Div", "en-GB"), ("/Span", "en-GB")} <= marked
    root, marked = structure_languages(built / f"{STEM}-en.pdf")
    assert root == "en-GB" and ("/P", "cy") in marked and not any(lang == "en-GB" for _, lang in marked)


def test_text_in_one_language_only_is_refused_with_its_place(tmp_path, run_cli):
    project = bilingual_project(tmp_path / "project")
    paper = project / "councils/tegfan/papers/munro.yaml"
    text = paper.read_text(encoding="utf-8")
    paper.write_text(text.replace("title: {cy: Cefndir, en: Background}", "title: {cy: Cefndir}"), encoding="utf-8")
    result = run_cli("-C", str(project), "validate")
    assert result.code == 1
    line = text.splitlines().index("  - title: {cy: Cefndir, en: Background}") + 1
    assert re.search(rf"papers/munro.yaml:{line}:\d+: sections\[?.?0\]?.title: given in Welsh only; the council's "
                     r"papers are bilingual, so add `en:` with the English text", result.err), result.err
    assert "1 error(s)" in result.err and "Traceback" not in result.err  # the rest reads in both languages


def test_a_council_that_is_not_bilingual_may_not_give_two_languages(tmp_path, run_cli):
    project = bilingual_project(tmp_path / "project")
    council = project / "councils/tegfan/council.yaml"
    council.write_text(council.read_text(encoding="utf-8").replace("bilingual: separate\n", ""), encoding="utf-8")
    result = run_cli("-C", str(project), "validate")
    assert result.code == 1
    assert "council.yaml:2:" in result.err and "needs `bilingual: separate` in council.yaml" in result.err


@pytest.fixture(scope="module")
def parallel(tmp_path_factory):
    """The bilingual fixture with `bilingual: parallel`, built once, both formats: one paper."""
    project = bilingual_project(tmp_path_factory.mktemp("parallel") / "project")
    council = project / "councils/tegfan/council.yaml"
    council.write_text(council.read_text(encoding="utf-8").replace("bilingual: separate", "bilingual: parallel"),
                       encoding="utf-8")
    report = build(Project.at(project), None, out_dir=project / "out", formats=("pdf", "html"))
    assert report.ok, [o.message for o in report.outcomes] + [str(d) for d in report.inputs.errors]
    return project / "out/tegfan"


def test_a_parallel_paper_sets_the_languages_side_by_side_and_block_by_block(parallel):
    import pdfplumber

    assert sorted(p.name for p in parallel.iterdir()) == [f"{STEM}.html", f"{STEM}.pdf"]
    with pdfplumber.open(parallel / f"{STEM}.pdf") as pdf:
        first = pdf.pages[0]
        middle = first.width / 2
        words = first.extract_words()
        # sections side by side: the Welsh on the left half, the English on the right, level with it
        welsh = next(w for w in words if w["text"] == "Gofynnodd")
        english = next(w for w in words if w["text"] == "asked" and w["x0"] > middle)
        assert welsh["x1"] < middle and abs(welsh["top"] - english["top"]) < 2
        table = " ".join(" ".join((p.extract_text() or "").split()) for p in pdf.pages[1:])
    assert "i wneud." in table and "Done." in table and "Arweinydd: Nia Roberts" in table and "Lead: Nia" in table
    assert table.count("The Government committed to a full rewrite") == 1  # the review's English text once
    html = (parallel / f"{STEM}.html").read_text(encoding="utf-8")
    # inside a table cell, the Welsh block, then the English one after it
    cell = re.search(r'<td class="council">(.*?)</td>', html, flags=re.S).group(1)
    assert re.search(r"i wneud\..*<div class=\"parallel-block\" lang=\"en-GB\">.*Done\.", cell, flags=re.S)
    assert '<div class="parallel-part" lang="en-GB">' in html and '<div class="parallel-block" lang="en-GB">' in html
    ids = re.findall(r'\bid="([^"]+)"', html)
    assert len(ids) == len(set(ids))


def test_the_parallel_paper_passes_the_gate_with_each_language_tagged(parallel):
    report = check_pdf((parallel / f"{STEM}.pdf").read_bytes())
    assert report.passed, report.findings_text()
    root, marked = structure_languages(parallel / f"{STEM}.pdf")
    assert root == "cy" and {("/Div", "cy"), ("/Div", "en-GB"), ("/Span", "en-GB")} <= marked
