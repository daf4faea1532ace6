"""The agenda pack (`reportgen pack`): front sheet, papers in item order, bookmarks, page numbers, tags."""

import datetime as dt
import hashlib
import re
import shutil

import pdfplumber
import pikepdf
import pytest

from conftest import ROOT, SAMPLES, TINY_MEETINGS, copy_project, outline_of
from reportgen.errors import InputError
from reportgen.meetings.calendar import read_calendar
from reportgen.meetings.pack import PACK_CONTEXT_VARIABLES, build_pack, pack_context, plan_pack, render_front_html
from reportgen.pdf.gate import check_pdf
from reportgen.inputs.project import Project

MEETING = dt.date(2013, 1, 21)
TITLE = "Agenda pack: Children and Young People's Scrutiny Panel, 21 January 2013"
MUNRO = "Progress report on the implementation of the Munro Report"
LSCB = "Haringey Local Safeguarding Children Board annual report 2011/12"
ATTACHMENT = "Appendix A: the board's figures for 2011/12"
MUNRO_PAGES = 13  # the Munro paper's length as laid out today: the pack puts the LSCB paper (2 pages, then its 1-page attachment) after it
pytestmark = pytest.mark.samples  # Haringey's sample meeting, or copies of it


CALLS: dict[str, list] = {"gather": [], "build": []}


@pytest.fixture(scope="module")
def pack(built_samples):
    """The Haringey pack for 21 January 2013, built once for the module from the run's sample papers
    (counting reads and builds)."""
    import reportgen.meetings.pack.plan as plan
    import reportgen.pipeline.build as pipeline
    import reportgen.pipeline.gather as reading  # the build imports its gather when it needs it

    with pytest.MonkeyPatch.context() as patch:
        for module, name in ((plan, "gather"), (reading, "gather"), (pipeline, "build")):
            def spy(*args, _original=getattr(module, name), _name=name, **kwargs):
                CALLS[_name].append(kwargs)
                return _original(*args, **kwargs)

            patch.setattr(module, name, spy)
        return build_pack(Project.at(built_samples.project), "haringey", MEETING, out_dir=built_samples.out)


def test_the_council_is_read_once_and_its_papers_built_in_one_run(pack):
    assert len(CALLS["gather"]) == 1
    (build_call,) = CALLS["build"]
    assert build_call["only"] == {"haringey": {"munro-progress", "safeguarding-annual-report"}}
    assert build_call["inputs"] is not None


@pytest.fixture(scope="module")
def texts(pack) -> list[str]:
    with pdfplumber.open(pack.target) as pdf:
        return [" ".join((page.extract_text() or "").split()) for page in pdf.pages]


@pytest.fixture(scope="module")
def front_rows(pack) -> list[list[str]]:
    """The front sheet's items table as [number, title, page], read from where the words are printed."""
    with pdfplumber.open(pack.target) as pdf:
        words = pdf.pages[0].extract_words()
    head = next(w for w in words if w["text"] == "Item")
    in_head_row = lambda text: next(w for w in words if w["text"] == text and abs(w["top"] - head["top"]) < 2)  # noqa: E731
    title_x, page_x = in_head_row("Title")["x0"], in_head_row("Pack")["x0"]
    left = [w for w in words if w["top"] > head["bottom"] and w["x1"] < title_x]
    numbers = [w for w in left if re.fullmatch(r"[0-9][0-9.]*", w["text"])]
    end = next(w["top"] for w in left if w not in numbers)  # the note under the table
    rows = []
    for number, following in zip(numbers, [*numbers[1:], {"top": end}]):
        band = [w for w in words if number["top"] - 2 <= w["top"] < following["top"] - 2]
        title = " ".join(w["text"] for w in band if title_x - 1 <= w["x0"] < page_x - 1)
        page = " ".join(w["text"] for w in band if w["x0"] >= page_x - 1)
        rows.append([number["text"], title, page])
    return rows


def test_one_pdf_named_for_the_meeting(pack):
    assert pack.target.name == "2013-01-21-cyp-scrutiny-agenda-pack.pdf"
    assert pack.target.parent.name == "haringey"
    assert pack.status == "written"
    assert pack.papers == ["munro-progress: unchanged", "safeguarding-annual-report: unchanged"]  # as built
    assert (pack.pages, pack.attachments) == (1 + MUNRO_PAGES + 3, 1)
    assert [p.split(":")[0] for p in pack.papers] == ["munro-progress", "safeguarding-annual-report"]
    assert pack.findings == [] and not [d for d in pack.diagnostics if d.is_error]


