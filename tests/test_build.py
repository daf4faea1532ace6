"""The Haringey sample paper, read back from the PDF as a panel member would see it."""

import hashlib
import re

import pikepdf
import pytest

from conftest import SAMPLE_PAPER, SAMPLES
from reportgen.inputs.models import Paper, Progress, Reference
from reportgen.inputs.yamlload import load_yaml

pytestmark = pytest.mark.samples


def model(path, cls):
    return cls.model_validate(load_yaml(path).data)


@pytest.fixture(scope="module")
def pages(built_samples):
    return built_samples.pages("haringey", "munro-progress")


@pytest.fixture(scope="module")
def appendix_pages(pages):
    return [p for p in pages if p[0] > p[1]]


def test_output_name(haringey_pdf):
    assert haringey_pdf.name == "2013-01-21-cyp-scrutiny-munro-progress.pdf"
    assert haringey_pdf.parent.name == "haringey"


def test_cover_fields_and_title_on_page_one(pages):
    page = pages[0][3]
    flat = " ".join(pages[0][2].split())
    value_x = min(w["x0"] for w in page.extract_words() if w["text"] == "Children")
    labels = " ".join(page.filter(lambda o: o.get("object_type") != "char" or o["x0"] < value_x - 3)
                      .extract_text().split())
    for label in ("Report for:", "Title:", "Report authorised by:", "Lead officers:", "Ward(s) affected:"):
        assert label in labels
    assert "Item number:" in flat and "Report: for" in flat and "information" in flat
    assert "Progress report on the implementation of the Munro Report" in flat
    item_x = min(w["x0"] for w in page.extract_words() if w["text"] == "Item")
    values = page.filter(lambda o: o.get("object_type") != "char" or value_x - 3 <= o["x0"] < item_x - 3)
    assert "Children and Young People's Scrutiny Panel, 21 January 2013" in " ".join(values.extract_text().split())


def test_running_header_on_every_page(pages):
    for _, _, text, _ in pages:
        assert text.splitlines()[0] == "Haringey Council"


def test_numbered_section_headings_in_order(pages):
    paper = model(SAMPLE_PAPER, Paper)
    body = "\n".join(t for w, h, t, _ in pages if h > w)
    positions = [body.index(f"{i}. {s.title}") for i, s in enumerate(paper.sections, 1)]
    assert positions == sorted(positions)


def test_page_x_of_y_on_every_page(pages):
    total = len(pages)
    for number, (_, _, text, _) in enumerate(pages, 1):
        assert text.splitlines()[-1] == f"Page {number} of {total}"


def test_appendix_is_landscape_and_follows_portrait_pages(pages, appendix_pages):
    orientation = ["landscape" if w > h else "portrait" for w, h, _, _ in pages]
    first = orientation.index("landscape")
    assert first >= 1 and set(orientation[first:]) == {"landscape"}
    assert len(appendix_pages) >= 3
    assert "Appendix 1: Munro recommendations" in appendix_pages[0][2]


def test_heading_row_starts_every_appendix_page(appendix_pages):
    heading = "RECOMMENDATION GOVERNMENT RESPONSE HARINGEY RESPONSE TIMELINE"
    for index, (_, _, text, _) in enumerate(appendix_pages):
        lines = text.splitlines()
        first_row = lines[3] if index == 0 else lines[1]  # after header (and title + caption)
        assert first_row == heading, f"appendix page {index + 1}"


def test_every_recommendation_in_order_with_both_responses(appendix_pages):
    reference = model(SAMPLES / "councils/_reference/munro-2011.yaml", Reference)
    progress = model(SAMPLES / "councils/haringey/progress/munro-2013-01.yaml", Progress)

    def column(index):
        """The text of one table column on every page, split at the heading words' positions."""
        parts = []
        for _, _, _, page in appendix_pages:
            starts = {w["text"]: w["x0"] for w in page.extract_words()
                      if w["text"] in ("RECOMMENDATION", "GOVERNMENT", "HARINGEY", "TIMELINE")}
            edges = [starts["RECOMMENDATION"], starts["GOVERNMENT"], starts["HARINGEY"], starts["TIMELINE"], 1e9]
            left, right = edges[index] - 3, edges[index + 1] - 3
            cell = page.filter(lambda o: o.get("object_type") != "char" or left <= o["x0"] < right)
            parts.append(cell.extract_text())
        return " ".join(" ".join(parts).split())

    first_column, government, council = column(0), column(1), column(2)
    numbers = [int(n) for n in re.findall(r"Munro recommendation (\d+):", first_column)]
    assert numbers == list(range(1, 16))
    for rec in reference.recommendations:
        assert rec.government_response.status.label in government
        opening = " ".join(progress.entries[rec.id].response.split()[:5])
        opening = re.sub(r"[*_]", "", opening)
        assert opening in council, rec.id


def test_metadata_language_and_bookmarks(haringey_pdf):
    paper = model(SAMPLE_PAPER, Paper)
    with pikepdf.open(haringey_pdf) as pdf:
        info = pdf.docinfo
        assert str(info["/Title"]) == paper.title
        assert str(info["/Author"]) == "Haringey Council"
        assert str(info["/Subject"]) == "Children and Young People's Scrutiny Panel, 21 January 2013"
        assert str(info["/CreationDate"]).startswith("D:20130108")
        assert str(pdf.Root.Lang) == "en-GB"
        with pdf.open_outline() as outline:
            titles = []

            def walk(items):
                for item in items:
                    titles.append(item.title)
                    walk(item.children)

            walk(outline.root)
    assert titles[0] == paper.title
    for number, section in enumerate(paper.sections, 1):
        assert f"{number}. {section.title}" in titles
    assert "Appendix 1: Munro recommendations – progress on implementation" in titles


def test_same_inputs_same_bytes(haringey_pdf, rebuilt_haringey):
    again = rebuilt_haringey / "haringey" / haringey_pdf.name
    digest = lambda p: hashlib.sha256(p.read_bytes()).hexdigest()  # noqa: E731
    assert digest(again) == digest(haringey_pdf)
