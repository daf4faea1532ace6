"""Attachments as partners send them: taken in, sanitised, repaired or put in untagged; `check` and `pack` on each.

The files are real (Chromium and LibreOffice, tests/fixtures/attachments) or
crafted from them with pikepdf (craft.py); the council is
tests/fixtures/pack. Each pack is built once, through the CLI.
"""

from __future__ import annotations

import io
import shutil
import sys
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pikepdf
import pytest

from conftest import ROOT, CliResult
from reportgen.cli.app import main
from reportgen.pdf.gate import check_pdf
from reportgen.pdf.intake import Unreadable, take_in

FIXTURES = Path(__file__).resolve().parent / "fixtures"
sys.path.insert(0, str(FIXTURES / "attachments"))
from craft import SURVEY_URI, variants  # noqa: E402

KEPT, REPAIRED = "kept tagged", "repaired, kept tagged"
UNTAGGED, BEYOND = "untagged", "tagged but beyond repair, put in untagged"
OUTCOMES = {
    "chromium": REPAIRED, "libreoffice": REPAIRED, "attributes-as-arrays": REPAIRED, "role-map": REPAIRED,
    "clashing-role-map": REPAIRED, "object-streams": REPAIRED, "encrypted-openable": REPAIRED,
    "javascript": REPAIRED, "launch": REPAIRED, "embedded-file": REPAIRED,
    "no-tree": UNTAGGED, "partial-tree": BEYOND, "cyclic-tree": BEYOND, "role-map-cycle": BEYOND,
}
ACTIVE = {"/JavaScript", "/Launch", "/SubmitForm", "/ImportData", "/GoToE", "/Rendition", "/RichMediaExecute"}


@pytest.fixture(scope="module")
def made() -> dict[str, bytes]:
    return variants()


# --- intake: one file at a time ---------------------------------------------------------


@pytest.mark.parametrize("name", sorted(OUTCOMES))
def test_each_attachment_is_classified(made, name):
    intake = take_in(made[name], title="An attachment", lang="en-GB")
    assert intake.outcome == OUTCOMES[name], (intake.repairs, intake.findings)
    assert intake.pages == 1
    with pikepdf.open(io.BytesIO(intake.data)) as pdf:
        assert not pdf.is_encrypted
        assert ("/StructTreeRoot" in pdf.Root) == (name != "no-tree")  # untagged: tags left, not used


def test_what_each_repair_did_is_said():
    chromium = take_in(variants()["chromium"], title="Survey", lang="en-GB")
    assert chromium.repairs == ("put the content of 2 list item(s) in an LBody",
                                "described 1 link(s) by their text or address",
                                "made 3 bookmark(s) from its headings")
    libreoffice = take_in(variants()["libreoffice"], title="Minutes", lang="en-GB")
    assert libreoffice.repairs[0].startswith("dropped 11 identity entries from the role map (/Document, /H1, /H2")
    assert libreoffice.removed == ("an /OpenAction (go to a page)",)
    with pikepdf.open(io.BytesIO(chromium.data)) as pdf, pdf.open_outline() as outline:
        assert [item.title for item in outline.root] == ["Youth services survey 2012"]
        assert [item.title for item in outline.root[0].children] == ["What we found", "Figures"]
        link = next(a for a in pdf.pages[0].Annots if a.Subtype == pikepdf.Name.Link)
        assert str(link.Contents) == "example.org/survey" and str(link.A.URI) == SURVEY_URI


@pytest.mark.parametrize("name, removed", [
    ("javascript", ["JavaScript", "a link to a 'javascript:' address",
                    "additional actions (/AA: scripts run on opening, closing, focus ...)",
                    "an /OpenAction (JavaScript)", "document-level JavaScript"]),
    ("launch", ["a /GoToE action (opens an embedded file)", "a /Launch action (starts a program or opens a file)",
                "a /SubmitForm action (sends form data)", "an /ImportData action (loads form data from a file)"]),
    ("embedded-file", ["an embedded file 'payload.exe'", "an embedded file (file attachment annotation)",
                       "rich media (an embedded player)"]),
])
def test_active_content_is_removed_and_listed(made, name, removed):
    intake = take_in(made[name], title="Survey", lang="en-GB")
    assert list(intake.removed) == removed
    with pikepdf.open(io.BytesIO(intake.data)) as pdf:
        assert active_content(pdf) == []


@pytest.mark.parametrize("name, reason", [
    ("broken", "is not a readable PDF (unable to find trailer dictionary while recovering damaged file)"),
    ("password", "is password-protected; ask for a copy without a password"),
])
def test_an_unreadable_attachment_is_refused_with_the_reason(made, name, reason):
    with pytest.raises(Unreadable) as refused:
        take_in(made[name], title="x", lang="en-GB")
    assert str(refused.value) == reason


