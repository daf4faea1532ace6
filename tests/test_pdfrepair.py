"""The structure tree of every sample paper, before and after the repair of WeasyPrint's gaps."""

import io

import pdfplumber
import pikepdf
import pytest

from conftest import SAMPLES
from reportgen.pipeline.build import build
from reportgen.pdf.gate import check_pdf
from reportgen.pdf.repair import repair
from reportgen.inputs.project import Project

COUNCILS = Project.at(SAMPLES).council_slugs()
samples = pytest.mark.samples


@pytest.fixture(scope="module")
def built(built_samples):
    return built_samples.files("pdf")


@pytest.fixture(scope="module")
def raw_haringey(sample_project):
    """The Haringey paper as WeasyPrint 70 writes it, before any repair."""
    from reportgen.pipeline.gather import gather
    from reportgen.pdf.engine import render_pdf
    from reportgen.render.html import render_html

    inputs = gather(Project.at(sample_project), ["haringey"])
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


@samples
def test_weasyprint_alone_fails_the_checks_the_repair_fixes(raw_haringey):
    before = {f.rule for f in check_pdf(raw_haringey).findings}
    assert {"tables", "artifacts"} <= before
    assert check_pdf(repair(raw_haringey)).passed


@samples
@pytest.mark.parametrize("council", COUNCILS)
def test_every_sample_passes_the_gate(built, council):
    assert council in {slug for slug, _ in built}
    for (slug, _), path in built.items():
        if slug == council:
            report = check_pdf(path.read_bytes())
            assert report.passed, report.findings
            assert report.validator.startswith("page-validation")


@samples
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


@samples
def test_header_cells_have_scope(built):
    with pikepdf.open(built[("haringey", "munro-progress")]) as pdf:
        headers = [e for e in elements(pdf) if e.S == "/TH"]
        scopes = {str(h.A.Scope) for h in headers}
        assert scopes == {"/Column", "/Row"}
        for h in headers:
            group = h.P.P.S
            assert str(h.A.Scope) == ("/Column" if group == "/THead" else "/Row"), h.P.P.P.S


@samples
def test_cells_point_at_surviving_header_ids(built):
    with pikepdf.open(built[("haringey", "munro-progress")]) as pdf:
        ids = {str(e.ID) for e in elements(pdf) if "/ID" in e}
        for cell in (e for e in elements(pdf) if e.S == "/TD" and "/Headers" in e.get("/A", {})):
            assert {str(h) for h in cell.A.Headers} <= ids


@samples
def test_running_header_and_page_numbers_are_artifacts(built):
    with pikepdf.open(built[("haringey", "munro-progress")]) as pdf:
        for page in pdf.pages:
            # The page's own stream, with any the stamper added around it ("(continued)" labels).
            streams = page.Contents if isinstance(page.Contents, pikepdf.Array) else [page.Contents]
            data = b"".join(stream.read_bytes() for stream in streams)
            assert data.count(b"/Artifact\n<</Type /Pagination>>\nBDC") >= 2
        # Nothing in the parent tree points outside the structure tree.
        reachable = {e.objgen for e in elements(pdf)}
        nums = pdf.Root.StructTreeRoot.ParentTree.Nums
        for i in range(1, len(nums), 2):
            for e in (nums[i] if isinstance(nums[i], pikepdf.Array) else [nums[i]]):
                if isinstance(e, pikepdf.Dictionary):
                    assert e.objgen in reachable


@samples
def test_language_title_and_bookmarks(built):
    for (council, _), path in built.items():
        report = check_pdf(path.read_bytes())
        assert report.facts["language"] == "en-GB"
        assert report.facts["title"]
        assert report.facts["bookmarks"] >= report.facts["headings"]
        with pikepdf.open(path) as pdf:
            assert pdf.Root.ViewerPreferences.DisplayDocTitle is True


@samples
def test_figures_carry_their_alt_text(built):
    with pikepdf.open(built[("northmoor", "munro-update")]) as pdf:
        figures = [e for e in elements(pdf) if e.S == "/Figure"]
        assert len(figures) == 1
        assert str(figures[0].Alt).startswith("Bar chart of social work assessments")


def test_skipped_heading_level_is_refused(tiny_project, tmp_path):
    project = tiny_project
    override = project / "councils/tiny/templates"
    override.mkdir()
    (override / "section.html").write_text(
        '{% extends "base/section.html" %}'
    )
    base = (project / "templates/base/section.html").read_text()
    (override / "section.html").write_text(base.replace("<h2>", "<h4>").replace("</h2>", "</h4>"))
    report = build(Project.at(project), ["tiny"], out_dir=tmp_path / "out")
    (outcome,) = report.outcomes
    assert outcome.status == "failed"
    assert "[headings] heading level skips from H1 to H4" in outcome.message
    assert not (tmp_path / "out/tiny").exists() or not list((tmp_path / "out/tiny").glob("*.pdf"))


