"""Exempt information: a public and an exempt version from one source, and the leak check that proves the public one.

The fixture project tests/fixtures/exempt has an English council (eastfield)
whose paper marks a section, a figure, an appendix and a progress entry
exempt, and a Welsh council (cwmdu) whose paper has an exempt appendix.
Both are built once for the module.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import threading
import shutil
import zlib

import pdfplumber
import pikepdf
import pytest
from PIL import Image

from conftest import FIXTURES, copy_project
from reportgen.inputs.project import Project
from reportgen.meetings.pack import build_pack
from reportgen.pdf.leak import find_leaks, key, page_fingerprints
from reportgen.pdf.stamp import Mark, stamp
from reportgen.pipeline.build import build
from reportgen.pipeline.produce import render_repaired
from reportgen.pipeline.gather import gather

PAPER = "2013-03-04-scrutiny-care-contract"
FONT = FIXTURES.parent.parent / "templates/base/fonts/LiberationSans-Regular.ttf"
EXEMPT_TEXTS = [
    "Evaluation of the residential care bids",
    "The evaluation panel scored Brightwater Care Homes Limited at 87 out of 100",
    "Kestrel Group's bid depends on a parent company guarantee",
    "Brightwater Care Homes Limited offered 412 pounds a bed night",
    "Contract award on 14 March 2013",
    "Legal advice on the procurement challenge risk",
    "Counsel advises that a challenge by the Kestrel Group",
    "Bed night prices offered by the two bidders",
]


def exempt_project(dest):
    root = copy_project(dest, ("eastfield", "cwmdu"), source=FIXTURES / "exempt", reviews=("munro-2011",))
    attachments = root / "councils/eastfield/attachments"
    attachments.mkdir()
    for name in ("chromium.pdf", "libreoffice.pdf"):
        shutil.copy(FIXTURES / "attachments" / name, attachments / name)
    return root


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = exempt_project(tmp_path_factory.mktemp("exempt") / "project")
    report = build(Project.at(root), None, out_dir=root / "output", formats=("pdf", "html"))
    assert report.ok, [o.message for o in report.outcomes]
    return root


def pdf_text(path) -> list[str]:
    with pdfplumber.open(path) as pdf:
        return [page.extract_text() or "" for page in pdf.pages]


def drawn_text(path) -> str:
    """The PDF's characters in drawing order, so a table cell's lines stay together."""
    with pdfplumber.open(path) as pdf:
        return " ".join("".join(c["text"] for c in page.chars) for page in pdf.pages)


def withheld(root):
    inputs = gather(Project.at(root), ["eastfield"])
    return inputs.councils["eastfield"].papers[0].public.withheld


def test_public_and_exempt_versions_go_where_they_belong(built):
    out = built / "output/eastfield"
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()
                  and "agenda-pack" not in p.name) == [
        f"{PAPER}.html", f"{PAPER}.pdf", f"exempt/{PAPER}-exempt.pdf"]  # no exempt HTML twin
    assert (built / "output/cwmdu/exempt/2013-05-13-cabinet-land-sale-exempt.pdf").is_file()


def test_the_public_version_has_notices_and_none_of_the_exempt_parts(built):
    pages = pdf_text(built / f"output/eastfield/{PAPER}.pdf")
    text = " ".join(" ".join(pages).split())
    assert pages[0].splitlines()[1] == "Part exempt"
    assert ("Appendix 2 is not for publication: exempt information under paragraph 5 of Part 1 of Schedule 12A "
            "to the Local Government Act 1972") in text
    assert "Section 2 is not for publication: exempt information under paragraph 3 of Part 1" in text
    assert "A figure in section 1 is not for publication" in text
    assert key("Eastfield's response to recommendation 3 is not for publication") in key(drawn_text(
        built / f"output/eastfield/{PAPER}.pdf"))
    html = (built / f"output/eastfield/{PAPER}.html").read_text(encoding="utf-8")
    for phrase in EXEMPT_TEXTS:
        assert key(phrase) not in key(text), phrase
        assert key(phrase) not in key(html), phrase
    assert find_leaks(withheld(built), pdf=(built / f"output/eastfield/{PAPER}.pdf").read_bytes(),
                      html=html.encode()) == []
    with pikepdf.open(built / f"output/eastfield/{PAPER}.pdf") as pdf:  # only the public figure's image
        images = {o.objgen for page in pdf.pages for o in page.get_images().values()}
        assert len(images) == 1


def test_the_exempt_version_is_complete_and_marked_on_every_page(built):
    path = built / f"output/eastfield/exempt/{PAPER}-exempt.pdf"
    pages = pdf_text(path)
    text = key(drawn_text(path))
    for phrase in EXEMPT_TEXTS:
        assert key(phrase) in text, phrase
    assert all(page.splitlines()[0] == "NOT FOR PUBLICATION" for page in pages)
    assert "Exempt information: paragraph 5 of Part 1 of Schedule 12A" in " ".join(" ".join(pages).split())
    with pikepdf.open(path) as pdf:
        for page in pdf.pages:  # the marking is a pagination artifact: screen readers skip it
            last = [s.read_bytes() for s in page.obj.Contents][-1]  # after any "(continued)" label
            assert b"/Artifact <</Type /Pagination /Subtype /Header>> BDC" in last
        assert len({o.objgen for page in pdf.pages for o in page.get_images().values()}) == 2


def test_changes_and_summary_of_the_public_version_count_no_exempt_entry(built):
    inputs = gather(Project.at(built), ["eastfield"])
    full = inputs.councils["eastfield"].papers[0]
    public = full.public
    def blocks(view):
        return {b.type: b for b in view.sections[0].blocks}
    assert [c.recommendation.id for c in blocks(full)["changes"].changed] == ["R1", "R3"]
    assert [c.recommendation.id for c in blocks(public)["changes"].changed] == ["R1"]
    assert "R3" not in [c.recommendation.id for c in blocks(public)["changes"].changes]
    def counts(view):
        summary = blocks(view)["summary"].summary
        return summary.total, {c.key: c.count for c in summary.statuses}
    (full_total, full_counts), (public_total, public_counts) = counts(full), counts(public)
    assert public_total == full_total - 1  # R3, in progress, is exempt: counted in the exempt version only
    assert public_counts["in_progress"] == full_counts["in_progress"] - 1
    rows = {r.recommendation.id: r for r in public.appendices[0].rows}
    assert rows["R3"].entry is None and rows["R3"].withheld.paragraph == 3
    assert [w.kind for w in public.withheld] == ["figure", "section", "response", "appendix"]


def test_a_welsh_council_takes_part_4_and_refuses_part_1(built, tmp_path, run_cli):
    root = exempt_project(tmp_path / "project")
    paper = root / "councils/cwmdu/papers/land-sale.yaml"
    assert run_cli("validate", "cwmdu", cwd=root).code == 0  # paragraph 14 in Wales
    paper.write_text(paper.read_text().replace("paragraph: 14", "paragraph: 3"))
    result = run_cli("validate", "cwmdu", cwd=root)
    assert result.code == 1
    assert ("councils/cwmdu/papers/land-sale.yaml:13:14: appendices[0].exempt.paragraph: paragraph 3 is in the "
            "England Part of Schedule 12A, which does not apply to a council in Wales; a council in Wales uses "
            "Part 4, paragraphs 12 to 18") in result.err
    assert "Traceback" not in result.out + result.err


def test_an_english_council_takes_part_1_and_refuses_part_4(tmp_path, run_cli):
    root = exempt_project(tmp_path / "project")
    record = root / "councils/eastfield/progress/p2013-02.yaml"
    record.write_text(record.read_text().replace("paragraph: 3", "paragraph: 14"))
    result = run_cli("validate", "eastfield", cwd=root)
    assert result.code == 1
    assert ("councils/eastfield/progress/p2013-02.yaml:17:14: entries.R3.exempt.paragraph: paragraph 14 is in the "
            "Wales Part of Schedule 12A, which does not apply to a council in England") in result.err
    record.write_text(record.read_text().replace("paragraph: 14", "paragraph: 19"))
    assert "Schedule 12A has no paragraph 19 of exempt information" in run_cli("validate", "eastfield", cwd=root).err
    meetings = root / "councils/eastfield/meetings.yaml"  # an agenda attachment's paragraph too
    meetings.write_text(meetings.read_text().replace("paragraph: 3", "paragraph: 12"))
    assert ("councils/eastfield/meetings.yaml:19:22: meetings[0].items[1].attachments[1].exempt.paragraph: "
            "paragraph 12 is in the Wales Part") in run_cli("validate", "eastfield", cwd=root).err


def test_an_exempt_sentence_copied_into_a_public_part_fails_the_paper_and_nothing_is_written(built, tmp_path):
    root = exempt_project(tmp_path / "project")
    out = root / "output"
    assert build(Project.at(root), ["eastfield"], out_dir=out).ok
    before = {p: p.read_bytes() for p in out.rglob("*.pdf")}
    paper = root / "councils/eastfield/papers/care-contract.yaml"
    paper.write_text(paper.read_text().replace(
        "body: The panel will receive a further report after the contract is awarded.",
        "body: The panel will hear that Kestrel Group's bid depends on a parent company guarantee."))
    report = build(Project.at(root), ["eastfield"], out_dir=out)
    failed = [o for o in report.outcomes if o.status == "failed"]
    assert len(failed) == 1 and "exempt information found in the public version, so nothing of it was written" \
        in failed[0].message
    assert "page 3: text of the exempt section 2 (“Kestrel Group’s bid depends on a parent company”)" in \
        failed[0].message
    assert {p: p.read_bytes() for p in out.rglob("*.pdf")} == before  # the last good files, public and exempt


# --- packs, publication, pruning -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def packs(built):
    report = build_pack(Project.at(built), "eastfield", dt.date(2013, 3, 4), out_dir=built / "output")
    return report, report.target, report.exempt_target


def test_the_public_pack_leaves_the_exempt_attachment_out_and_says_so(packs):
    report, public, _ = packs
    assert public == report.plan.target(public.parent.parent) and public.parent.name == "eastfield"
    text = " ".join(" ".join(pdf_text(public)).split())
    assert text.startswith("Eastfield Borough Council Pack page 1 Agenda: Children's Scrutiny Panel Part exempt")
    assert ("An attachment to item 2 is not for publication: exempt information under paragraph 3 of Part 1 of "
            "Schedule 12A to the Local Government Act 1972") in text
    assert "Provider's financial statements" not in text
    withheld = tuple(w for item in report.plan.items for w in item.paper_withheld + item.withheld)
    attachment = (FIXTURES / "attachments/libreoffice.pdf")
    pages = {f: "statements" for a in report.plan.items[1].attachments if a.exempt
             for f in page_fingerprints(a.intake.data)}
    assert pages and find_leaks(withheld, pdf=public.read_bytes(), exempt_pages=pages) == []
    assert attachment.is_file()


def test_the_exempt_pack_holds_everything_part_b_last_marked_on_every_page(packs):
    report, public, exempt = packs
    assert exempt == public.parent / "exempt" / "2013-03-04-scrutiny-agenda-pack-exempt.pdf"
    pages = pdf_text(exempt)
    assert all(page.splitlines()[0] == "NOT FOR PUBLICATION" for page in pages)  # once, on every page
    assert not any("NOT FOR PUBLICATION" in line for page in pages for line in page.splitlines()[1:2])
    front = " ".join(pages[0].split())
    assert front.index("1 Apologies for absence") < front.index("Part B: items not for publication") \
        < front.index("2 Munro review and the residential care contract")
    assert "Exempt information under paragraph 3, 5 of Part 1 of Schedule 12A" in front
    assert "Provider's financial statements, page 11" in front
    assert len(pages) == report.exempt_pages == 11
    text = key(drawn_text(exempt))
    assert all(key(phrase) in text for phrase in EXEMPT_TEXTS)


def test_prune_treats_the_exempt_folder_like_any_other(packs, built):
    stale = built / "output/eastfield/exempt/2012-01-01-scrutiny-old-paper-exempt.pdf"
    stale.write_bytes(b"%PDF-1.7 old")
    report = build(Project.at(built), ["eastfield"], out_dir=built / "output", prune=True)
    assert report.ok and report.pruned == [stale] and not stale.exists()
    assert (built / f"output/eastfield/exempt/{PAPER}-exempt.pdf").is_file() and packs[2].is_file()


def test_publish_records_the_public_version_only(packs, built, run_cli):
    result = run_cli("publish", "eastfield", "care-contract", "--on", "2013-02-25", cwd=built)
    assert result.code == 0, result.err
    register = (built / "councils/eastfield/published.yaml").read_text(encoding="utf-8")
    assert f"file: {PAPER}.pdf" in register and f"file: {PAPER}.html" in register
    assert "-exempt.pdf" not in register and "format: exempt" not in register
    assert sorted(p.name for p in (built / "councils/eastfield/published").rglob("*.*")) == [
        f"{PAPER}.html", f"{PAPER}.pdf"]


def test_a_paper_no_longer_exempt_loses_its_exempt_version_with_prune(built):
    paper = built / "councils/cwmdu/papers/land-sale.yaml"
    paper.write_text("\n".join(line for line in paper.read_text().splitlines() if "exempt:" not in line) + "\n")
    exempt = built / "output/cwmdu/exempt/2013-05-13-cabinet-land-sale-exempt.pdf"
    report = build(Project.at(built), ["cwmdu"], out_dir=built / "output", formats=("pdf", "html"), prune=True)
    assert report.ok and report.pruned == [exempt] and not exempt.exists()
    assert "Offers received" in " ".join(pdf_text(built / "output/cwmdu/2013-05-13-cabinet-land-sale.pdf"))
    again = build(Project.at(built), ["cwmdu"], out_dir=built / "output", formats=("pdf", "html"))
    assert [(o.status, [f.name for f in o.files]) for o in again.outcomes] == [
        ("unchanged", ["2013-05-13-cabinet-land-sale.pdf"]), ("unchanged", ["2013-05-13-cabinet-land-sale.html"])]


# --- the control: a leak of each kind, planted in the public files, is caught ----------------------------


@pytest.fixture(scope="module")
def public(built):
    return (built / f"output/eastfield/{PAPER}.pdf").read_bytes(), withheld(built)


def planted(data: bytes, change) -> bytes:
    with pikepdf.open(io.BytesIO(data)) as pdf:
        change(pdf)
        buffer = io.BytesIO()
        pdf.save(buffer)
        return buffer.getvalue()


SENTENCE = "Kestrel Group's bid depends on a parent company guarantee that expires in June 2013."


def set_subject(pdf):
    pdf.docinfo["/Subject"] = SENTENCE


def add_outline(pdf):
    with pdf.open_outline() as outline:
        outline.root.append(pikepdf.OutlineItem("Kestrel Group's bid depends on a parent company guarantee", 0))


def set_alt(pdf):
    figure = next(o for o in pdf.objects if isinstance(o, pikepdf.Dictionary) and o.get("/S") == "/Figure")
    figure.Alt = pikepdf.String("Comparison of the bed night prices offered by Brightwater and Kestrel")


def add_annotation(pdf):
    pdf.pages[0].obj.Annots = pdf.make_indirect(pikepdf.Array([pdf.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Text, Rect=[0, 0, 10, 10], Contents=pikepdf.String(SENTENCE)))]))


def set_xmp(pdf):
    with pdf.open_metadata(set_pikepdf_as_editor=False) as meta:
        meta["dc:description"] = SENTENCE


def attach(pdf):
    pdf.attachments["Legal advice on the procurement challenge risk.txt"] = pikepdf.AttachedFileSpec(pdf, b"x")


def swap_image(built):
    """The public figure's image replaced by the exempt figure's pixels, encoded afresh (raw, deflated)."""
    def change(pdf):
        with Image.open(built / "councils/eastfield/images/exempt-chart.png") as image:
            rgb = image.convert("RGB")
        xobject = next(iter(pdf.pages[0].get_images().values()))
        xobject.write(zlib.compress(rgb.tobytes(), 9), filter=pikepdf.Name.FlateDecode)
        xobject.Width, xobject.Height = rgb.size
        xobject.ColorSpace, xobject.BitsPerComponent = pikepdf.Name.DeviceRGB, 8
        for name in ("/DecodeParms", "/SMask"):
            if name in xobject:
                del xobject[name]
    return change


@pytest.mark.parametrize("kind, change, where", [
    ("metadata", set_subject, "the public PDF's metadata (/Subject)"),
    ("xmp", set_xmp, "the public PDF's XMP metadata"),
    ("bookmark", add_outline, "the public PDF's bookmarks"),
    ("alt text", set_alt, "the public PDF's Alt text (structure tree)"),
    ("annotation", add_annotation, "the public PDF's page 1: annotation Contents"),
    ("attachment name", attach, "the public PDF's attachment names"),
])
def test_the_check_catches_a_planted_leak_in_the_pdfs_objects(public, kind, change, where):
    data, parts = public  # clean as built (test_the_public_version_has_notices_and_none_of_the_exempt_parts)
    leaks = find_leaks(parts, pdf=planted(data, change))
    assert any(leak.startswith(where) for leak in leaks), (kind, leaks)


def test_the_check_reads_text_through_the_fonts_on_a_page_and_across_a_page_break(public):
    data, parts = public
    # Drawn with a subset font (glyph ids, not letters, in the content stream): only ToUnicode gives the words.
    on_page = stamp(data, [Mark(2, "The evaluation panel scored Brightwater Care Homes Limited at 87 out of 100",
                                300, 700, align="center", kind="Footer")], FONT)
    assert SENTENCE.encode() not in on_page
    assert any(leak.startswith("the public PDF's text, page 3: text of the exempt section 2")
               for leak in find_leaks(parts, pdf=on_page))
    # Half a phrase at the foot of one page, half at the top of the next, the running header and footer between.
    html = ("<html lang='en'><style>@page { @top-center { content: 'Eastfield Borough Council' } "
            "@bottom-center { content: 'Page ' counter(page) } }</style><body><p>Counsel advises that a</p>"
            "<p style='break-before: page'>challenge by the Kestrel Group under</p></body></html>")
    across = render_repaired(html, base_url=FIXTURES, allowed_roots=[FIXTURES, FONT.parent.parent],
                             date=dt.date(2013, 3, 4), max_passes=0).pdf  # repaired: the margins are artifacts
    assert find_leaks(parts, pdf=across) == [
        "the public PDF's text, across a page break: text of the exempt appendix 2 (“Counsel advises that a "
        "challenge by the Kestrel”)"]


def test_the_check_catches_an_exempt_image_re_encoded(public, built):
    data, parts = public
    leaks = find_leaks(parts, pdf=planted(data, swap_image(built)))
    assert any("has the pixels of the exempt figure 1 (exempt-chart.png)" in leak for leak in leaks), leaks


def test_the_check_catches_exempt_text_and_images_in_the_html(public, built):
    _, parts = public
    html = (built / f"output/eastfield/{PAPER}.html").read_text(encoding="utf-8")
    assert find_leaks(parts, html=html.encode()) == []
    text = html.replace("</main>", f"<p>{SENTENCE.replace(' ', ' <b></b>')}</p></main>")
    assert any(leak.startswith("the public HTML's text") for leak in find_leaks(parts, html=text.encode()))
    attribute = html.replace("<main", '<main title="Legal advice on the procurement challenge risk"')
    assert "the public HTML's <main title>: text of the exempt appendix 2 (“Legal advice on the procurement " \
           "challenge risk”)" in find_leaks(parts, html=attribute.encode())
    buffer = io.BytesIO()
    with Image.open(built / "councils/eastfield/images/exempt-chart.png") as image:
        image.convert("RGB").save(buffer, "PNG", compress_level=1)  # other bytes, the same pixels
    embedded = html.replace("</main>", f'<img alt="" src="data:image/png;base64,'
                                       f'{base64.b64encode(buffer.getvalue()).decode()}"></main>')
    assert "the public HTML: an embedded image has the pixels of the exempt figure 1 (exempt-chart.png)" in \
        find_leaks(parts, html=embedded.encode())


def test_the_check_catches_a_page_of_an_exempt_attachment(public):
    data, parts = public
    attachment = (FIXTURES / "attachments/libreoffice.pdf").read_bytes()
    fingerprints = {f: "Provider's financial statements" for f in page_fingerprints(attachment)}
    assert find_leaks(parts, pdf=data, exempt_pages=fingerprints) == []

    def append(pdf):
        with pikepdf.open(io.BytesIO(attachment)) as other:
            pdf.pages.append(other.pages[0])
    leaks = find_leaks(parts, pdf=stamp(planted(data, append), [Mark(7, "Pack page 8", 500, 20)], FONT),
                       exempt_pages=fingerprints)
    assert "the public PDF's page 8: a page of the exempt attachment “Provider's financial statements”" in leaks


def test_the_tracker_export_flags_exempt_rows(built, tmp_path, run_cli):
    target = tmp_path / "tracker.csv"
    result = run_cli("export", "eastfield", "--progress", "p2013-02", "--to", str(target), cwd=built)
    assert result.code == 0, result.err
    rows = {line.split(",")[0]: line for line in target.read_text(encoding="utf-8").splitlines()}
    assert rows["R3"].endswith(",Paragraph 3") and not rows["R1"].endswith("Paragraph 3")


def test_the_preview_renders_and_serves_the_public_version_only(tmp_path):
    from test_preview import poll, request, text

    from reportgen.preview.server import Preview

    root = exempt_project(tmp_path / "project")
    out = tmp_path / "preview"
    preview = Preview(Project.at(root), "eastfield", folder=out, paper=None).__enter__()
    threading.Thread(target=preview.serve_forever, daemon=True).start()
    try:
        poll(lambda: preview.session.papers["care-contract"].html and preview.session.idle(pdf=False),
             "the public HTML twin")
        twin = text(preview.port, "/paper/care-contract/html")
        assert "Appendix 2 is not for publication" in twin
        assert all(key(phrase) not in key(twin) for phrase in EXEMPT_TEXTS)
        assert request(preview.port, "/paper/care-contract/exempt")[0] == 404
        assert not list(out.rglob("*-exempt.pdf"))  # the exempt version is never made by the preview
    finally:
        preview.close()
