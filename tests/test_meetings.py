"""Meetings calendars (meetings.yaml), what is due for them, and `reportgen due`."""

import datetime as dt
import json
import textwrap

import pytest

from conftest import copy_project
from reportgen.meetings.deadlines import Status
from reportgen.cli.console import due_table as format_due
from reportgen.meetings.calendar import read_calendar
from reportgen.meetings.due import due_report
from reportgen.inputs.project import Project

D = dt.date
pytestmark = pytest.mark.samples  # the sample councils' calendars, or copies of them

HARINGEY_MEETING = """\
  - committee: cyp-scrutiny
    date: 2013-01-21
    time: "18:30"
    venue: Committee Room 3
    items:
      - item: "5.10"
        title: Munro progress
        paper: munro-progress
"""


@pytest.fixture
def project(tmp_path):
    return copy_project(tmp_path / "project", ("haringey", "glanmor"))


def write_meetings(root, text, slug="haringey"):
    path = root / "councils" / slug / "meetings.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def calendar_problems(root, text, slug="haringey"):
    write_meetings(root, text, slug)
    calendar, problems = read_calendar(Project.at(root), slug)
    return calendar, [(d.line, d.key, d.level.value, d.message) for d in problems]


# --- the sample calendars ------------------------------------------------------------


def test_sample_calendar_reads_cleanly(sample_project):
    calendar, problems = read_calendar(Project.at(sample_project), "haringey")
    assert problems == []
    first, second = calendar.meetings
    assert (first.date, first.meeting.time, first.committee.name) == (
        D(2013, 1, 21), dt.time(18, 30), "Children and Young People's Scrutiny Panel")
    assert [i.number for i in first.items] == ["1", "2", "5.10", "5.11"]  # "5.10" stays text, not 5.1
    assert first.items[2].paper_file == sample_project / "councils/haringey/papers/munro-progress.yaml"
    assert first.meeting.starts_at().isoformat() == "2013-01-21T18:30:00+00:00"
    assert calendar.on(D(2013, 2, 4)) == [second]
    assert calendar.working_days_before == 7


def test_every_sample_council_has_a_clean_calendar(sample_project):
    project = Project.at(sample_project)
    for slug in ("haringey", "northmoor", "hampshire", "barnet", "glanmor"):
        calendar, problems = read_calendar(project, slug)
        assert problems == [], slug
        assert calendar.meetings, slug


def test_starts_at_uses_british_summer_time(sample_project):
    calendar, _ = read_calendar(Project.at(sample_project), "northmoor")
    assert calendar.meetings[0].meeting.starts_at().isoformat() == "2012-10-15T10:00:00+01:00"


# --- problems in meetings.yaml, each with its line ------------------------------------


def test_unknown_committee_is_an_error_with_did_you_mean(project):
    calendar, problems = calendar_problems(project, """\
        meetings:
          - committee: cyp-scrutny
            date: 2013-01-21
            time: "18:30"
            venue: Committee Room 3
        """)
    assert calendar is None
    assert problems == [(2, "meetings[0].committee", "error",
                         "unknown committee 'cyp-scrutny' (did you mean 'cyp-scrutiny'?); "
                         "committees in council.yaml: 'cyp-scrutiny'")]


def test_time_must_be_hh_mm(project):
    calendar, problems = calendar_problems(project, """\
        meetings:
          - committee: cyp-scrutiny
            date: 2013-01-21
            time: 6.30pm
            venue: Committee Room 3
        """)
    assert calendar is None
    assert problems == [(4, "meetings[0].time", "error",
                         "expected a time written HH:MM (24-hour, UK time), e.g. 10:30 or 18:00; got '6.30pm'")]


def test_unquoted_time_stays_text_and_parses(project):
    calendar, problems = calendar_problems(project, """\
        meetings:
          - committee: cyp-scrutiny
            date: 2013-01-21
            time: 10:30
            venue: Committee Room 3
        """)
    assert problems == []
    assert calendar.meetings[0].meeting.time == dt.time(10, 30)


