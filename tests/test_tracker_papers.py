"""What changed, the status summary, `diff` and `new-paper` (issue 18), on the tracker fixture project."""

from __future__ import annotations

import base64
import re
import shutil
import xml.etree.ElementTree as ET

import pytest

from model_project import pdf_text
from reportgen.inputs.contrast import check_stylesheets
from reportgen.inputs.project import Project
from reportgen.pipeline.build import build
from reportgen.pipeline.gather import gather
from reportgen.scaffold import new_paper
from reportgen.tracker.diff import diff_records
from tracker_project import COUNCIL, FIXTURE, tracker_project

STYLES = ["barnet", "base", "hampshire", "haringey", "irwell"]


def with_april(root):
    folder = root / "councils" / COUNCIL
    shutil.copy(FIXTURE / "april" / "play-2013-03.yaml", folder / "progress")
    shutil.copy(FIXTURE / "april" / "play-april.yaml", folder / "papers")
    return root


@pytest.fixture(scope="module")
def styled(tmp_path_factory):
    """The April paper in every shipped style (one council per style), built once as PDF and HTML."""
    root = with_april(tracker_project(tmp_path_factory.mktemp("styles") / "project"))
    assert sorted(Project.at(root).style_names()) == STYLES
    source = root / "councils" / COUNCIL
    for style in STYLES:
        shutil.copytree(source, root / "councils" / f"east-{style}")
        council = root / "councils" / f"east-{style}" / "council.yaml"
        council.write_text(council.read_text().replace("style: haringey", f"style: {style}"))
    shutil.rmtree(source)
    report = build(Project.at(root), None, out_dir=root / "out", paper_id="play-april", formats=("pdf", "html"))
    assert report.ok, [o.message for o in report.outcomes] + [str(d) for d in report.inputs.errors]
    files: dict[str, list] = {}
    for outcome in report.outcomes:
        files.setdefault(outcome.council, []).extend(outcome.files)
    return files


def test_diff_reports_each_kind_of_change(tmp_path):
    project = Project.at(with_april(tracker_project(tmp_path / "project")))
    found = {c.recommendation.id: c for c in diff_records(project, COUNCIL, "play-2013-01", "play-2013-03").changes}
    assert found["P1"].response == "changed" and found["P1"].words.edits[0].before == "have been found so far,"
    assert [u.text for u in found["P1"].government_updates] == ["Final guidance on play spaces was published."]
    assert (found["P2"].status_before.value, found["P2"].status_after.value) == ("not started", "in progress")
    assert (found["P2"].government_before.value, found["P2"].government_after.value) == (
        "further consideration", "accepted")
    assert found["P5"].target == "moved"
    assert not found["P3"].changed and found["P6"].response == "none"
    lines = diff_records(project, COUNCIL, "play-2013-01", "play-2013-03").lines
    assert "  Progress: Not started → In progress" in lines and "No change: P3, P4, P6" in lines
    assert "  Target moved: 2012-12-31 → 2013-06-30" in lines


def test_diff_refuses_records_in_the_wrong_order(tmp_path, run_cli):
    root = with_april(tracker_project(tmp_path / "project"))
    result = run_cli("-C", root, "diff", COUNCIL, "--from", "play-2013-03", "--to", "play-2013-01")
    assert result.code == 1 and "--from is the earlier record (swap them?)" in result.err


@pytest.mark.parametrize("style", STYLES)
def test_changes_and_summary_render_in_every_style(styled, style):
    pdf, html = sorted(styled[f"east-{style}"], key=lambda p: p.suffix, reverse=True)
    text = pdf_text(pdf)
    assert "Changes since the panel's meeting on 21 January 2013" in text
    assert "Target moved:" in text and "Government update, 20 February 2013:" in text
    assert "Status summary" in text and "Recommendations by progress status" in text
    page = html.read_text()
    assert "Target moved: 31 December 2012 → 30 June 2013" in page
    assert re.search(r'>Not started</span>\s*→\s*<span class="badge rag-amber">In progress</span>', page)
    charts = re.findall(r'<img class="summary-chart" src="data:image/svg\+xml;base64,([^"]+)" alt="([^"]+)"', page)
    assert len(charts) == 2
    table = re.search(r'summary-statuses">.*?<tbody>(.*?)</tbody>', page, re.S)[1]
    rows = dict(re.findall(r'<th scope="row">([^<]+)</th>(?:<td>[^<]*</td>)?<td class="count">(\d+)</td>', table))
    svg = ET.fromstring(base64.b64decode(charts[0][0]))
    texts = [t.text for t in svg.iter("{http://www.w3.org/2000/svg}text")]
    chart = dict(zip(texts[0::2], texts[1::2]))
    rows.pop("Total")
    assert chart == rows == {"Not started": "1", "In progress": "3", "Ongoing": "1", "Complete": "0",
                             "Not applicable": "0", "No update given": "1"}
    assert "In progress: 3" in charts[0][1], "the text alternative has the same numbers"


