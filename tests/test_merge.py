"""reportgen.merge: a council's records and the shared reference data become papers ready to render."""

from __future__ import annotations

import pytest

from conftest import SAMPLES
from reportgen.inputs.project import Project
from reportgen.inputs.records import read_council, read_references
from reportgen.merge import check_reference, merge_council

COUNCIL = """\
name: Tiny Council
style: base
nation: England
committees:
  - id: scrutiny
    name: Scrutiny Panel
  - id: cabinet
    name: Cabinet
officers:
  - id: ann-lee
    name: Ann Lee
    role: Head of Service
  - id: raj-patel
    name: Raj Patel
    role: Director of Children's Services
"""

PAPER = """\
title: Munro update
meeting:
  committee: scrutiny
  date: 2013-01-21
review: munro-2011
authorised_by: raj-patel
lead_officers: [ann-lee, raj-patel]
sections:
  - title: Background
    body: Progress since the last report.
    recommendations: [R5, R2]
  - title: Next steps
    paragraphs: [First., Second.]
appendices:
  - type: progress
    title: Progress on each recommendation
    progress: p2013
  - type: recommendations
    title: The recommendations
    reference: munro-2011
"""

PROGRESS = """\
reference: munro-2011
as_at: 2012-12-28
entries:
""" + "".join(f"  R{n}:\n    response: Done {n}.\n    lead_officer: ann-lee\n" for n in range(1, 16) if n not in (3, 12))


@pytest.fixture
def council(tiny_project, monkeypatch):
    """The tiny council with two committees, two officers and a paper with both kinds of review appendix."""
    monkeypatch.chdir(tiny_project)  # messages name files from where reportgen runs
    folder = tiny_project / "councils/tiny"
    (folder / "council.yaml").write_text(COUNCIL)
    (folder / "papers/update.yaml").write_text(PAPER)
    (folder / "progress/p2013.yaml").write_text(PROGRESS)
    return folder


def merge(folder):
    """merge_council on the council's records, as `gather` calls it; (papers, diagnostics as text)."""
    project = Project.at(folder.parent.parent)
    references, problems = read_references(project)
    records, more = read_council(project, folder.name)
    assert records is not None and not problems, [str(d) for d in problems + more]
    papers, diagnostics = merge_council(records, references)
    return papers, [str(d) for d in diagnostics]


def test_ids_are_resolved_and_sections_numbered(council):
    (view,), diagnostics = merge(council)
    assert view.id == "update" and view.stem == "2013-01-21-scrutiny-update"
    assert view.committee.name == "Scrutiny Panel"
    assert view.authorised_by.name == "Raj Patel"
    assert [o.name for o in view.lead_officers] == ["Ann Lee", "Raj Patel"]
    assert view.review.short_title == "Munro"
    assert [(s.number, s.title) for s in view.sections] == [(1, "Background"), (2, "Next steps")]
    # quoted recommendations keep the order the paper gives, not the review's
    assert [(r.id, r.number) for r in view.sections[0].recommendations] == [("R5", 5), ("R2", 2)]
    assert view.sections[1].paragraphs == ["First.", "Second."]
    assert [(a.number, a.type) for a in view.appendices] == [(1, "progress"), (2, "recommendations")]


def test_progress_rows_follow_the_review_and_say_what_is_missing(council):
    (view,), diagnostics = merge(council)
    rows = view.appendices[0].rows
    assert [r.recommendation.id for r in rows] == [f"R{n}" for n in range(1, 16)]
    assert [r.recommendation.id for r in rows if r.entry is None] == ["R3", "R12"]
    assert rows[0].entry.response == "Done 1." and rows[0].lead_officer.name == "Ann Lee"
    assert rows[2].lead_officer is None
    assert rows[0].government.status.label == "Accepted"
    assert diagnostics == ["councils/tiny/progress/p2013.yaml:3:1: entries: warning: no progress given for "
                           "recommendations R3, R12; the paper will say 'No update given' (or list them under the paper's "
                           "`omit:`)"]


def test_a_record_no_paper_uses_may_be_incomplete(council):
    (council / "papers/update.yaml").write_text(PAPER.split("appendices:")[0])
    (view,), diagnostics = merge(council)
    assert view.appendices == [] and diagnostics == []


def test_the_recommendations_appendix_groups_by_theme_in_the_review_order(council):
    (view,), _ = merge(council)
    themes = view.appendices[1].themes
    assert [t.theme.id for t in themes] == ["professional-expertise", "accountabilities-and-learning", "early-help",
                                            "social-work-expertise", "organisational-context"]
    assert [[r.id for r in t.recommendations] for t in themes][:3] == [
        ["R1", "R2", "R3", "R4"], ["R5", "R6", "R7", "R8", "R9"], ["R10"]]