def test_unknown_field_and_bad_date(project):
    _, problems = calendar_problems(project, """\
        meetings:
          - committee: cyp-scrutiny
            date: 21/01/2013
            time: "18:30"
            venu: Committee Room 3
        """)
    assert [(line, key, message) for line, key, _, message in problems] == [
        (2, "meetings[0].venue", "missing required field 'venue': Where the meeting is held, as printed on the agenda."),
        (3, "meetings[0].date", "expected a date written YYYY-MM-DD, e.g. 2013-01-21; got '21/01/2013'"),
        (5, "meetings[0].venu", "unknown field 'venu' (did you mean 'venue'?); put fields of your own under 'extra:'"),
    ]


def test_duplicate_meeting_item_number_and_paper(project):
    calendar, problems = calendar_problems(project, "meetings:\n" + HARINGEY_MEETING + HARINGEY_MEETING + """\
      - item: "5.10"
        title: Again
        paper: munro-progress
""")
    assert calendar is None
    assert problems == [
        (11, "meetings[1].date", "error",
         "'cyp-scrutiny' already has a meeting on 2013-01-21 (line 2); list each meeting once"),
        (18, "meetings[1].items[1].item", "error",
         "item number '5.10' is used twice in this meeting; give each item its own number"),
        (20, "meetings[1].items[1].paper", "error",
         "paper 'munro-progress' is already item 5.10 of this meeting; a paper belongs to one item"),
    ]


def test_unknown_paper_is_a_warning_and_counts_as_missing(project):
    calendar, problems = calendar_problems(project, "meetings:\n" + HARINGEY_MEETING.replace(
        "paper: munro-progress", "paper: munro-progres"))
    assert problems == [(9, "meetings[0].items[0].paper", "warning",
                         "no paper 'munro-progres' under papers/ (did you mean 'munro-progress'?); "
                         "papers: 'munro-progress', 'safeguarding-annual-report'. "
                         "It counts as missing until papers/munro-progres.yaml exists")]
    report = due_report(Project.at(project), ["haringey"], today=D(2013, 1, 8))
    (item,) = report.meetings[0].items
    assert (item.state, item.detail) == ("missing", "papers/munro-progres.yaml does not exist yet")


def test_council_deadline_later_than_the_law_is_a_warning(project):
    _, problems = calendar_problems(project, "publication:\n  working_days_before: 5\nmeetings:\n" + HARINGEY_MEETING)
    assert problems == [(2, "publication.working_days_before", "warning",
                         "5 working days before the meeting is later than the statutory deadline "
                         "(5 clear days in England = 6 working days before); use 6 or more, or leave it out")]


def test_meeting_on_a_bank_holiday_is_a_warning(project):
    _, problems = calendar_problems(project, "meetings:\n" + HARINGEY_MEETING.replace("2013-01-21", "2013-04-01"))
    assert problems == [(3, "meetings[0].date", "warning",
                         "the meeting is on Mon 1 Apr 2013, which is not a working day (Easter Monday); "
                         "check the date")]


def test_no_meetings_file_is_a_warning(project):
    (project / "councils/glanmor/meetings.yaml").unlink()
    calendar, problems = read_calendar(Project.at(project), "glanmor")
    assert calendar.meetings == ()
    assert [d.message for d in problems] == [
        "no meetings.yaml: add one listing the council's meetings to see their deadlines (docs/meetings.md)"]
    assert not any(d.is_error for d in problems)


# --- what is due --------------------------------------------------------------------


def test_due_report_for_the_sample_councils(sample_project):
    report = due_report(Project.at(sample_project), today=D(2013, 1, 8))
    rows = [(m.council.slug, m.meeting.date, m.status, m.ready) for m in report.meetings]
    assert rows == [
        ("haringey", D(2013, 1, 21), Status.READY, True),
        ("haringey", D(2013, 2, 4), Status.ON_TRACK, False),
        # held after the 28-day window, but its deadline (Tue 5 Feb) falls inside it
        ("gwynant", D(2013, 2, 11), Status.READY, True),  # the Welsh sample: Glanmor's meeting, in Welsh
        ("glanmor", D(2013, 2, 11), Status.READY, True),
    ]
    assert [(i.number, i.state) for i in report.meetings[1].items] == [("1", "not needed"), ("3.1", "no paper")]
    assert report.meetings[1].problems == [
        "item 3.1 Children's social care performance, quarter 3: on track: no paper yet"]
    assert report.papers_needed() == {"haringey": ["munro-progress", "safeguarding-annual-report"],
                                      "glanmor": ["munro-progress"], "gwynant": ["adolygiad-munro"]}
    assert not report.alert and not report.errors


