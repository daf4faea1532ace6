"""A Welsh paper (the Gwynant sample): Welsh labels, dates and page numbers, and English quoted text marked as English
in the HTML and in the PDF's structure tree. Reads the run's one build of the samples."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pikepdf
import pytest

from conftest import ROOT, SAMPLES
from reportgen.pdf.gate import check_pdf
from reportgen.pdf.structtree import read_tree
from reportgen.render.catalogue import catalogue
from reportgen.render.messages import template_messages

samples = pytest.mark.samples
PAPER = ("gwynant", "adolygiad-munro")
TEMPLATES = ROOT / "templates"


class _WelshText(HTMLParser):
    """The text of an HTML document outside elements marked as another language (and outside <head>)."""

    VOID = {"br", "img", "meta", "link", "input", "hr", "col", "wbr"}

    def __init__(self):
        super().__init__()
        self.stack: list[bool] = []  # per open element: inside another language (or the head)
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in self.VOID:
            return
        inside = bool(self.stack and self.stack[-1])
        self.stack.append(inside or tag == "head" or dict(attrs).get("lang", "cy") != "cy")

    def handle_endtag(self, tag):
        if tag not in self.VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if not (self.stack and self.stack[-1]):
            self.text.append(data)


def english_labels_in(text: str) -> list[str]:
    """The catalogue's English wording (with a different Welsh translation) found in `text`."""
    words = catalogue(TEMPLATES / "base", "cy")
    text = " ".join(text.split())
    found = []
    for message in template_messages(TEMPLATES):
        if words.gettext(message) == message:
            continue  # "Agenda" is Welsh too
        for piece in re.split(r"%\([a-z_]+\)s|\{[a-z_]+\}", message):
            piece = piece.strip(" :.,")
            if len(piece) >= 3 and re.search(rf"(?<![\w’']){re.escape(piece)}(?![\w’'])", text):
                found.append(piece)
    return found


@samples
def test_the_welsh_twin_has_no_english_fixed_wording(built_samples):
    html = built_samples.file(*PAPER, "html").read_text(encoding="utf-8")
    assert '<html lang="cy">' in html
    reader = _WelshText()
    reader.feed(html)
    welsh = " ".join(reader.text)
    assert "Neidio i’r papur" in welsh or "Neidio i'r papur" in welsh
    assert "Ymateb y Llywodraeth" in welsh and "Ymateb y Cyngor" in welsh  # the council's own label
    assert english_labels_in(welsh) == []
    # the review is English: its words are marked so, the Welsh around them is not
    assert '<span lang="en-GB">Research how health reorganisation affects partnership working' in html


@samples
def test_the_welsh_pdf_has_welsh_labels_dates_and_page_numbers(built_samples):
    pages = built_samples.pages(*PAPER)
    for number, (_, _, text, _) in enumerate(pages, 1):
        assert f"Tudalen {number} o {len(pages)}" in text
    first = " ".join(pages[0][2].split())
    assert "Adroddiad i:" in first and "11 Chwefror 2013" in first and "Teitl:" in first
    assert "Report for:" not in first and "February" not in first
    everything = " ".join(" ".join(text.split()) for _, _, text, _ in pages)
    assert "Argymhelliad Munro 1:" in everything and "Statws:" in everything and "(parhad)" in everything
    english = (SAMPLES / "councils/_reference/munro-2011.yaml").read_text(encoding="utf-8")  # the review's own words
    assert [w for w in english_labels_in(everything) if w not in english] == []


@samples
def test_english_quoted_in_the_welsh_pdf_is_tagged_english(built_samples):
    path = built_samples.file(*PAPER)
    assert check_pdf(path.read_bytes()).passed
    with pikepdf.open(path) as pdf:
        assert str(pdf.Root.Lang) == "cy"
        tree = read_tree(pdf.Root.StructTreeRoot)
        marked = {(tree.type(e), str(e.Lang)) for e in tree.elements if "/Lang" in e}
        titles = [e for e in tree.elements if str(e.get("/Lang", "")) == "en-GB" and tree.type(e) == "/Span"]
    # the recommendations' titles (spans), the Government's updates (paragraphs) and responses (divs)
    assert {("/Span", "en-GB"), ("/P", "en-GB"), ("/Div", "en-GB")} <= marked
    assert len(titles) == 15