def test_front_sheet_lists_the_meeting_and_every_item_in_order(texts, front_rows, sample_project):
    calendar, _ = read_calendar(Project.at(sample_project), "haringey")
    (meeting,) = calendar.on(MEETING)
    front = texts[0]
    for expected in ("Haringey Council", "Agenda: Children and Young People's Scrutiny Panel",
                     "Monday 21 January 2013", "18:30", "Committee Room 3, Riverside Civic Centre (fictional)"):
        assert expected in front
    assert [row[0] for row in front_rows] == [i.number for i in meeting.items]
    for row, item in zip(front_rows, meeting.items):
        assert row[1].startswith(item.item.title)
    # items without a paper are listed with no page
    assert [row[2] for row in front_rows[:2]] == ["", ""]


def test_each_item_starts_on_the_page_the_front_sheet_gives(texts, front_rows):
    pages = {row[0]: int(row[2]) for row in front_rows if row[2]}
    assert pages == {"5.10": 2, "5.11": 2 + MUNRO_PAGES}
    for number, title in (("5.10", MUNRO), ("5.11", LSCB)):
        page = texts[pages[number] - 1]
        assert title in page and "Page 1 of" in page, number
        first = next(n for n, text in enumerate(texts[1:], 2) if title in text)  # after the front sheet
        assert first == pages[number], number
    listed = re.search(r"Appendix A: the board's figures for 2011/12, page (\d+)", front_rows[3][1])
    assert listed is not None
    assert "Annual report 2011/12: summary of figures" in texts[int(listed[1]) - 1]


def test_pack_page_numbers_on_every_page_and_papers_keep_their_own(texts):
    for number, text in enumerate(texts, 1):
        assert f"Pack page {number}" in text, number
    own = [tuple(map(int, m)) for text in texts for m in re.findall(r"Page (\d+) of (\d+)", text)]
    expected = [(1, 1)] + [(n, MUNRO_PAGES) for n in range(1, MUNRO_PAGES + 1)] + [(1, 2), (2, 2)] + [(1, 1)]
    assert own == expected  # front sheet, Munro paper, LSCB paper, its attachment


def test_page_labels_are_the_pack_page_numbers(pack):
    with pikepdf.open(pack.target) as pdf:
        assert pdf.Root.PageLabels.Nums[0] == 0
        assert pdf.Root.PageLabels.Nums[1].S == pikepdf.Name.D
        assert [page.label for page in pdf.pages] == [str(n) for n in range(1, MUNRO_PAGES + 5)]


def test_a_bookmark_per_item_with_the_papers_own_bookmarks_inside(pack):
    outline = outline_of(pack.target)
    assert [(title, page) for title, page, _ in outline] == [
        ("Agenda: Children and Young People's Scrutiny Panel", 1),
        (f"Item 5.10: {MUNRO}", 2),
        (f"Item 5.11: {LSCB}", 2 + MUNRO_PAGES),
    ]
    munro = outline[1][2]
    assert [(t, p) for t, p, _ in munro] == [(MUNRO, 2)]
    sections = [t for t, _, _ in munro[0][2]]
    assert sections[0] == "1. Describe the issue under consideration"
    assert sections[-1] == "Appendix 1: Munro recommendations – progress on implementation"
    assert ("Appendix 1: Munro recommendations – progress on implementation", 4) in [
        (t, p) for t, p, _ in munro[0][2]]
    lscb = outline[2][2]
    assert [(t, p) for t, p, _ in lscb] == [(LSCB, 2 + MUNRO_PAGES), (ATTACHMENT, 4 + MUNRO_PAGES)]
    assert [t for t, _, _ in lscb[1][2]] == ["Annual report 2011/12: summary of figures"]


def test_the_pack_passes_the_machine_checks(pack):
    report = check_pdf(pack.target.read_bytes())
    assert report.passed, report.findings
    assert report.facts["title"] == TITLE
    assert report.facts["language"] == "en-GB"
    with pikepdf.open(pack.target) as pdf:
        assert pdf.Root.ViewerPreferences.DisplayDocTitle
        assert pdf.Root.MarkInfo.Marked
        with pdf.open_metadata() as xmp:
            assert xmp["pdfuaid:part"] == "1"
            assert xmp["dc:title"] == TITLE


