"""The structure tree of every sample paper, before and after the repair of WeasyPrint's gaps."""

import pikepdf
import pytest

from conftest import ROOT
from reportgen.pipeline.build import build
from reportgen.pdf.gate import check_pdf
from reportgen.pdf.repair import repair
from reportgen.inputs.project import Project

SAMPLES = ["haringey", "northmoor", "hampshire", "barnet", "glanmor"]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("a11y")
    report = build(Project.at(ROOT), SAMPLES, out_dir=out, jobs=1)
    assert report.ok, [o.message for o in report.outcomes if o.status == "failed"]
    return {(o.council, o.paper): o.files[0] for o in report.outcomes}


@pytest.fixture(scope="module")
def raw_haringey():
    """The Haringey paper as WeasyPrint 70 writes it, before any repair."""
    from reportgen.pipeline.gather import gather
    from reportgen.pdf.engine import render_pdf
    from reportgen.render.html import render_html

    inputs = gather(Project.at(ROOT), ["haringey"])
    council = inputs.councils["haringey"]
    view = next(p for p in council.papers if p.id == "munro-progress")
    rendered = render_pdf(render_html(view, council.style), base_url=view.council_folder,
                          allowed_roots=[*council.style.asset_roots, view.council_folder], date_epoch=0)
    return rendered.pdf


def kids(element):
    k = element.get("/K")
    return [] if k is None else (list(k) if isinstance(k, pikepdf.Array) else [k])


def elements(pdf):
    def walk(e):
        if isinstance(e, pikepdf.Dictionary) and "/S" in e:
            yield e
            for k in kids(e):
                yield from walk(k)
    for top in kids(pdf.Root.StructTreeRoot):
        yield from walk(top)


def test_weasyprint_alone_fails_the_checks_the_repair_fixes(raw_haringey):
    before = {f.rule for f in check_pdf(raw_haringey).findings}
    assert {"tables", "artifacts"} <= before
    repaired, log = repair(raw_haringey)
    assert check_pdf(repaired).passed
    assert log.repeated_headers >= 2 and log.scopes > 0 and log.artifacts >= 2 * 10


@pytest.mark.parametrize("council", SAMPLES)
def test_every_sample_passes_the_gate(built, council):
    for (slug, _), path in built.items():
        if slug == council:
            report = check_pdf(path.read_bytes())
            assert report.passed, report.findings
            assert report.validator.startswith("page-validation")


def test_appendix_is_one_table_with_its_heading_row_once(built):
    with pikepdf.open(built[("haringey", "munro-progress")]) as pdf:
        pages = {p.objgen: i for i, p in enumerate(pdf.pages)}
        tables = [e for e in elements(pdf) if e.S == "/Table"]
        assert len(tables) == 2  # the cover and the appendix
        appendix = tables[1]
        parts = [str(k.S) for k in kids(appendix)]
        assert parts == ["/Caption", "/THead", "/TBody"]
        body = kids(appendix)[2]
        assert len(kids(body)) == 15  # one row per recommendation
        spanned = {pages[e.Pg.objgen] for e in _walk(appendix) if "/Pg" in e}
        assert len(spanned) >= 5


def _walk(e):
    yield e
    for k in kids(e):
        if isinstance(k, pikepdf.Dictionary) and "/S" in k:
            yield from _walk(k)


def test_header_cells_have_scope(built):
    with pikepdf.open(built[("haringey", "munro-progress")]) as pdf:
        headers = [e for e in elements(pdf) if e.S == "/TH"]
        scopes = {str(h.A.Scope) for h in headers}
        assert scopes == {"/Column", "/Row"}
        for h in headers:
            group = h.P.P.S
            assert str(h.A.Scope) == ("/Column" if group == "/THead" else "/Row"), h.P.P.P.S


def test_cells_point_at_surviving_header_ids(built):
    with pikepdf.open(built[("haringey", "munro-progress")]) as pdf:
        ids = {str(e.ID) for e in elements(pdf) if "/ID" in e}
        for cell in (e for e in elements(pdf) if e.S == "/TD" and "/Headers" in e.get("/A", {})):
            assert {str(h) for h in cell.A.Headers} <= ids


def test_running_header_and_page_numbers_are_artifacts(built):
    with pikepdf.open(built[("haringey", "munro-progress")]) as pdf:
        for page in pdf.pages:
            data = page.Contents.read_bytes()
            assert data.count(b"/Artifact\n<</Type /Pagination>>\nBDC") >= 2
        # Nothing in the parent tree points outside the structure tree.
        reachable = {e.objgen for e in elements(pdf)}
        nums = pdf.Root.StructTreeRoot.ParentTree.Nums
        for i in range(1, len(nums), 2):
            for e in (nums[i] if isinstance(nums[i], pikepdf.Array) else [nums[i]]):
                if isinstance(e, pikepdf.Dictionary):
                    assert e.objgen in reachable


def test_language_title_and_bookmarks(built):
    for (council, _), path in built.items():
        report = check_pdf(path.read_bytes())
        assert report.facts["language"] == "en-GB"
        assert report.facts["title"]
        assert report.facts["bookmarks"] >= report.facts["headings"]
        with pikepdf.open(path) as pdf:
            assert pdf.Root.ViewerPreferences.DisplayDocTitle is True


def test_figures_carry_their_alt_text(built):
    with pikepdf.open(built[("northmoor", "munro-update")]) as pdf:
        figures = [e for e in elements(pdf) if e.S == "/Figure"]
        assert len(figures) == 1
        assert str(figures[0].Alt).startswith("Bar chart of social work assessments")


def test_skipped_heading_level_is_refused(tmp_path):
    from conftest import copy_project

    project = copy_project(tmp_path / "p")
    override = project / "councils/northmoor/templates"
    override.mkdir()
    (override / "section.html").write_text(
        '{% extends "base/section.html" %}'
    )
    base = (project / "templates/base/section.html").read_text()
    (override / "section.html").write_text(base.replace("<h2>", "<h4>").replace("</h2>", "</h4>"))
    report = build(Project.at(project), ["northmoor"], out_dir=tmp_path / "out")
    (outcome,) = report.outcomes
    assert outcome.status == "failed"
    assert "[headings] heading level skips from H1 to H4" in outcome.message
    assert not (tmp_path / "out/northmoor").exists() or not list((tmp_path / "out/northmoor").glob("*.pdf"))


def test_loose_list_items_get_an_lbody(tmp_path):
    """`<li><p>` (a Markdown list with blank lines between items) is LI > P in WeasyPrint: refused by PDF/UA."""
    from conftest import copy_project

    project = copy_project(tmp_path / "p")
    paper = project / "councils/northmoor/papers/munro-update.yaml"
    loose = "\n".join(f"      - Action {i}: the team will review the files and report back.\n" for i in range(3))
    paper.write_text(paper.read_text().replace(
        "      This report updates the committee", loose + "\n      This report updates the committee", 1))
    report = build(Project.at(project), ["northmoor"], out_dir=tmp_path / "out", jobs=1)
    assert report.ok, report.outcomes[0].message
    with pikepdf.open(report.outcomes[0].files[0]) as pdf:
        items = [e for e in elements(pdf) if e.S == "/LI"]
        assert items
        for item in items:
            assert {str(k.S) for k in kids(item)} <= {"/Lbl", "/LBody"}
