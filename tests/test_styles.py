"""House styles: every sample council in its style, read back from the PDF;
a brand-new style and council made from YAML, templates and CSS only; the
errors a style author meets."""

from __future__ import annotations

import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pdfplumber
import pytest
import yaml

from conftest import ROOT, SAMPLES, copy_project
from reportgen.pipeline.build import build
from reportgen.pipeline.gather import gather
from reportgen.inputs.project import Project
from reportgen.render.catalogue import catalogue
from reportgen.render.html import render_html
from reportgen.inputs.styles import describe_styles

FIXTURE = Project.at(SAMPLES)
COUNCILS = FIXTURE.council_slugs()
PAPERS = [f"{slug}/{p.stem}" for slug in COUNCILS for p in sorted((FIXTURE.council_dir(slug) / "papers").glob("*.y*ml"))]
samples = pytest.mark.samples

# What each style prints on page 1 (labels as they appear in the PDF), and
# whether its section headings carry numbers.
COVER_LABELS = {
    "haringey": ["Report for:", "Item number:", "Title:", "Ward(s) affected:", "Report:"],
    "hampshire": ["HAMPSHIRE COUNTY COUNCIL", "Report", "Committee/Panel:", "Date:", "Title:", "Reference:",
                  "Report From:", "Contact name:", "Tel:", "Email:", "Summary"],
    "barnet": ["MEETING:", "DATE:", "AGENDA ITEM NO:", "TITLE OF PAPER:", "SUMMARY OF PAPER:"],
}
UNNUMBERED_SECTIONS = {"barnet"}


def flat(text: str) -> str:
    return " ".join(text.split())


def read_pdf(path: Path) -> list[tuple[float, float, str]]:
    with pdfplumber.open(path) as pdf:
        return [(p.width, p.height, p.extract_text() or "") for p in pdf.pages]


@pytest.fixture(scope="module")
def built(built_samples):
    """Every sample paper, from the run's one build: "council/paper" -> (PaperView, style name, pages)."""
    views = {(c.slug, view.id): (view, c.style.name) for c, view in built_samples.report.inputs.papers()}
    return {f"{council}/{paper}": (*views[council, paper], [page[:3] for page in built_samples.pages(council, paper)])
            for council, paper in built_samples.files("pdf")}


def only(built, council: str):
    """The one sample paper of a council."""
    (paper,) = [value for key, value in built.items() if key.split("/")[0] == council]
    return paper


@samples
@pytest.mark.parametrize("paper", PAPERS)
def test_cover_labels_and_title_on_page_one(built, paper):
    view, style, pages = built[paper]
    first = flat(pages[0][2])
    assert flat(view.paper.title) in first
    words = first.split()  # a label may wrap in its cell, and cells' lines interleave
    words_of = catalogue(ROOT / "templates/base", view.council.language)  # the Welsh sample's labels are Welsh
    for label in COVER_LABELS.get(style, []):
        label = words_of.gettext(label)
        assert label in first or all(w in words for w in label.split()), f"{style}: '{label}' not on page 1"


@samples
@pytest.mark.parametrize("paper", PAPERS)
def test_section_headings_in_order(built, paper):
    view, style, pages = built[paper]
    portrait = [text for w, h, text in pages if h > w]
    body = flat(" ".join(portrait or [text for _, _, text in pages]))  # a style may be landscape throughout
    start = 0
    for section in view.sections:  # each heading is found after the one before it
        title = re.escape(flat(section.title))
        pattern = title if style in UNNUMBERED_SECTIONS else rf"{section.number}\.\s*{title}"
        match = re.compile(pattern).search(body, start)
        assert match, f"{style}: heading '{section.title}' not found after the previous one"
        start = match.end()


@samples
@pytest.mark.parametrize("paper", PAPERS)
def test_every_appendix_present(built, paper):
    view, style, pages = built[paper]
    text = flat(" ".join(t for _, _, t in pages))
    appendix_word = catalogue(ROOT / "templates/base", view.council.language).gettext("Appendix")
    for appendix in view.appendices:
        assert flat(f"{appendix_word} {appendix.number}: {appendix.title}") in text
    if any(a.type == "progress" for a in view.appendices):
        assert any(w > h for w, h, _ in pages), "the progress appendix is on landscape pages"