def test_one_document_with_a_part_per_paper_and_attachment(pack):
    with pikepdf.open(pack.target) as pdf:
        tree = pdf.Root.StructTreeRoot
        (document,) = [tree.K] if isinstance(tree.K, pikepdf.Dictionary) else list(tree.K)
        assert document.S == pikepdf.Name.Document
        parts = list(document.K)
        assert [p.S for p in parts] == [pikepdf.Name.Part] * 4
        assert [str(p.T) for p in parts] == ["Agenda", MUNRO, LSCB, ATTACHMENT]
        assert all(p.P.objgen == document.objgen for p in parts)
        # every page points at its own entry of the one parent tree
        nums = tree.ParentTree.Nums
        keys = [int(nums[i]) for i in range(0, len(nums), 2)]
        assert keys == sorted(set(keys))
        parents = [int(page.obj.StructParents) for page in pdf.pages]
        assert len(set(parents)) == len(parents) and set(parents) <= set(keys)
        assert int(tree.ParentTreeNextKey) > max(keys)
        # table header ids stay unique across papers, and cells still point at them
        ids = [bytes(e.ID) for e in _walk(document) if "/ID" in e]
        assert len(ids) == len(set(ids)) and ids
        headers = {bytes(h) for e in _walk(document) if isinstance(e.get("/A"), pikepdf.Dictionary)
                   for h in e.A.get("/Headers", [])}
        assert headers <= set(ids)
        # the pack page number is drawn as a pagination artifact, in a stream of its own
        for page in pdf.pages:
            last = page.obj.Contents[-1].read_bytes()
            assert last.startswith(b"Q\n/Artifact <</Type /Pagination") and b"EMC" in last


def _walk(element):
    yield element
    kids = element.get("/K")
    for kid in (list(kids) if isinstance(kids, pikepdf.Array) else [kids]):
        if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
            yield from _walk(kid)


def test_same_inputs_same_bytes_and_nothing_rewritten(pack, sample_project, rebuilt_haringey):
    digest = lambda path: hashlib.sha256(path.read_bytes()).hexdigest()  # noqa: E731
    again = build_pack(Project.at(sample_project), "haringey", MEETING, out_dir=pack.target.parent.parent)
    assert again.status == "unchanged"
    assert again.papers == ["munro-progress: unchanged", "safeguarding-annual-report: unchanged"]
    # the papers rendered a second time, in an output folder of their own
    elsewhere = build_pack(Project.at(sample_project), "haringey", MEETING, out_dir=rebuilt_haringey)
    assert elsewhere.status == "written"
    assert digest(elsewhere.target) == digest(pack.target)


# --- attachments and the meeting, refused with file:line -------------------------------


@pytest.fixture
def project(tmp_path):
    return copy_project(tmp_path / "project", ("haringey",))


def set_attachment(project, file: str) -> int:
    """Point the sample attachment at `file`; the line of meetings.yaml it is on."""
    path = project / "councils/haringey/meetings.yaml"
    text = path.read_text(encoding="utf-8").replace("attachments/lscb-figures-2011-12.pdf", file)
    path.write_text(text, encoding="utf-8")
    return next(n for n, line in enumerate(text.splitlines(), 1) if f"file: {file}" in line)


def test_an_attachment_path_with_dot_dot_is_refused_with_its_line(project, run_cli, tmp_path):
    line = set_attachment(project, "../northmoor/secret.pdf")
    result = run_cli("-C", project, "pack", "haringey", "--meeting", "2013-01-21", "--out", tmp_path / "out")
    assert result.code == 1
    assert (f"councils/haringey/meetings.yaml:{line}:" in result.err
            and "meetings[0].items[3].attachments[0].file: '..' is not allowed: "
                "the attachment must be inside the council folder" in result.err), result.err
    assert not (tmp_path / "out/haringey").exists()


def test_an_attachment_that_links_outside_the_council_folder_is_refused(project, tmp_path):
    outside = tmp_path / "elsewhere.pdf"
    shutil.copy(project / "councils/haringey/attachments/lscb-figures-2011-12.pdf", outside)
    (project / "councils/haringey/attachments/linked.pdf").symlink_to(outside)
    line = set_attachment(project, "attachments/linked.pdf")
    with pytest.raises(InputError) as raised:
        plan_pack(Project.at(project), "haringey", MEETING)
    problems = [(d.line, d.key, d.message) for d in raised.value.diagnostics if d.is_error]
    assert problems == [(line, "meetings[0].items[3].attachments[0].file",
                         "'attachments/linked.pdf' leads outside the council folder (a link?); "
                         "copy the PDF into the council folder")]


