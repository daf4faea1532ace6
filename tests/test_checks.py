"""One check for validate and build --due: meetings.yaml, a paper's meeting against the calendar, attachments.

Nothing here renders: every case stops on an input problem, or has nothing due.
"""

import json

import pytest

from cycle_project import COUNCIL, council_dir, make_cycle_project

MEETINGS = f"councils/{COUNCIL}/meetings.yaml"


@pytest.fixture
def project(tmp_path):
    return make_cycle_project(tmp_path / "project")


def cli(run_cli, project, *args):
    return run_cli("-C", project, *args, cwd=project)


def edit(project, path, old, new):
    file = project / path
    assert old in file.read_text()
    file.write_text(file.read_text().replace(old, new))


def test_a_broken_meetings_file_fails_validate_and_build_due(run_cli, project):
    edit(project, MEETINGS, "date: 2013-01-21", "date: 2013-01-32")
    result = cli(run_cli, project, "validate")
    assert result.code == 1
    assert (f"{MEETINGS}:7:5: meetings[0].date: expected a date written YYYY-MM-DD, e.g. 2013-01-21; got "
            f"'2013-01-32', which is not a day in the calendar") in result.err
    due = cli(run_cli, project, "build", "--due", "--today", "2013-01-07")
    assert due.code == 1 and "meetings[0].date: expected a date" in due.err
    assert f"{COUNCIL}: not built, its records have errors" in due.err
    assert not (project / "output" / COUNCIL).exists()


def test_a_paper_for_another_meeting_than_its_agenda_is_an_error(run_cli, project):
    edit(project, f"councils/{COUNCIL}/papers/parks.yaml", "date: 2013-01-21", "date: 2013-01-28")
    result = cli(run_cli, project, "validate")
    assert result.code == 1
    assert (f"{MEETINGS}:19:9: meetings[0].items[2].paper: paper 'parks' says it goes to scrutiny on 2013-01-28 "
            f"(papers/parks.yaml, `meeting:`), but is listed here for scrutiny on 2013-01-21") in result.err
    due = cli(run_cli, project, "build", "--due", "--today", "2013-01-07", "--json")
    assert due.code == 1
    document = json.loads(due.out)
    assert document["ok"] is False and document["papers"] == [] and document["failed_councils"] == [COUNCIL]
    assert any("says it goes to scrutiny on 2013-01-28" in d["message"] for d in document["diagnostics"])


def test_an_item_number_that_disagrees_is_an_error(run_cli, project):
    edit(project, f"councils/{COUNCIL}/papers/parks.yaml", 'item: "5"', 'item: "6"')
    result = cli(run_cli, project, "validate")
    assert result.code == 1 and "paper 'parks' gives item number '6'" in result.err


def test_a_missing_attachment_is_reported_with_its_line_and_a_suggestion(run_cli, project):
    folder = council_dir(project) / "attachments"
    folder.mkdir()
    (folder / "parks-map.pdf").write_bytes(b"%PDF-1.7\n")
    with (project / MEETINGS).open("a") as meetings:
        meetings.write("        attachments:\n          - file: attachments/park-map.pdf\n"
                       "            title: Map of the parks\n")
    result = cli(run_cli, project, "validate")
    assert result.code == 1
    assert (f"{MEETINGS}:21:13: meetings[0].items[2].attachments[0].file: attachment attachments/park-map.pdf does "
            f"not exist (did you mean 'attachments/parks-map.pdf'?)") in result.err
    assert cli(run_cli, project, "build", "--due", "--today", "2013-01-07").code == 1


def test_build_due_with_nothing_due_prints_json_and_quiet_prints_nothing(run_cli, project):
    result = cli(run_cli, project, "build", "--due", "--today", "2014-01-06", "--json")
    assert result.code == 0
    assert json.loads(result.out) == {"ok": True, "seconds": 0.0, "failed_councils": [], "papers": [],
                                      "removed": [], "diagnostics": [], "nothing_due": True}
    text = cli(run_cli, project, "build", "--due", "--today", "2014-01-06")
    assert text.code == 0 and "No meeting within 28 days needs a paper; nothing to build." in text.err
    quiet = cli(run_cli, project, "build", "--due", "--today", "2014-01-06", "--quiet")
    assert (quiet.code, quiet.out, quiet.err) == (0, "", "")