@samples
def test_hampshire_paper(built):
    view, style, pages = only(built, "hampshire")
    assert style == "hampshire"
    text = flat(" ".join(t for _, _, t in pages))
    # numbered paragraphs under numbered headings, and the recommendations each section answers
    assert "2.1 Hampshire Children’s Services have started" in text
    assert "Recommendation 13:" in text
    assert f"{len(view.sections) + 1}. Recommendation" in text
    # the corporate/legal page: strategy links from `extra`, s100D table with "None"
    corporate = next(flat(t) for _, _, t in pages if "CORPORATE OR LEGAL INFORMATION" in t)
    assert "Links to the Corporate Strategy" in corporate
    for link in view.paper.extra["corporate_strategy"]:
        assert f"{link['aim']}: {link['linked']}" in corporate
    assert "Section 100 D - Local Government Act 1972 - background documents" in corporate
    assert corporate.endswith("Document Location None 10") or "Document Location None" in corporate
    impact = next(flat(t) for _, _, t in pages if "IMPACT ASSESSMENTS" in t)
    assert "1. Equalities Impact Assessment: 1.1. No impact." in impact
    # Appendix 1: recommendations in full by chapter; Appendix 2: a list numbered 1), 2) ...
    assert "Recommendation 15:" in text and "Chapter 7:" in text
    assert "1) Rate of violent" in text and "43) How are the speed" in text


@samples
def test_barnet_paper(built):
    view, style, pages = only(built, "barnet")
    assert style == "barnet"
    text = flat(" ".join(t for _, _, t in pages))
    assert re.search(r"MEETING: CHILDREN'S TRUST .*BOARD", flat(pages[0][2]))
    assert "AGENDA ITEM NO: 4" in flat(pages[0][2])
    assert "1. Munro Demonstrator Site" not in text  # Barnet's sections are not numbered
    assert "ACTION REQUIRED BY BOARD: To note and comment" in text
    names = " & ".join(a.name for a in view.authors)
    roles = " & ".join(a.role for a in view.authors)
    assert f"AUTHOR OF PAPER NAME: {names} POSITION: {roles} ORGANISATION: London Borough of Barnet" in text
    assert text.index("ACTION REQUIRED BY BOARD") < text.index("AUTHOR OF PAPER")


# --- the progress appendix in every style ------------------------------------------


@pytest.fixture(scope="module")
def with_progress_appendix(tmp_path_factory):
    """Hampshire's and Barnet's papers with a progress appendix added, built once."""
    root = copy_project(tmp_path_factory.mktemp("progress") / "project", ("hampshire", "barnet"))
    for slug in ("hampshire", "barnet"):
        (paper,) = (root / "councils" / slug / "papers").glob("*.yaml")
        (progress,) = (root / "councils" / slug / "progress").glob("*.yaml")
        data = yaml.safe_load(paper.read_text(encoding="utf-8"))
        data["sections"] = data["sections"][:1]  # keep the build short: the appendix is what is tested
        data["appendices"] = [
            {"type": "progress", "title": "Progress on each recommendation", "progress": progress.stem}]
        paper.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    report = build(Project.at(root), None, out_dir=root / "out")
    assert report.ok, [o.message for o in report.outcomes]
    return {o.council: pages_and_first_column(o.files[0]) for o in report.outcomes}


def pages_and_first_column(path: Path) -> tuple[list[tuple[float, float, str]], str]:
    """Every page's text, and the text of the progress table's first column on every landscape page."""
    pages, parts = [], []
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            pages.append((page.width, page.height, page.extract_text() or ""))
            if page.width <= page.height:
                continue
            heading = min((w for w in page.extract_words() if w["text"].lower() == "government"),
                          key=lambda w: w["top"])  # the column heading: the highest "Government"
            edge = heading["x0"]
            parts.append(page.crop((0, 0, edge - 3, page.height)).extract_text() or "")
    return pages, flat(" ".join(parts))


@samples
@pytest.mark.parametrize("slug,short", [("hampshire", "Hampshire"), ("barnet", "Barnet")])
def test_progress_appendix_in_landscape(with_progress_appendix, slug, short):
    pages, column = with_progress_appendix[slug]
    landscape = [flat(t) for w, h, t in pages if w > h]
    assert landscape, "no landscape pages"
    assert "Progress on each recommendation" in landscape[0]
    for page in landscape:  # the column headings repeat on every page
        assert re.search(rf"Recommendation Government response {short} response Timeline", page, re.I)
    assert [int(n) for n in re.findall(r"Munro recommendation (\d+):", column)] == list(range(1, 16))


# --- accessibility of the HTML every style produces ---------------------------------


