"""Councils' meetings calendars: meetings.yaml read, checked and resolved against council.yaml.

    meetings.yaml + council.yaml -> CouncilCalendar (checked, committees resolved)

`read_calendar` is what other commands build on (`due` in reportgen.meetings.due,
`build --due`, `validate`, the agenda `pack`): it gives each council's meetings
in date order with committees resolved and every agenda item's paper located.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from reportgen.meetings.deadlines import (
    DateOutOfRange, Deadline, WorkingCalendar, council_deadline, meeting_deadlines, short_date,
    statutory_clear_days, statutory_deadline,
)
from reportgen.errors import Diagnostic, did_you_mean, one_of, warning
from reportgen.inputs.meetings import AgendaItem, CommitteeMeeting, MeetingsCalendar
from reportgen.inputs.models import Committee, Council
from reportgen.inputs.project import Project
from reportgen.inputs.records import Loaded, council_reading, yaml_files

MEETINGS_FILE = "meetings.yaml"
DEFAULT_WITHIN_DAYS = 28


@dataclass(frozen=True)
class ScheduledItem:
    """An agenda item, with the paper file behind it when there is one."""

    item: AgendaItem
    paper_file: Path | None  # papers/<id>.yaml when it exists

    @property
    def number(self) -> str:
        return self.item.item


@dataclass(frozen=True)
class ScheduledMeeting:
    """A meeting from meetings.yaml with its committee resolved."""

    council_slug: str
    meeting: CommitteeMeeting
    committee: Committee
    items: tuple[ScheduledItem, ...]
    index: int  # position in meetings.yaml, for messages (`meetings[index]`)

    @property
    def date(self) -> dt.date:
        return self.meeting.date

    @property
    def paper_ids(self) -> list[str]:
        return [i.item.paper for i in self.items if i.item.paper]

    def key(self) -> tuple[dt.date, dt.time, str]:
        return (self.meeting.date, self.meeting.time, self.committee.id)


@dataclass(frozen=True)
class CouncilCalendar:
    """One council's meetings, in date order, and the days it works."""

    slug: str
    folder: Path
    council: Council
    calendar: Loaded[MeetingsCalendar] | None  # None when the council has no meetings.yaml
    meetings: tuple[ScheduledMeeting, ...]
    working: WorkingCalendar

    @property
    def working_days_before(self) -> int | None:
        return self.calendar.model.publication.working_days_before if self.calendar else None

    def on(self, date: dt.date, committee: str | None = None) -> list[ScheduledMeeting]:
        """The meetings held on `date` (of `committee` only, when given)."""
        return [m for m in self.meetings if m.date == date and committee in (None, m.committee.id)]

    def deadlines(self, meeting: ScheduledMeeting, today: dt.date, ready: bool,
                  published: dt.date | None = None) -> list[Deadline]:
        return meeting_deadlines(meeting.date, today, ready, self.working, self.working_days_before, published)

    def upcoming(self, today: dt.date, within: int = DEFAULT_WITHIN_DAYS) -> list[ScheduledMeeting]:
        """Meetings from `today` on that are held within `within` days, or whose first deadline is.

        The second half means a short window never hides a deadline: a meeting
        40 days away whose council deadline falls within the window is included.
        """
        horizon = days_after(today, within)
        return [m for m in self.meetings if m.date >= today and self.first_deadline(m) <= horizon]

    def first_deadline(self, meeting: ScheduledMeeting) -> dt.date:
        """The earlier of the meeting's deadlines (the council's, when it sets one)."""
        rule = self.working_days_before
        statutory = statutory_deadline(meeting.date, self.working)
        return min(statutory, council_deadline(meeting.date, rule, self.working)) if rule else statutory


def days_after(day: dt.date, days: int) -> dt.date:
    """`day` plus `days` days, or the last day of the calendar (31 December 9999) when that is later."""
    if days >= (dt.date.max - day).days:
        return dt.date.max
    return day + dt.timedelta(days=days)


def read_calendar(project: Project, slug: str) -> tuple[CouncilCalendar | None, list[Diagnostic]]:
    """A council's checked calendar; None when council.yaml or meetings.yaml has an error.

    A council without meetings.yaml gets an empty calendar and a warning.
    """
    folder = project.council_dir(slug)
    reading = council_reading(folder)
    council = reading.read(folder / "council.yaml", Council)
    path = folder / MEETINGS_FILE
    if council is None:
        return None, reading.diagnostics
    working = WorkingCalendar.of(council.model.nation)
    if not path.is_file():
        reading.diagnostics.append(warning(
            f"no {MEETINGS_FILE}: add one listing the council's meetings to see their deadlines "
            f"(docs/meetings.md)", file=path))
        return CouncilCalendar(slug, folder, council.model, None, (), working), reading.diagnostics
    loaded = reading.read(path, MeetingsCalendar)
    if loaded is None:
        return None, reading.diagnostics
    working = WorkingCalendar.of(council.model.nation, loaded.model.publication.closure_days)
    meetings, problems = _resolve(slug, folder, council.model, loaded, working)
    reading.diagnostics.extend(problems)
    if any(d.is_error for d in problems):
        return None, reading.diagnostics
    return CouncilCalendar(slug, folder, council.model, loaded, meetings, working), reading.diagnostics