def test_a_short_window_never_hides_a_deadline(sample_project):
    report = due_report(Project.at(sample_project), ["haringey"], today=D(2013, 1, 8), within=2)
    # the 21 January meeting is 13 days away, but its council deadline is Thursday 10 January
    assert [m.meeting.date for m in report.meetings] == [D(2013, 1, 21)]


def test_invalid_paper_puts_the_meeting_at_risk(project):
    write_meetings(project, "publication:\n  working_days_before: 7\nmeetings:\n" + HARINGEY_MEETING)
    paper = project / "councils/haringey/papers/munro-progress.yaml"
    paper.write_text(paper.read_text(encoding="utf-8").replace("title: Progress", "titel: Progress", 1),
                     encoding="utf-8")
    report = due_report(Project.at(project), ["haringey"], today=D(2013, 1, 8))
    (due,) = report.meetings
    (item,) = due.items
    assert (item.state, item.detail) == (
        "invalid", "papers/munro-progress.yaml has 2 error(s); run `reportgen validate haringey`")
    # council deadline Thu 10 January is 2 working days away: at risk; the law's (Fri 11) is 3 away
    assert [(d.kind, d.status) for d in due.deadlines] == [("statutory", Status.ON_TRACK),
                                                           ("council", Status.AT_RISK)]
    assert due.status is Status.AT_RISK and due.deciding.kind == "council"
    assert report.alert


def test_other_records_with_errors_make_the_paper_unbuildable(project):
    write_meetings(project, "meetings:\n" + HARINGEY_MEETING)
    (project / "councils/haringey/progress/munro-2013-01.yaml").write_text("as_at: yesterday\n", encoding="utf-8")
    report = due_report(Project.at(project), ["haringey"], today=D(2013, 1, 11))
    (item,) = report.meetings[0].items
    assert item.detail == "cannot be built while other records of haringey have errors; " \
                          "run `reportgen validate haringey`"
    assert report.meetings[0].status is Status.AT_RISK


def test_paper_for_another_meeting_is_an_error(project):
    write_meetings(project, "meetings:\n" + HARINGEY_MEETING.replace("2013-01-21", "2013-01-28"))
    report = due_report(Project.at(project), ["haringey"], today=D(2013, 1, 8))
    assert [(d.level.value, d.message) for d in report.diagnostics] == [(
        "error", "paper 'munro-progress' says it goes to cyp-scrutiny on 2013-01-21 (papers/munro-progress.yaml, "
        "`meeting:`), but is listed here for cyp-scrutiny on 2013-01-28; it would be printed with the wrong "
        "meeting: correct one of them")]


def test_a_deferred_paper_listed_at_both_meetings_is_fine(project):
    later = HARINGEY_MEETING.replace("2013-01-21", "2013-01-28")
    write_meetings(project, "meetings:\n" + HARINGEY_MEETING + later)
    report = due_report(Project.at(project), ["haringey"], today=D(2013, 1, 8))
    assert report.diagnostics == []


def test_meeting_without_items_is_not_ready(project):
    write_meetings(project, """\
        meetings:
          - committee: cyp-scrutiny
            date: 2013-01-21
            time: "18:30"
            venue: Committee Room 3
        """)
    report = due_report(Project.at(project), ["haringey"], today=D(2013, 1, 12))
    (due,) = report.meetings
    assert due.problems == ["no agenda items yet"]
    assert due.status is Status.MISSED


def test_past_meetings_are_not_listed(sample_project):
    report = due_report(Project.at(sample_project), ["northmoor"], today=D(2012, 10, 16))
    assert report.meetings == []
    assert "No meetings with a deadline in this period." in format_due(report)


# --- the command ----------------------------------------------------------------------