class Outline(HTMLParser):
    def __init__(self):
        super().__init__()
        self.headings: list[int] = []
        self.th_without_scope = 0
        self.img_without_alt = 0
        self.lang = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.lang = attrs.get("lang")
        elif re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        elif tag == "th" and attrs.get("scope") not in ("row", "col", "rowgroup", "colgroup"):
            self.th_without_scope += 1
        elif tag == "img" and not (attrs.get("alt") or "").strip():
            self.img_without_alt += 1


@samples
@pytest.mark.parametrize("slug", COUNCILS)
def test_html_outline_tables_and_language(sample_project, slug):
    inputs = gather(Project.at(sample_project), [slug])
    assert inputs.papers()
    for council, view in inputs.papers():
        outline = Outline()
        outline.feed(render_html(view, council.style))
        assert outline.lang == view.council.language
        assert outline.headings.count(1) == 1 and outline.headings[0] == 1, f"{view.id}: one h1, the title, first"
        for before, after in zip(outline.headings, outline.headings[1:]):
            assert after <= before + 1, f"{view.id}: heading level skipped: h{before} then h{after}"
        assert outline.th_without_scope == 0
        assert outline.img_without_alt == 0


@pytest.mark.parametrize("style", ["hampshire", "barnet"])
def test_style_css_keeps_body_text_readable(style):
    css = (ROOT / "templates" / style / "style.css").read_text(encoding="utf-8")
    assert not re.search(r"text-align:\s*justify", css)
    for size in re.findall(r"html\s*{[^}]*font-size:\s*([\d.]+)pt", css):
        assert float(size) >= 11
    assert "font-family" not in css or '"Report Sans"' in css


# --- a new council with its own new style, from YAML, templates and CSS only ---------

NEW_STYLE_PAPER = """\
{% extends "base/paper.html" %}
{% block summary %}
{{ super() }}
<p class="fresh-note">Fresh style note: this paper follows the Westmarch house style.</p>
{% endblock %}
"""
COUNCIL_CSS = ":root { --text: #7a1f1f; }\n"
COUNCIL_YAML = """\
name: Westmarch Borough Council
style: westmarch
nation: England
committees:
  - id: people-scrutiny
    name: People Scrutiny Committee
officers:
  - id: ana-price
    name: Ana Price
    role: Head of Children's Social Care
"""
PAPER_YAML = """\
title: Munro review progress in Westmarch
meeting: {committee: people-scrutiny, date: 2013-04-10, item: "7"}
authorised_by: ana-price
summary: Where Westmarch stands on the Munro recommendations.
sections:
  - title: Background
    paragraphs: [The review made fifteen recommendations.]
appendices:
  - {type: recommendations, title: The recommendations, reference: munro-2011}
"""