def _resolve(
    slug: str, folder: Path, council: Council, loaded: Loaded[MeetingsCalendar], working: WorkingCalendar,
) -> tuple[tuple[ScheduledMeeting, ...], list[Diagnostic]]:
    """Resolve committees and papers and check the calendar as a whole."""
    source, calendar = loaded.source, loaded.model
    problems: list[Diagnostic] = []
    committees = {c.id: c for c in council.committees}
    papers = {p.stem: p for p in yaml_files(folder / "papers")}

    rule = calendar.publication.working_days_before
    clear = statutory_clear_days(council.nation)
    if rule is not None and rule <= clear:
        problems.append(source.diagnostic(
            f"{rule} working days before the meeting is later than the statutory deadline "
            f"({clear} clear days in {council.nation.value} = {clear + 1} working days before); "
            f"use {clear + 1} or more, or leave it out",
            ("publication", "working_days_before"), warn=True))

    resolved: list[ScheduledMeeting] = []
    seen: dict[tuple[str, dt.date], int] = {}
    for i, meeting in enumerate(calendar.meetings):
        where = ("meetings", i)
        committee = committees.get(meeting.committee)
        if committee is None:
            problems.append(source.diagnostic(
                f"unknown committee '{meeting.committee}'{did_you_mean(meeting.committee, committees)}; "
                f"committees in council.yaml: {one_of(committees)}", where + ("committee",)))
        first = seen.setdefault((meeting.committee, meeting.date), i)
        if first != i:
            first_line = source.locate(("meetings", first))[0]
            problems.append(source.diagnostic(
                f"'{meeting.committee}' already has a meeting on {meeting.date} (line {first_line}); "
                f"list each meeting once", where + ("date",)))
        try:
            statutory_deadline(meeting.date, working)
            if rule is not None:
                council_deadline(meeting.date, rule, working)
        except DateOutOfRange:
            problems.append(source.diagnostic(
                f"{meeting.date.isoformat()} is too early: its publication deadline would fall before the first "
                f"day the calendar knows (1 January of year 1); check the year", where + ("date",)))
            continue
        reason = working.non_working_reason(meeting.date)
        if reason:
            problems.append(source.diagnostic(
                f"the meeting is on {short_date(meeting.date)}, which is not a working day ({reason}); "
                f"check the date", where + ("date",), warn=True))
        items, item_problems = _resolve_items(meeting, where, loaded, papers)
        problems += item_problems
        if committee is not None:
            resolved.append(ScheduledMeeting(slug, meeting, committee, items, i))
    resolved.sort(key=ScheduledMeeting.key)
    return tuple(resolved), problems


def _resolve_items(
    meeting: CommitteeMeeting, where: tuple, loaded: Loaded[MeetingsCalendar], papers: dict[str, Path],
) -> tuple[tuple[ScheduledItem, ...], list[Diagnostic]]:
    source = loaded.source
    problems: list[Diagnostic] = []
    numbers: dict[str, int] = {}
    paper_items: dict[str, str] = {}
    items = []
    for j, item in enumerate(meeting.items):
        at = where + ("items", j)
        if item.item in numbers:
            problems.append(source.diagnostic(
                f"item number '{item.item}' is used twice in this meeting; give each item its own number",
                at + ("item",)))
        numbers.setdefault(item.item, j)
        path = None
        if item.paper is not None:
            if item.paper in paper_items:
                problems.append(source.diagnostic(
                    f"paper '{item.paper}' is already item {paper_items[item.paper]} of this meeting; "
                    f"a paper belongs to one item", at + ("paper",)))
            paper_items.setdefault(item.paper, item.item)
            path = papers.get(item.paper)
            if path is None:
                problems.append(source.diagnostic(
                    f"no paper '{item.paper}' under papers/{did_you_mean(item.paper, papers)}; "
                    f"papers: {one_of(papers)}. It counts as missing until papers/{item.paper}.yaml exists",
                    at + ("paper",), warn=True))
        items.append(ScheduledItem(item, path))
    return tuple(items), problems


def read_calendars(project: Project, names: list[str] | None = None) -> tuple[list[CouncilCalendar], list[Diagnostic]]:
    """Calendars of the councils named (all when none are), and every problem found."""
    calendars, diagnostics = [], []
    for slug in project.select(names):
        calendar, problems = read_calendar(project, slug)
        diagnostics += problems
        if calendar is not None:
            calendars.append(calendar)
    return calendars, diagnostics


def london_today() -> dt.date:
    """Today's date in the UK, whatever the machine's time zone."""
    try:
        from zoneinfo import ZoneInfo

        return dt.datetime.now(ZoneInfo("Europe/London")).date()
    except Exception:  # noqa: BLE001 - no tz database (Windows without tzdata): the machine's date
        return dt.date.today()