def test_loose_list_items_get_an_lbody(tiny_project, tmp_path):
    """`<li><p>` (a Markdown list with blank lines between items) is LI > P in WeasyPrint: refused by PDF/UA."""
    paper = tiny_project / "councils/tiny/papers/update.yaml"
    loose = "\n".join(f"      - Action {i}: the team will review the files and report back.\n" for i in range(3))
    text = paper.read_text()
    paper.write_text(text.replace("    body: Progress since the last report.\n",
                                  "    body: |\n      Progress since the last report.\n\n" + loose, 1))
    assert paper.read_text() != text
    report = build(Project.at(tiny_project), ["tiny"], out_dir=tmp_path / "out", jobs=1)
    assert report.ok, report.outcomes[0].message
    with pikepdf.open(report.outcomes[0].files[0]) as pdf:
        items = [e for e in elements(pdf) if e.S == "/LI"]
        assert items
        for item in items:
            assert {str(k.S) for k in kids(item)} <= {"/Lbl", "/LBody"}


def _table_rows(table):
    """(heading row cells or None, body rows as lists of TH/TD elements)."""
    head, rows = None, []
    for row in (e for e in _walk(table) if e.S == "/TR"):
        cells = [c for c in kids(row) if isinstance(c, pikepdf.Dictionary) and str(c.get("/S")) in ("/TH", "/TD")]
        if str(row.P.S) == "/THead":
            head = head or cells
        else:
            rows.append(cells)
    return head, rows


def _headers(cell):
    return [str(h) for h in cell.A.Headers] if "/A" in cell and "/Headers" in cell.A else []


@pytest.mark.samples
def test_weasyprint_alone_reads_every_label_of_the_row_to_each_value(raw_haringey):
    with pikepdf.open(io.BytesIO(raw_haringey)) as pdf:
        cover = next(e for e in elements(pdf) if e.S == "/Table")
        first = _table_rows(cover)[1][0]  # Report for: | ... | Item number: | ...
        assert [len(_headers(c)) for c in first if c.S == "/TD"] == [2, 2]
    with pikepdf.open(io.BytesIO(repair(raw_haringey))) as pdf:
        cover = next(e for e in elements(pdf) if e.S == "/Table")
        first = _table_rows(cover)[1][0]
        assert [len(_headers(c)) for c in first if c.S == "/TD"] == [1, 1]


@pytest.mark.samples
def test_each_value_is_read_with_its_own_label(built):
    """A value gets the nearest label on its left (a screen reader says "Report for: Children and Young
    People's Scrutiny Panel ..."), and a column's heading when the table has a heading row."""
    checked = 0
    for (council, _), path in built.items():
        with pikepdf.open(path) as pdf:
            for table in (e for e in elements(pdf) if e.S == "/Table"):
                head, rows = _table_rows(table)
                columns = [str(c.ID) for c in head] if head else []
                for cells in rows:
                    column = 0
                    for i, cell in enumerate(cells):
                        span = int(cell.A.get("/ColSpan", 1)) if "/A" in cell else 1
                        if cell.S == "/TD":
                            label = [str(c.ID) for c in cells[:i] if c.S == "/TH"][-1:]
                            assert _headers(cell) == label + columns[column:column + span], (council, i)
                            checked += 1
                        column += span
    assert checked > 100


@pytest.mark.samples
def test_upper_cased_text_is_spoken_as_written(built):
    barnet = built[("barnet", "munro-review-update")]
    with pdfplumber.open(barnet) as pdf:
        assert "MEETING:" in pdf.pages[0].extract_text()  # shown in capitals, as the house style has it
    with pikepdf.open(barnet) as pdf:
        spoken = {str(e.ActualText) for e in elements(pdf) if "/ActualText" in e}
        assert {"Meeting:", "Date:", "Agenda Item No:", "Title of paper:", "Summary of paper:"} <= spoken
    with pikepdf.open(built[("haringey", "munro-progress")]) as pdf:
        heads = [e for e in elements(pdf) if e.S == "/TH" and e.P.P.S == "/THead"]
        assert [str(h.ActualText) for h in heads] == ["Recommendation", "Government response",
                                                      "Haringey response", "Timeline"]
        assert not [e for e in elements(pdf) if "/ActualText" in e and e not in heads]  # nothing else transformed


@pytest.mark.samples
def test_links_say_whom_they_reach(built):
    described = {}
    for path in built.values():
        with pikepdf.open(path) as pdf:
            for page in pdf.pages:
                for annotation in page.get("/Annots", []):
                    if annotation.get("/Subtype") == "/Link":
                        described[str(annotation.A.URI)] = str(annotation.Contents)
    assert described["mailto:martin.ashdown@hants.example"] == "Email Martin Ashdown"
    assert all(not text.startswith(("mailto:", "http")) for text in described.values()), described


@pytest.mark.samples
def test_a_summary_heading_is_a_heading_with_a_bookmark(built):
    with pikepdf.open(built[("barnet", "munro-review-update")]) as pdf:
        assert "/H3" in [str(e.S) for e in elements(pdf)]
        with pdf.open_outline() as outline:
            (title,) = outline.root
            summary = next(item for item in title.children if item.title == "Summary of paper:")
            assert [c.title for c in summary.children] == [
                "Key implications of the Munro review identified in 2011, and progress since"]