@pytest.fixture(scope="module")
def fresh_project(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("fresh") / "project"
    shutil.copytree(ROOT / "templates/base", root / "templates/base")
    shutil.copytree(SAMPLES / "councils/_reference", root / "councils/_reference")
    style = root / "templates/westmarch"
    style.mkdir()
    (style / "style.yaml").write_text("description: Westmarch report (test style)\nextends: base\n")
    (style / "paper.html").write_text(NEW_STYLE_PAPER)
    council = root / "councils/westmarch"
    (council / "papers").mkdir(parents=True)
    (council / "templates").mkdir()
    (council / "council.yaml").write_text(COUNCIL_YAML)
    (council / "papers/progress-report.yaml").write_text(PAPER_YAML)
    (council / "templates/style.css").write_text(COUNCIL_CSS)
    return root


@pytest.fixture(scope="module")
def fresh_pdf(fresh_project) -> Path:
    report = build(Project.at(fresh_project), None, out_dir=fresh_project / "out")
    assert report.ok, [o.message for o in report.outcomes] + [str(d) for d in report.inputs.diagnostics]
    (outcome,) = report.outcomes
    return outcome.files[0]


def test_new_style_replaced_block_keeps_base_content(fresh_pdf):
    text = flat(" ".join(t for _, _, t in read_pdf(fresh_pdf)))
    assert "Fresh style note: this paper follows the Westmarch house style." in text
    assert "Summary Where Westmarch stands on the Munro recommendations." in text  # super() kept the base's
    assert "1. Background" in text and "Appendix 1: The recommendations" in text


def test_council_css_comes_last_and_changes_the_text_colour(fresh_project, fresh_pdf):
    (council, view), = gather(Project.at(fresh_project)).papers()
    assert [Path(s).name for s in council.style.stylesheets] == ["style.css", "print.css", "style.css"]
    assert [Path(s).name for s in council.style.stylesheets_for("html")] == ["style.css", "screen.css", "style.css"]
    assert council.style.stylesheets[-1].parent.name == "templates"  # the council's own
    html = render_html(view, council.style)
    assert (fresh_project / "councils/westmarch/templates/style.css").as_uri() in html
    with pdfplumber.open(fresh_pdf) as pdf:
        chars = [c for c in pdf.pages[0].chars if c["text"].strip()]
    colours = {tuple(round(v, 2) for v in c["non_stroking_color"]) for c in chars}
    assert (0.48, 0.12, 0.12) in colours  # #7a1f1f


def test_unknown_style_lists_the_styles(fresh_project, tmp_path):
    root = tmp_path / "project"
    shutil.copytree(fresh_project, root, ignore=shutil.ignore_patterns("out"))
    council = root / "councils/westmarch/council.yaml"
    council.write_text(council.read_text().replace("style: westmarch", "style: westmarsh"))
    inputs = gather(Project.at(root))
    messages = [str(d) for d in inputs.errors]
    assert inputs.failed == ["westmarch"]
    assert any("council.yaml:2:1: style: unknown house style 'westmarsh' (did you mean 'westmarch'?); "
               "styles available: 'base', 'westmarch'" in m for m in messages), messages


def test_typo_in_a_known_field_suggests_the_name(fresh_project, tmp_path):
    root = tmp_path / "project"
    shutil.copytree(fresh_project, root, ignore=shutil.ignore_patterns("out"))
    paper = root / "councils/westmarch/papers/progress-report.yaml"
    paper.write_text(paper.read_text().replace("summary:", "sumary:"))
    messages = [str(d) for d in gather(Project.at(root)).errors]
    assert any("progress-report.yaml:4:1: sumary: unknown field 'sumary' (did you mean 'summary'?)" in m
               for m in messages), messages


@samples
def test_extra_keys_are_optional_in_the_hampshire_templates(tmp_path):
    """A Hampshire paper without `extra` or background documents still builds its corporate page."""
    root = copy_project(tmp_path / "project", ("hampshire",))
    (paper,) = (root / "councils/hampshire/papers").glob("*.yaml")
    data = yaml.safe_load(paper.read_text(encoding="utf-8"))
    data.pop("extra", None)
    data["background_documents"] = [{"title": "Munro review final report", "location": "Winchester"}]
    paper.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    (council, view), = gather(Project.at(root)).papers()
    html = render_html(view, council.style)
    assert "Links to the Corporate Strategy" not in html
    assert "<td>Munro review final report</td><td>Winchester</td>" in html


def test_styles_are_listed_with_descriptions(fresh_project, tiny_project):
    summaries = {s.name: s for s in describe_styles(Project.at(tiny_project))}
    assert {"base", "haringey", "hampshire", "barnet"} <= set(summaries)
    assert summaries["hampshire"].extends == "base" and "Hampshire" in summaries["hampshire"].description
    assert summaries["base"].extends is None
    broken = fresh_project.parent / "broken"
    shutil.copytree(fresh_project, broken, ignore=shutil.ignore_patterns("out"))
    (broken / "templates/westmarch/style.yaml").write_text("descripton: typo\n")
    (summary,) = [s for s in describe_styles(Project.at(broken)) if s.name == "westmarch"]
    assert summary.description == "(style.yaml has errors)"
    assert any("did you mean 'description'" in str(d) for d in summary.problems)


def test_styles_command(run_cli, tiny_project):
    result = run_cli("-C", tiny_project, "styles")
    assert result.code == 0
    lines = dict(line.split("\t", 1) for line in result.out.splitlines())
    assert lines["barnet"].startswith("Board paper with a Meeting / Date / Agenda item header")
    assert lines["hampshire"].endswith("(extends base)")


@samples
@pytest.mark.parametrize("slug", ["hampshire", "barnet"])
def test_logo_on_the_cover_with_its_alt_text(tmp_path, slug):
    from PIL import Image

    root = copy_project(tmp_path / "project", (slug,))
    council = root / "councils" / slug
    (council / "images").mkdir()
    Image.new("RGB", (60, 20), "navy").save(council / "images/logo.png")
    text = (council / "council.yaml").read_text(encoding="utf-8")
    (council / "council.yaml").write_text(
        text.replace("nation: England", "nation: England\nlogo: {file: images/logo.png, alt: Council logo}", 1),
        encoding="utf-8")
    (style, view), = [(c.style, v) for c, v in gather(Project.at(root), [slug]).papers()]
    html = render_html(view, style)
    cover = html[html.index('<header class="cover">'):html.index("</header>", html.index('<header class="cover">'))]
    assert f'<img class="logo" src="{(council / "images/logo.png").as_uri()}" alt="Council logo">' in cover