def active_content(pdf: pikepdf.Pdf) -> list[str]:
    """Every piece of active content left in an open PDF, looked for in all its objects."""
    found = []
    names = pdf.Root.get("/Names")
    for key in ("/JavaScript", "/EmbeddedFiles"):
        if isinstance(names, pikepdf.Dictionary) and key in names:
            found.append(f"Names {key}")
    if "/OpenAction" in pdf.Root:
        found.append("/OpenAction")
    for obj in pdf.objects:
        if not isinstance(obj, (pikepdf.Dictionary, pikepdf.Stream)):
            continue
        for key in ("/AA", "/JS", "/EF"):
            if key in obj:
                found.append(f"{key} in object {obj.objgen}")
        if str(obj.get("/S")) in ACTIVE or obj.get("/Type") == pikepdf.Name.EmbeddedFile:
            found.append(f"{obj.get('/S') or obj.get('/Type')} in object {obj.objgen}")
        if str(obj.get("/Subtype")) in ("/FileAttachment", "/RichMedia", "/Screen"):
            found.append(f"{obj.Subtype} annotation")
        if str(obj.get("/URI", "")).lower().startswith("javascript:"):
            found.append("javascript: link")
        for action in (obj.get("/A"), obj.get("/Next")):
            if isinstance(action, pikepdf.Dictionary) and str(action.get("/S")) in ACTIVE:
                found.append(f"{action.S} action in object {obj.objgen}")
    return found


# --- check: every file gives a clear result -------------------------------------------


@pytest.mark.parametrize("name, expected", [
    ("chromium", "[PDFUA1-LI-KIDS-001] an LI structure element contains a child other than Lbl or LBody"),
    ("libreoffice", "[PDFUA1-STRUCT-TREE-ROLE-MAP-CYCLE-001]"),
    ("attributes-as-arrays", "tables: 1"),
    ("role-map", "headings: 3"),
    ("object-streams", "tables: 1"),
    ("encrypted-openable", "headings: 3"),
    ("no-tree", "[tagged] the PDF is not tagged: screen readers cannot follow it"),
    ("partial-tree", "are tagged but not in the structure tree"),
    ("cyclic-tree", "[structure] the structure tree has a cycle: a /Document element"),
    ("role-map-cycle", "[structure] the role map has a cycle: /Custom1 -> /Custom2 -> /Custom1"),
    ("javascript", "headings: 3"),
    ("broken", "[file] not a readable PDF: unable to find trailer dictionary"),
    ("password", "[file] the PDF is password-protected, so it cannot be checked"),
])
def test_check_gives_a_clear_result_on_each_file(made, name, expected, run_cli, tmp_path):
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(made[name])
    result = run_cli("check", path)
    assert result.code == 1, result.err  # on its own, none of them is PDF/UA (no PDF/UA identification)
    assert result.out.startswith(f"{path}: machine checks failed"), result.out
    assert expected in result.out and "internal error" not in result.err + result.out, result.out


# --- pack: each kind of attachment in a pack ----------------------------------------------


@pytest.fixture(scope="module")
def project(tmp_path_factory, made) -> Path:
    """tests/fixtures/pack with the base style and every attachment in its attachments/ folder."""
    root = tmp_path_factory.mktemp("intake") / "project"
    shutil.copytree(FIXTURES / "pack", root)
    shutil.copytree(ROOT / "templates/base", root / "templates/base")
    attachments = root / "councils/partners/attachments"
    attachments.mkdir()
    for name, data in made.items():
        (attachments / f"{name}.pdf").write_bytes(data)
    return root


def pack(project: Path, date: str) -> tuple[CliResult, Path]:
    """`reportgen pack partners --meeting DATE` in-process (any fixture scope), and the pack's path."""
    out = project.parent / f"out-{date}"
    stdout, stderr = io.StringIO(), io.StringIO()
    with pytest.MonkeyPatch.context() as patch, redirect_stdout(stdout), redirect_stderr(stderr):
        patch.setattr(sys, "argv", ["reportgen", "-C", str(project), "pack", "partners", "--meeting", date,
                                    "--out", str(out)])
        try:
            main()
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
    return CliResult(code, stdout.getvalue(), stderr.getvalue()), out / "partners" / f"{date}-scrutiny-agenda-pack.pdf"


@pytest.fixture(scope="module")
def conforming(project):
    return pack(project, "2013-03-04")


@pytest.fixture(scope="module")
def beyond_repair(project):
    return pack(project, "2013-03-11")


def test_a_pack_of_attachments_that_could_be_made_to_conform_passes_the_checks(conforming):
    result, target = conforming
    assert result.code == 0, result.err
    warnings = [line for line in result.err.splitlines() if ": warning: " in line]
    assert "machine checks passed" in result.err and len(warnings) == 1, result.err
    assert warnings[0].endswith("this council has no papers yet: add one under papers/")  # this council has none
    report = check_pdf(target.read_bytes())
    assert report.passed, report.findings
    with pikepdf.open(target) as pdf:
        with pdf.open_metadata() as xmp:
            assert xmp["pdfuaid:part"] == "1"
        document = pdf.Root.StructTreeRoot.K[0]
        assert [str(part.T) for part in document.K][:3] == ["Agenda", "Youth services survey (Chromium)",
                                                           "Survey, encrypted copy"]
        assert len(document.K) == 11  # the front sheet and every attachment, each a Part with its tags


