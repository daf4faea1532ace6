"""Setups and checks of the corpus cases for issue 16 (what a reader sees of long words, scripts, tables, blanks).

Not a test module: test_corpus.py runs the cases and finds these by name.
"""

from __future__ import annotations


import re
import shutil
import subprocess
from pathlib import Path

import pdfplumber
import pikepdf

from conftest import ROOT
from hostile import CORPUS, Fixture, pdf_text, rendered_html, tags_of

MM = 72 / 25.4
EDGE = 10 * MM  # every style's page margins are wider than this
LONG = re.compile(r"[^\s<>\"']{150,}")


# --- setups ------------------------------------------------------------------


def setup_long_words_in_every_style(f: Fixture) -> None:
    """The long-words council again in each other shipped style (without its progress table, tested once in base)."""
    for style in ("barnet", "hampshire"):
        shutil.copytree(ROOT / "templates" / style, f.project / "templates" / style)
    tiny = f.project / "councils/tiny"
    shutil.copytree(CORPUS / "long-words/project/councils/tiny", tiny, dirs_exist_ok=True)
    for style in ("haringey", "barnet", "hampshire"):
        folder = f.project / "councils" / f"long-{style}"
        shutil.copytree(tiny, folder)
        council = folder / "council.yaml"
        council.write_text(council.read_text().replace("style: base", f"style: {style}"))
        paper = folder / "papers/update.yaml"
        paper.write_text(paper.read_text().split("  - type: progress")[0])
    shutil.rmtree(tiny)