def test_due_command_prints_the_table(run_cli, sample_project):
    result = run_cli("-C", sample_project, "due", "--today", "2013-01-08")
    assert result.code == 0
    lines = result.out.splitlines()
    assert lines[0] == "Meetings from Tue 8 Jan 2013 to Tue 5 Feb 2013, and later ones with a deadline by then"
    assert lines[2].split() == ["Status", "Publish", "by", "(law)", "Council", "deadline", "Meeting", "Council",
                                "Committee"]
    assert lines[3].split() == ["ready,", "not", "published", "Fri", "11", "Jan", "2013", "(3)", "Thu", "10", "Jan",
                                "2013", "(2)", "Mon", "21", "Jan", "2013", "18:30", "haringey", "cyp-scrutiny"]
    assert lines[4] == ("    item 5.10 Progress report on the implementation of the Munro Report: ready, not published: "
                        "publish by Fri 11 Jan 2013")
    assert lines[7] == "    item 3.1 Children's social care performance, quarter 3: on track: no paper yet"
    assert lines[8].split()[:8] == ["ready,", "not", "published", "Tue", "5", "Feb", "2013", "(20)"]
    assert "4 meeting(s) in 7 council(s): 1 on track; 3 ready, not published" in result.err


def test_due_today_when_ready(run_cli, sample_project):
    result = run_cli("-C", sample_project, "due", "haringey", "--today", "2013-01-11")
    assert result.code == 0
    assert result.out.splitlines()[3].startswith("due today  Fri 11 Jan 2013 (0)   Thu 10 Jan 2013 (passed)")


@pytest.mark.parametrize(("today", "status"), [
    ("2013-01-24", "at risk  Fri 25 Jan 2013 (1)  Thu 24 Jan 2013 (0)"),
    ("2013-01-28", "missed  Fri 25 Jan 2013 (passed)  Thu 24 Jan 2013 (passed)"),
])
def test_due_exits_4_when_a_deadline_is_at_risk_or_missed(run_cli, sample_project, today, status):
    result = run_cli("-C", sample_project, "due", "haringey", "--today", today)
    assert result.code == 4
    assert result.out.splitlines()[3].startswith(status)


def test_due_json(run_cli, sample_project):
    result = run_cli("-C", sample_project, "due", "glanmor", "--today", "2013-01-08", "--json")
    assert result.code == 0
    data = json.loads(result.out)
    (meeting,) = data["meetings"]
    assert (data["alert"], meeting["date"], meeting["time"], meeting["status"]) == (
        False, "2013-02-11", "10:00", "ready, not published")
    assert meeting["deadlines"] == [{"kind": "statutory", "date": "2013-02-05", "rule": "3 clear days (Wales)",
                                     "working_days_left": 20, "status": "ready, not published"}]


def test_due_exits_1_on_input_errors(run_cli, project):
    write_meetings(project, "meetings:\n" + HARINGEY_MEETING.replace("cyp-scrutiny", "cyp"))
    result = run_cli("-C", project, "due", "--today", "2013-01-08")
    assert result.code == 1
    assert "meetings.yaml:2:5: meetings[0].committee: unknown committee 'cyp'" in result.err
    assert "1 input error(s)" in result.err


def test_deadline_alert_outranks_input_errors(run_cli, project):
    write_meetings(project, "meetings:\n" + HARINGEY_MEETING.replace("paper: munro-progress", ""))
    write_meetings(project, "meetings: [oops]\n", slug="glanmor")
    result = run_cli("-C", project, "due", "--today", "2013-01-11")
    assert result.code == 4
    assert "meetings.yaml:1:12: meetings[0]: expected a mapping" in result.err
    assert "1 meeting(s) in 1 council(s): 1 at risk; 1 input error(s)" in result.err


def test_due_unknown_council(run_cli, sample_project):
    result = run_cli("-C", sample_project, "due", "haringy")
    assert result.code == 1
    assert "no council 'haringy' (did you mean 'haringey'?)" in result.err


def test_due_rejects_a_bad_date(run_cli, sample_project):
    assert run_cli("-C", sample_project, "due", "--today", "8/1/2013").code == 2


def test_a_missing_attachment_is_reported_by_due(tmp_path, run_cli):
    project = copy_project(tmp_path / "p", ("haringey",))
    (project / "councils/haringey/attachments/lscb-figures-2011-12.pdf").unlink()
    result = run_cli("-C", project, "due", "haringey", "--today", "2013-01-08", cwd=project)
    assert "attachment attachments/lscb-figures-2011-12.pdf does not exist yet" in result.out
    assert result.code == 4 and "at risk" in result.out  # the council's deadline is two working days away
