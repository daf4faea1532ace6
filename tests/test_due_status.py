"""`reportgen due`: every status of the table, from the calendar and the publication register, and its exit code.

Fenby's meeting is on Monday 21 January 2013: publish by Friday 11 January
(the law), papers ready by Thursday 10 January (the council). Nothing here
renders a PDF: `due` reads the calendar, the records and the register only.
"""

import datetime as dt
import json
import shutil

import pytest

from cycle_project import COUNCIL, council_dir, make_cycle_project, record

D = dt.date


@pytest.fixture
def project(tmp_path):
    return make_cycle_project(tmp_path / "project")


def due(run_cli, project, today, *options):
    return run_cli("-C", project, "due", "--today", today, *options, cwd=project)


def statuses(run_cli, project, today):
    """(exit code, the meeting's status, each paper's status) from `due --json`."""
    result = due(run_cli, project, today, "--json")
    (meeting,) = json.loads(result.out)["meetings"]
    return result.code, meeting["status"], {i["paper"]: i["status"] for i in meeting["items"] if i["paper"]}


def without_parks(project):
    (council_dir(project) / "papers/parks.yaml").unlink()


def test_published_on_or_before_the_deadline(run_cli, project):
    record(project, "budget", D(2013, 1, 10))
    record(project, "parks", D(2013, 1, 11))
    assert statuses(run_cli, project, "2013-01-14") == (0, "published", {"budget": "published", "parks": "published"})
    text = due(run_cli, project, "2013-01-14").out
    assert "item 4 Budget monitoring: published: Thu 10 Jan 2013" in text


def test_published_late_is_shown_without_an_alert(run_cli, project):
    record(project, "budget", D(2013, 1, 10))
    record(project, "parks", D(2013, 1, 14))
    assert statuses(run_cli, project, "2013-01-15") == (
        0, "published late", {"budget": "published", "parks": "published late"})
    text = due(run_cli, project, "2013-01-15").out
    assert "item 5 Parks strategy: published late: Mon 14 Jan 2013, after the deadline Fri 11 Jan 2013" in text


def test_ready_not_published_says_when_to_publish(run_cli, project):
    record(project, "budget", D(2013, 1, 10))  # after today: ignored, as if replaying 7 January
    code, status, papers = statuses(run_cli, project, "2013-01-07")
    assert (code, status) == (0, "ready, not published")
    assert papers == {"budget": "ready, not published", "parks": "ready, not published"}
    assert "item 5 Parks strategy: ready, not published: publish by Fri 11 Jan 2013" in due(
        run_cli, project, "2013-01-07").out


def test_due_today(run_cli, project):
    record(project, "budget", D(2013, 1, 10))
    assert statuses(run_cli, project, "2013-01-11") == (0, "due today", {"budget": "published", "parks": "due today"})
    assert "item 5 Parks strategy: due today: publish today" in due(run_cli, project, "2013-01-11").out


def test_at_risk_when_not_ready_two_working_days_before(run_cli, project):
    without_parks(project)
    assert statuses(run_cli, project, "2013-01-09") == (
        4, "at risk", {"budget": "ready, not published", "parks": "at risk"})
    assert "item 5 Parks strategy: at risk: papers/parks.yaml does not exist yet" in due(
        run_cli, project, "2013-01-09").out


def test_the_council_deadline_can_put_an_unready_paper_at_risk_earlier(run_cli, project):
    without_parks(project)
    result = due(run_cli, project, "2013-01-08")  # 3 working days to the law's deadline, 2 to the council's
    assert result.code == 4
    assert result.out.splitlines()[3].startswith("at risk (council)  Fri 11 Jan 2013 (3)  Thu 10 Jan 2013 (2)")


def test_missed_when_the_deadline_passed_unpublished_even_if_ready(run_cli, project):
    assert statuses(run_cli, project, "2013-01-14") == (4, "missed", {"budget": "missed", "parks": "missed"})
    result = due(run_cli, project, "2013-01-14")
    assert "item 4 Budget monitoring: missed: ready but not published by Fri 11 Jan 2013" in result.out
    assert "1 missed" in result.err


def test_on_track_when_not_ready_with_time_left(run_cli, project):
    without_parks(project)
    assert statuses(run_cli, project, "2013-01-02") == (0, "on track", {"budget": "ready, not published",
                                                                         "parks": "on track"})


def test_a_revision_is_shown_with_its_own_date(run_cli, project):
    record(project, "budget", D(2013, 1, 10))
    record(project, "budget", D(2013, 1, 15), revision=1)
    record(project, "parks", D(2013, 1, 10))
    line = "item 4 Budget monitoring: published: Thu 10 Jan 2013; revision 1 published Tue 15 Jan 2013"
    assert line in due(run_cli, project, "2013-01-16").out
    before = due(run_cli, project, "2013-01-14")  # the revision is dated after that day
    assert "item 4 Budget monitoring: published: Thu 10 Jan 2013\n" in before.out and before.code == 0
    (meeting,) = json.loads(due(run_cli, project, "2013-01-16", "--json").out)["meetings"]
    assert meeting["items"][1]["revisions"] == [{"revision": 1, "published_on": "2013-01-15"}]


def test_a_withdrawn_entry_counts_only_until_it_was_withdrawn(run_cli, project):
    record(project, "budget", D(2013, 1, 10), withdrawn=D(2013, 1, 11))
    record(project, "parks", D(2013, 1, 10))
    assert statuses(run_cli, project, "2013-01-10")[2]["budget"] == "published"
    assert statuses(run_cli, project, "2013-01-14")[2]["budget"] == "missed"


@pytest.fixture
def with_broken_council(project):
    """A second council whose meetings.yaml names a committee it does not have."""
    broken = project / "councils/broken"
    shutil.copytree(council_dir(project), broken)
    meetings = broken / "meetings.yaml"
    meetings.write_text(meetings.read_text().replace("committee: scrutiny", "committee: scrutinee"))
    return project


def test_input_errors_alone_exit_1(run_cli, with_broken_council):
    result = due(run_cli, with_broken_council, "2013-01-07")
    assert result.code == 1
    assert "councils/broken/meetings.yaml:6:5: meetings[0].committee: unknown committee 'scrutinee'" in result.err


def test_a_deadline_alert_exits_4_over_input_errors_which_are_still_printed(run_cli, with_broken_council):
    result = due(run_cli, with_broken_council, "2013-01-14")
    assert result.code == 4
    assert "unknown committee 'scrutinee'" in result.err and "1 input error(s)" in result.err
    assert "missed  Fri 11 Jan 2013 (passed)" in result.out and COUNCIL in result.out


def test_an_internal_error_exits_3(run_cli, project, monkeypatch):
    def crash(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr("reportgen.meetings.due.due_report", crash)
    monkeypatch.setattr("tempfile.tempdir", str(project))
    result = due(run_cli, project, "2013-01-14")
    assert result.code == 3 and "internal error" in result.err


def test_quiet_prints_nothing_when_all_is_well_and_everything_on_an_alert(run_cli, project):
    assert due(run_cli, project, "2013-01-07", "--quiet").out == ""
    alert = due(run_cli, project, "2013-01-14", "--quiet")
    assert alert.code == 4 and "missed" in alert.out