def test_change_detection_knows_every_file_a_paper_is_built_from(council):
    (view,), _ = merge(council)
    assert [p.relative_to(council.parent.parent).as_posix() for p in view.source_files] == [
        "councils/tiny/council.yaml", "councils/tiny/papers/update.yaml", "councils/tiny/progress/p2013.yaml",
        "councils/_reference/munro-2011.yaml"]


def test_a_paper_with_errors_is_left_out_and_the_others_kept(council):
    (council / "papers/broken.yaml").write_text(
        PAPER.replace("committee: scrutiny", "committee: scrutny").replace("authorised_by: raj-patel",
                                                                           "authorised_by: raj"))
    papers, diagnostics = merge(council)
    assert [p.id for p in papers] == ["update"]
    assert "councils/tiny/papers/broken.yaml:3:3: meeting.committee: no committee 'scrutny' in council.yaml " \
           "(did you mean 'scrutiny'?); committees: 'cabinet', 'scrutiny'" in diagnostics
    assert "councils/tiny/papers/broken.yaml:6:1: authorised_by: no officer 'raj' in council.yaml; " \
           "officers: 'ann-lee', 'raj-patel'" in diagnostics


def test_a_section_without_text_is_a_warning(council):
    (council / "papers/update.yaml").write_text(PAPER.replace("    paragraphs: [First., Second.]\n", ""))
    (view,), diagnostics = merge(council)
    assert view.sections[1].paragraphs == []
    assert "councils/tiny/papers/update.yaml:12:5: sections[1]: warning: section has neither `body` nor " \
           "`paragraphs`" in diagnostics


def test_quoting_without_a_review_is_an_error(council):
    (council / "papers/update.yaml").write_text(PAPER.replace("review: munro-2011\n", ""))
    papers, diagnostics = merge(council)
    assert papers == []
    assert any("sections[0].recommendations: this section quotes recommendations but the paper names no "
               "`review:`" in d for d in diagnostics), diagnostics


def test_ids_used_twice_in_council_yaml(council):
    (council / "council.yaml").write_text(COUNCIL + "  - id: ann-lee\n    name: Ann Lee\n    role: Again\n")
    papers, diagnostics = merge(council)
    assert "councils/tiny/council.yaml:16:5: officers[2].id: id 'ann-lee' is used twice in officers" in diagnostics


def test_figures_resolve_inside_the_council_folder_only(council, tmp_path):
    (council / "images").mkdir()
    (council / "images/chart.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>')
    (tmp_path / "outside.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>')
    (council / "images/linked.svg").symlink_to(tmp_path / "outside.svg")
    figures = "".join(f"      - file: images/{name}\n        alt: A chart\n" for name in
                      ("chart.svg", "linked.svg", "missing.svg"))
    (council / "papers/update.yaml").write_text(PAPER.replace(
        "    paragraphs: [First., Second.]\n", "    paragraphs: [First., Second.]\n    figures:\n" + figures))
    papers, diagnostics = merge(council)
    assert papers == []  # the paper refers to images it may not use
    assert [d.split(": ", 2)[1:] for d in diagnostics if "figures" in d] == [
        ["sections[1].figures[1].file", "'images/linked.svg' leads outside the council folder (a link?); "
                                        "copy the image into the council folder"],
        ["sections[1].figures[2].file", "no image file 'images/missing.svg' in tiny/"],
    ]
    (council / "images/linked.svg").unlink()
    (council / "papers/update.yaml").write_text(PAPER.replace(
        "    paragraphs: [First., Second.]\n", "    paragraphs: [First., Second.]\n    figures:\n"
        + figures.split("      - file: images/linked.svg")[0]))
    (view,), _ = merge(council)
    (figure,) = view.sections[1].figures
    assert figure.src == (council / "images/chart.svg").resolve().as_uri() and figure.alt == "A chart"
    assert (council / "images/chart.svg").resolve() in view.source_files


def test_reference_data_with_an_unknown_theme_or_a_repeated_id(tmp_path):
    from reportgen.inputs.models import Reference
    from reportgen.inputs.records import Reading

    text = (SAMPLES / "councils/_reference/munro-2011.yaml").read_text(encoding="utf-8")
    text = text.replace("  - id: R2\n", "  - id: R1\n", 1).replace("theme: early-help", "theme: early-hlp", 1)
    (tmp_path / "review.yaml").write_text(text, encoding="utf-8")
    line = {marker: text[:text.index(marker)].count("\n") + 1 for marker in ("  - id: R1\n    number: 2", "early-hlp")}
    loaded = Reading().read(tmp_path / "review.yaml", Reference)
    problems = [(d.line, d.key, d.message) for d in check_reference(loaded)]
    assert problems == [
        (line["  - id: R1\n    number: 2"], "recommendations[1].id", "recommendation id 'R1' is used twice"),
        (line["early-hlp"], "recommendations[9].theme", "no theme 'early-hlp' (did you mean 'early-help'?); themes: "
                                          "'accountabilities-and-learning', 'early-help', 'organisational-context', "
                                          "'professional-expertise', 'social-work-expertise'"),
    ]
