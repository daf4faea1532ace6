"""A response matrix as a paper's whole content: no meeting, no sections, groups of its own, labels as data."""

import re

import pdfplumber
import pikepdf
import pytest

from model_project import build_one, edit, flat, model_project, pdf_text, table_rows

PARTS = ["Recommendation", "Family Review reasoning", "Government's view", "Timescale", "Riverside response",
         "Timeline", "Lead officers"]


@pytest.fixture(scope="module")
def matrix_pdf(tmp_path_factory):
    project = model_project(tmp_path_factory.mktemp("matrix") / "project")
    return build_one(project, tmp_path_factory.mktemp("out"), "matrix-response")


@pytest.fixture(scope="module")
def text(matrix_pdf):
    return pdf_text(matrix_pdf)


@pytest.fixture(scope="module")
def blocks(matrix_pdf):
    """Each recommendation's block as (label, value) pairs, a block split across pages joined up.

    pdfplumber may read neighbouring tables as one grid, so a row is its first
    cell (the label) and its first non-empty cell after that (the value).
    """
    found: list[list[tuple[str, str]]] = []
    for row in table_rows(matrix_pdf):
        if row[0] not in PARTS:
            continue  # the cover table, headings, and empty rows where a table breaks
        if row[0] == PARTS[0]:
            found.append([])
        found[-1].append((row[0], next((cell for cell in row[1:] if cell), "")))
    return found


def test_named_by_its_date_without_a_meeting(matrix_pdf):
    assert matrix_pdf.name == "2022-06-30-matrix-response.pdf" and matrix_pdf.parent.name == "riverside"


def test_no_committee_or_meeting_printed_or_in_metadata(matrix_pdf, text):
    assert "Families Scrutiny Panel" not in text and "Report for" not in text
    with pikepdf.open(matrix_pdf) as pdf:
        metadata = str(pdf.open_metadata()) + str(dict(pdf.docinfo))
        assert "Families Scrutiny Panel" not in metadata
        assert str(pdf.docinfo["/CreationDate"]).startswith("D:20220630")


def test_groups_and_rows_in_the_declared_order(text):
    order = ["Our priority 1: people", "Recommendation 4: Create a career path",
             "Recommendation 2: Train every hub worker", "Our priority 2: places",
             "Recommendation 3: Publish waiting times", "Recommendation 1: Open a family hub"]
    positions = [text.index(heading) for heading in order]
    assert positions == sorted(positions)
    assert "Cap the use of agency staff" not in text  # omitted


def test_no_appendix_heading(text):
    assert "Appendix" not in text


def test_each_block_shows_the_listed_parts_in_order(blocks):
    assert len(blocks) == 4
    for block in blocks:
        assert [label for label, _ in block] == PARTS


def test_joint_leads_in_order_and_a_blank_lead_said_so(blocks):
    fr2, fr1 = blocks[1], blocks[3]
    assert dict(fr2)["Lead officers"] == "Priya Nair, Principal Social Worker Ama Osei, Head of Family Help"
    assert dict(fr1)["Lead officers"] == "Not given"  # a word, not a blank a screen reader passes over


def test_long_timeline_printed_whole(blocks):
    assert dict(blocks[2])["Timeline"].endswith("and a note of any month missed and why.")


def test_rationale_timescale_and_extra_reach_the_templates(blocks):
    fr1 = dict(blocks[3])
    assert fr1["Family Review reasoning"] == "Families asked for one place to go for help, close to home."
    assert fr1["Timescale"] == "Hubs open by 2024"
    assert "Cost band: high" in fr1["Recommendation"]  # extra.cost_band, through a council template


def test_council_label_wins_over_the_style_label(blocks, text):
    fr1 = dict(blocks[3])
    assert fr1["Government's view"].startswith("Accept ")  # council: Accept; style: Agreed; built-in: Accepted
    assert "Agreed" not in text and not re.search(r"Accepted(?! in principle)", text)
    assert "Government response" not in text  # the style's label for the heading


def test_status_changed_before_as_at_is_shown_with_its_update(blocks):
    fr2 = flat(dict(blocks[1])["Government's view"])
    assert fr2.startswith("Accept ") and "March 2022: The Government agreed to fund mediation training." in fr2


def test_a_style_may_print_the_matrix_as_a_landscape_table(tmp_path):
    project = model_project(tmp_path / "project")
    edit(project / "councils/riverside/council.yaml", "style: fixture-matrix", "style: irwell")
    path = build_one(project, tmp_path / "out", "matrix-response")
    rows = table_rows(path)
    headings = [[cell for cell in row if cell] for row in rows if row[0] == "Recommendation"]
    assert headings[0] == ["Recommendation", "Family Review's argument", "Government response",
                           "Government timescale", "Riverside response", "Timeline", "Lead officer(s)"]
    first = [row[0] for row in rows if row[0][:2] in ("1.", "2.", "3.", "4.", "5.")]
    assert [cell.split(" ")[0] for cell in first] == ["4.", "2.", "3.", "1."]
    with pdfplumber.open(path) as pdf:
        assert all(page.width > page.height for page in pdf.pages)
    text = pdf_text(path)
    assert "Appendix" not in text and "Title:" not in text  # no appendix heading, no cover sheet