def setup_broken_font(f: Fixture) -> None:
    """The bold face of the house style's font cut off half-way, as a failed copy leaves it."""
    font = f.project / "templates/base/fonts/LiberationSans-Bold.ttf"
    font.write_bytes(font.read_bytes()[: font.stat().st_size // 2])


def setup_corrupt_font(f: Fixture) -> None:
    """A council's own heading font whose glyph outlines are overwritten (the file's tables all still in place)."""
    source = f.project / "templates/base/fonts/LiberationSans-Bold.ttf"
    folder = f.project / "councils/tiny/templates"
    folder.mkdir(parents=True, exist_ok=True)
    from fontTools.ttLib import TTFont

    with TTFont(source) as font:
        offset, length = font.reader.tables["glyf"].offset, font.reader.tables["glyf"].length
    data = bytearray(source.read_bytes())
    data[offset:offset + length] = b"\xff" * length
    (folder / "Heading.ttf").write_bytes(bytes(data))


# --- checks ------------------------------------------------------------------


def check_innermost_item_printed(f: Fixture) -> None:
    (pdf,) = _pdfs(f)
    text = pdf_text(pdf)
    assert all(f"level{n}" in text for n in range(1, 11)), text


def _pdfs(f: Fixture) -> list[Path]:
    pdfs = sorted(f.out_dir.rglob("*.pdf"))
    assert pdfs, "no PDF was written"
    return pdfs


def check_long_words_stay_on_the_page(f: Fixture) -> None:
    """No character outside the page's margins, and every long value the paper prints there in full."""
    documents = rendered_html(f.project)
    for pdf in _pdfs(f):
        (document,) = [d for key, d in documents.items() if key.split("/")[0] == pdf.parent.name]
        body = document[document.index("<body"):]
        expected = set(LONG.findall(re.sub(r"<[^>]*>", " ", body)))
        assert len(expected) >= 8, expected
        with pdfplumber.open(pdf) as doc:
            text = headers = ""
            for number, page in enumerate(doc.pages, 1):
                outside = [c["text"] for c in page.chars
                           if c["x0"] < EDGE or c["x1"] > page.width - EDGE or c["top"] < 0 or c["bottom"] > page.height]
                assert not outside, f"{pdf.name} page {number}: {''.join(outside)[:80]!r} is off the page"
                # The running header is drawn on every page: read the body without it.
                header, body_chars = [], []
                for c in page.chars:
                    (header if c["bottom"] < 18 * MM or c["top"] > page.height - 16 * MM else body_chars).append(c)
                text += "".join(c["text"] for c in body_chars)
                headers += "".join(c["text"] for c in header) + "\n"
        # A long word may be hyphenated at a line's end: the hyphen drawn there is not part of it.
        printed = re.sub("[-\u2010\u00ad]", "", (text + headers).lower())
        for value in expected:
            assert _printed_whole(value.lower(), printed), f"{pdf.name}: {value[:40]}... is not printed whole"


def _printed_whole(value: str, printed: str) -> bool:
    """In one piece, or in two where a page ends (what else the page draws, such as list numbers, can come between)."""
    return value in printed or any(value[:cut] in printed and value[cut:] in printed
                                   and printed.index(value[:cut]) < printed.rindex(value[cut:])
                                   for cut in range(8, len(value) - 8))


def check_pipe_table_is_a_table(f: Fixture) -> None:
    """The pasted table is a Table with scoped header cells in the PDF, and a <table> in the twin."""
    (pdf,) = _pdfs(f)
    with pikepdf.open(pdf) as doc:
        from reportgen.pdf.structtree import read_tree

        tree = read_tree(doc.Root.StructTreeRoot)
        tables = tree.of_type("/Table")
        assert len(tables) == 3  # the cover, the pasted table and the background documents
        cells = [tree.type(e) for e in tree.elements]
        assert cells.count("/TH") >= 3 + 2
    assert "Referrals1,2041,311" in pdf_text(pdf)
    assert "|" not in pdf_text(pdf).split("Measures:")[1][:200]
    (twin,) = f.out_dir.rglob("*.html")
    tags = tags_of(twin.read_text(encoding="utf-8"))
    headers = [attrs for name, attrs in tags if name == "th" and attrs.get("scope") == "col"]
    assert ("table", {}) in tags and len(headers) >= 3


def check_no_update_given(f: Fixture) -> None:
    (pdf,) = _pdfs(f)
    text = pdf_text(pdf)
    # The summary, and R3 and R5's responses (in the table's cells, read line by line across the columns).
    assert text.count("Noupdate") == 3, text
    (twin,) = f.out_dir.rglob("*.html")
    # The twin shows the progress table, and the same entries again as cards for a narrow screen.
    assert twin.read_text(encoding="utf-8").count('<p class="no-update">No update given.</p>') in (3, 5)


def check_only_the_projects_fonts(f: Fixture) -> None:
    """Every script of the fallback chain printed, from the style's own fonts, and through the gate."""
    (pdf,) = _pdfs(f)
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    names = {line.split()[0].split("+", 1)[-1] for line in fonts.splitlines()[2:]}
    families = {name.removesuffix("-Bold").removesuffix("-Italic") for name in names}
    assert families == {"Report-Sans", "Report-Arabic", "Report-Bengali", "Report-Devanagari", "Report-Gurmukhi"}, names
    with pdfplumber.open(pdf) as doc:
        chars = {c["text"] for page in doc.pages for c in page.chars}
    for sample in ("ŷŴ", "żółćęłńś", "αβγΩ", "Жщё", "ক", "ਪ", "द", "ب", "ے"):
        assert set(sample) <= chars, sample



def check_content_round_two(f: Fixture) -> None:
    """Everything typed is printed inside the page; the pasted tables are tables; the blank item says so."""
    (pdf,) = _pdfs(f)
    with pdfplumber.open(pdf) as doc:
        for number, page in enumerate(doc.pages, 1):
            outside = [c["text"] for c in page.chars if c["x0"] < EDGE or c["x1"] > page.width - EDGE]
            assert not outside, f"page {number}: {''.join(outside)[:80]!r} is off the page"
    text = pdf_text(pdf)
    for typed in ("Total2012–13", "1,350", "Llanfairpwllgwyngyllgogerychwyrndrobwllllantysiliogogogoch",
                  "https://partners.example.org/safeguarding/children/referrals/2012-13/quarterly-returns/"
                  "index.html?view=summary&team=MASH", "@example-borough-council.gov.uk", "Noupdategiven."):
        assert typed in text, typed
    with pikepdf.open(pdf) as doc:
        from reportgen.pdf.structtree import read_tree

        tree = read_tree(doc.Root.StructTreeRoot)
        assert len(tree.of_type("/Table")) == 4  # the cover, the two pasted tables, the progress table


__all__ = [name for name in list(globals()) if name.startswith(("setup_", "check_"))]