def test_the_pack_reports_what_was_removed_and_repaired_per_attachment(conforming):
    lines = conforming[0].err.splitlines()
    assert ("partners/attachments/javascript.pdf: repaired, kept tagged (put the content of 2 list item(s) in an "
            "LBody; described 1 link(s) by their text or address; made 3 bookmark(s) from its headings); removed "
            "JavaScript, a link to a 'javascript:' address, additional actions (/AA: scripts run on opening, "
            "closing, focus ...), an /OpenAction (JavaScript), document-level JavaScript") in lines
    assert any(line.startswith("partners/attachments/launch.pdf: repaired, kept tagged (")
               and line.endswith("; removed a /GoToE action (opens an embedded file), a /Launch action (starts a "
                                 "program or opens a file), a /SubmitForm action (sends form data), an /ImportData "
                                 "action (loads form data from a file)") for line in lines), lines
    assert any(line.startswith("partners/attachments/embedded-file.pdf: ") and "payload.exe" in line for line in lines)
    assert any(line.startswith("partners/attachments/libreoffice.pdf: repaired, kept tagged (dropped 11 identity")
               for line in lines), lines


def test_no_active_content_reaches_the_pack_and_web_links_stay(conforming):
    with pikepdf.open(conforming[1]) as pdf:
        assert active_content(pdf) == []
        uris = [str(a.A.URI) for page in pdf.pages for a in page.get("/Annots", [])
                if isinstance(a.get("/A"), pikepdf.Dictionary) and "/URI" in a.A]
        # seven copies of the survey, less the two whose link was a script or a program launcher; three minutes
        assert uris.count(SURVEY_URI) == 5 and uris.count("https://www.example.org/minutes") == 3, uris


def test_clashing_custom_types_are_renamed_per_attachment(conforming):
    with pikepdf.open(conforming[1]) as pdf:
        role_map = {str(k): str(v) for k, v in pdf.Root.StructTreeRoot.RoleMap.items()}
        renamed = [k for k in role_map if k.startswith("/Title-")]
        assert role_map["/Title"] == "/H1" and [role_map[k] for k in renamed] == ["/P"], role_map
        assert "/Table" not in role_map and "/Document" not in role_map  # identity entries dropped
        kinds = {str(e.get("/S")) for e in _elements(pdf)}
        assert {"/Title", renamed[0], "/Para"} <= kinds


def test_attachments_beyond_repair_go_in_untagged_with_a_warning(beyond_repair):
    result, target = beyond_repair
    assert result.code == 0, result.err
    err = result.err
    assert "attachments[1].file: warning: 'attachments/no-tree.pdf' is not a tagged PDF" in err
    for k, name, finding in ((2, "partial-tree", "[artifacts]"), (3, "cyclic-tree", "[structure] the structure tree "
                             "has a cycle"), (4, "role-map-cycle", "[structure] the role map has a cycle")):
        assert (f"attachments[{k}].file: warning: 'attachments/{name}.pdf' is tagged, but fails the machine "
                f"accessibility checks even after reportgen's repairs: ") in err, err
        assert finding in err
    assert "machine checks failed (untagged attachment)" in err
    with pikepdf.open(target) as pdf:
        assert [str(p.T) for p in pdf.Root.StructTreeRoot.K[0].K] == ["Agenda", "Youth services survey (Chromium)"]
        with pdf.open_metadata() as xmp:
            assert "pdfuaid:part" not in xmp
        assert len(pdf.pages) == 6


def test_an_unreadable_attachment_stops_the_pack_naming_it(project):
    result, target = pack(project, "2013-03-18")
    assert result.code == 1
    lines = result.err.splitlines()
    meetings = "councils/partners/meetings.yaml"
    assert any(meetings in line and "meetings[2].items[0].attachments[0].file: 'attachments/broken.pdf' is not a "
               "readable PDF (unable to find trailer dictionary" in line for line in lines), lines
    assert any(meetings in line and "attachments[1].file: 'attachments/password.pdf' is password-protected; ask "
               "for a copy without a password" in line for line in lines), lines
    assert not target.exists()


def test_a_template_error_in_pack_html_is_located(project, tmp_path):
    copy = tmp_path / "project"
    shutil.copytree(project, copy)
    templates = copy / "councils/partners/templates"
    templates.mkdir()
    (templates / "pack.html").write_text('{% extends "base/pack.html" %}\n{% block heading %}\n<h1>{{ 1/0 }}</h1>'
                                         "\n{% endblock %}\n", encoding="utf-8")
    result, target = pack(copy, "2013-03-25")
    assert result.code == 1, result.err
    assert "councils/partners/templates/pack.html:3: template error: division by zero" in result.err, result.err
    assert "internal error" not in result.err and not target.exists()


def _elements(pdf):
    from reportgen.pdf.structtree import structure_of

    return structure_of(pdf).elements