def test_a_missing_attachment_and_a_missing_paper_are_reported_together(project):
    set_attachment(project, "attachments/nowhere.pdf")
    (project / "councils/haringey/papers/munro-progress.yaml").unlink()
    with pytest.raises(InputError) as raised:
        plan_pack(Project.at(project), "haringey", MEETING)
    messages = [d.message for d in raised.value.diagnostics if d.is_error]
    assert messages == [
        "item 5.10: there is no papers/munro-progress.yaml yet, and the pack needs every paper; "
        "write it, or take `paper:` off the item to list it without one",
        "no file 'attachments/nowhere.pdf' in haringey/",
    ]


def test_an_unknown_meeting_lists_the_meetings(project):
    with pytest.raises(InputError) as raised:
        plan_pack(Project.at(project), "haringey", dt.date(2013, 1, 22))
    assert str(raised.value) == ("no meeting of haringey on 2013-01-22 in meetings.yaml; "
                                 "meetings: 2013-01-21 cyp-scrutiny, 2013-02-04 cyp-scrutiny")


def test_a_council_can_override_the_front_sheet(project):
    templates = project / "councils/haringey/templates"
    templates.mkdir()
    (templates / "pack.html").write_text(
        '{% extends "base/pack.html" %}{% block heading %}<h1>Summons: {{ committee.name }}</h1>{% endblock %}',
        encoding="utf-8")
    plan = plan_pack(Project.at(project), "haringey", MEETING)
    html = render_front_html(plan, [])
    assert "<h1>Summons: Children and Young People&#39;s Scrutiny Panel</h1>" in html
    assert f"<title>{TITLE.replace(chr(39), '&#39;')}</title>" in html


def test_documented_front_sheet_variables_are_exactly_the_context(sample_project):
    plan = plan_pack(Project.at(sample_project), "haringey", MEETING)
    assert list(pack_context(plan, [])) == list(PACK_CONTEXT_VARIABLES)
    documented = (ROOT / "docs/meetings.md").read_text(encoding="utf-8").split("## Agenda packs")[1]
    for name in PACK_CONTEXT_VARIABLES:
        assert f"`{name}`" in documented, name


TINY_MEETING = TINY_MEETINGS.format(date="2013-01-21")
TINY_ATTACHMENT = """\
        attachments:
          - file: attachments/figures.pdf
            title: "Appendix A: the partners' figures"
"""


def test_an_untagged_attachment_is_put_in_with_a_warning(tiny_project, run_cli, tmp_path):
    """Partners' reports often come only as scans: put in, with a warning, and the pack claims no PDF/UA."""
    council = tiny_project / "councils/tiny"
    (council / "meetings.yaml").write_text(TINY_MEETING + TINY_ATTACHMENT)
    (council / "attachments").mkdir()
    with pikepdf.open(SAMPLES / "councils/haringey/attachments/lscb-figures-2011-12.pdf") as pdf:
        del pdf.Root["/StructTreeRoot"]
        del pdf.Root["/MarkInfo"]
        pdf.save(council / "attachments/figures.pdf")
    result = run_cli("-C", tiny_project, "pack", "tiny", "--meeting", "2013-01-21", "--out", tmp_path / "out")
    assert result.code == 0, result.err
    assert "attachments[0].file: warning: 'attachments/figures.pdf' is not a tagged PDF" in result.err
    assert "machine checks failed (untagged attachment)" in result.err
    target = tmp_path / "out/tiny/2013-01-21-scrutiny-agenda-pack.pdf"
    assert result.out.strip().endswith(target.name)
    assert not check_pdf(target.read_bytes()).passed
    # front sheet, the two-page paper, then the attachment on page 4
    assert outline_of(target)[1][2][1][:2] == ("Appendix A: the partners' figures", 4)
    with pikepdf.open(target) as pdf, pdf.open_metadata() as xmp:
        assert "pdfuaid:part" not in xmp  # the pack no longer claims PDF/UA


def test_a_template_error_in_a_councils_front_sheet_is_located(tiny_project, run_cli, tmp_path):
    (tiny_project / "councils/tiny/meetings.yaml").write_text(TINY_MEETING)
    templates = tiny_project / "councils/tiny/templates"
    templates.mkdir()
    (templates / "pack.html").write_text(
        '{% extends "base/pack.html" %}\n{% block heading %}\n<h1>{{ 1/0 }}</h1>\n{% endblock %}', encoding="utf-8")
    result = run_cli("-C", tiny_project, "pack", "tiny", "--meeting", "2013-01-21", "--out", tmp_path / "out")
    assert result.code == 1, result.err
    assert "councils/tiny/templates/pack.html:3: template error: division by zero" in result.err
    assert "internal error" not in result.err