def test_rag_colours_follow_the_council_and_are_contrast_checked(styled, tmp_path):
    html = [p for p in styled["east-haringey"] if p.suffix == ".html"][0].read_text()
    assert '<span class="badge rag-amber">In progress</span>' in html
    svg = base64.b64decode(re.search(r'svg\+xml;base64,([^"]+)', html)[1]).decode()
    assert 'fill="#b45309"' in svg and 'fill="#5f6b7a"' in svg, "amber for in progress, grey for no update"
    sheet = tmp_path / "style.css"
    sheet.write_text(":root { --rag-amber: #ffd966; }\n.rag-amber { color: #ffffff; background-color: var(--rag-amber); }\n")
    problems = [d.message for d in check_stylesheets([sheet])]
    assert any(m.startswith("--rag-amber: chart and badge colour #ffd966") and "1.4.11" in m for m in problems)
    assert any(m.startswith(".rag-amber: text colour #ffffff on background #ffd966") for m in problems)


def test_a_bad_rag_rating_is_an_error_at_its_line(tmp_path):
    root = tracker_project(tmp_path / "project")
    council = root / "councils" / COUNCIL / "council.yaml"
    council.write_text(council.read_text().replace("complete: green", "complete: blue"))
    (error,) = gather(Project.at(root), [COUNCIL]).errors
    assert error.line == 23 and error.key == "rag.complete" and "expected one of 'amber', 'green', 'red'" in error.message


def test_new_paper_rolls_forward_adds_the_agenda_item_and_builds(tmp_path, run_cli):
    root = tracker_project(tmp_path / "project")
    result = run_cli("-C", root, "new-paper", COUNCIL, "--from", "play-progress", "--meeting", "2013-04-15")
    assert result.code == 1 and "give the paper's agenda item number with --item" in result.err
    result = run_cli("-C", root, "new-paper", COUNCIL, "--from", "play-progress", "--meeting", "2013-04-15",
                     "--item", "6", "--as-at", "2013-03-28", cwd=root)
    assert result.code == 0, result.err
    assert result.out.split() == ["councils/eastbrook/progress/play-2013-03.yaml",
                                  "councils/eastbrook/papers/play-progress-2013-04.yaml",
                                  "councils/eastbrook/meetings.yaml"]
    inputs = gather(Project.at(root), [COUNCIL])
    assert not inputs.errors
    (paper,) = [p for _, p in inputs.papers() if p.id == "play-progress-2013-04"]
    assert (paper.paper.meeting.date.isoformat(), paper.paper.meeting.item) == ("2013-04-15", "6")
    assert [b.type for b in paper.sections[0].blocks] == ["changes", "summary"]
    assert paper.sections[0].blocks[0].previous.as_at.isoformat() == "2013-01-04"
    placeholders = [d for d in inputs.warnings if "placeholder text 'TODO" in d.message]
    assert [d.key for d in placeholders] == ["sections[0].body"]
    calendar = (root / "councils" / COUNCIL / "meetings.yaml").read_text()
    assert calendar.endswith('      - item: "6"\n        title: "Progress on the Play Review"\n'
                             '        paper: play-progress-2013-04\n')
    from reportgen.meetings.due import due_report
    import datetime as dt
    due = due_report(Project.at(root), [COUNCIL], today=dt.date(2013, 4, 1), within=30)
    assert not due.errors
    result = run_cli("-C", root, "validate", COUNCIL, "--strict")
    assert result.code == 1 and "placeholder text 'TODO" in result.err
