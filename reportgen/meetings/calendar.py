"""Councils' meetings calendars, and what is due for the meetings ahead.

    meetings.yaml + council.yaml -> CouncilCalendar (checked, committees resolved)
    CouncilCalendar + gather() -> MeetingDue per upcoming meeting: deadlines, status, items not ready

`read_calendar` is what other commands build on (incremental `build --due`,
`publish`, the agenda `pack`): it gives each council's meetings in date order
with committees resolved and every agenda item's paper located. `due_report`
adds today's view: deadlines (see `reportgen.meetings.deadlines` for the exact
definitions), status and the papers still missing or invalid.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from reportgen.meetings.deadlines import (
    Deadline, Status, WorkingCalendar, meeting_deadlines, short_date, statutory_clear_days, worst,
)
from reportgen.errors import Diagnostic, did_you_mean, one_of, warning
from reportgen.inputs.meetings import AgendaItem, CommitteeMeeting, MeetingsCalendar
from reportgen.inputs.models import Committee, Council
from reportgen.inputs.project import Project
from reportgen.inputs.records import Loaded, Reading, yaml_files

MEETINGS_FILE = "meetings.yaml"
DEFAULT_WITHIN_DAYS = 28


# --- the calendar --------------------------------------------------------------


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

    def deadlines(self, meeting: ScheduledMeeting, today: dt.date, ready: bool) -> list[Deadline]:
        return meeting_deadlines(meeting.date, today, ready, self.working, self.working_days_before)

    def upcoming(self, today: dt.date, within: int = DEFAULT_WITHIN_DAYS) -> list[ScheduledMeeting]:
        """Meetings from `today` on that are held within `within` days, or whose first deadline is.

        The second half means a short window never hides a deadline: a meeting
        40 days away whose council deadline falls within the window is included.
        """
        horizon = today + dt.timedelta(days=within)
        return [
            m for m in self.meetings
            if m.date >= today and min(d.date for d in self.deadlines(m, today, True)) <= horizon
        ]


def read_calendar(project: Project, slug: str) -> tuple[CouncilCalendar | None, list[Diagnostic]]:
    """A council's checked calendar; None when council.yaml or meetings.yaml has an error.

    A council without meetings.yaml gets an empty calendar and a warning.
    """
    folder = project.council_dir(slug)
    reading = Reading()
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


# --- what is due ---------------------------------------------------------------


@dataclass(frozen=True)
class ItemStatus:
    """Whether an agenda item's paper is ready: `ready`, `not needed`, `no paper`, `missing` or `invalid`."""

    number: str
    title: str
    paper: str | None
    state: str
    detail: str = ""

    @property
    def ready(self) -> bool:
        return self.state in ("ready", "not needed")


@dataclass(frozen=True)
class MeetingDue:
    """One upcoming meeting: its deadlines, its status and its items."""

    council: CouncilCalendar
    meeting: ScheduledMeeting
    deadlines: list[Deadline]
    items: list[ItemStatus]

    @property
    def ready(self) -> bool:
        """Every item has its paper and every paper validates (and there is at least one item)."""
        return bool(self.items) and all(i.ready for i in self.items)

    @property
    def status(self) -> Status:
        return worst(d.status for d in self.deadlines)

    @property
    def deciding(self) -> Deadline:
        """The deadline that gives the status: the worst one; the statutory one on a tie."""
        return max(self.deadlines, key=lambda d: (d.status.severity, d.kind == "statutory"))

    def deadline(self, kind: str) -> Deadline | None:
        return next((d for d in self.deadlines if d.kind == kind), None)

    @property
    def problems(self) -> list[str]:
        if not self.items:
            return ["no agenda items yet"]
        return [f"item {i.number} {i.title}: {i.detail}" for i in self.items if not i.ready]

    def as_dict(self) -> dict:
        m = self.meeting.meeting
        return {
            "council": self.council.slug,
            "committee": self.meeting.committee.id,
            "committee_name": self.meeting.committee.name,
            "date": m.date.isoformat(),
            "time": m.time.strftime("%H:%M"),
            "venue": m.venue,
            "status": self.status.value,
            "ready": self.ready,
            "deadlines": [
                {"kind": d.kind, "date": d.date.isoformat(), "rule": d.rule,
                 "working_days_left": d.working_days_left, "status": d.status.value}
                for d in self.deadlines
            ],
            "items": [
                {"item": i.number, "title": i.title, "paper": i.paper, "state": i.state, "detail": i.detail or None}
                for i in self.items
            ],
        }


@dataclass
class DueReport:
    today: dt.date
    within: int
    councils: list[str] = field(default_factory=list)
    meetings: list[MeetingDue] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def until(self) -> dt.date:
        return self.today + dt.timedelta(days=self.within)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.is_error]

    @property
    def alert(self) -> bool:
        """A deadline is missed or at risk."""
        return any(m.status.alerts for m in self.meetings)

    def count(self, status: Status) -> int:
        return sum(1 for m in self.meetings if m.status is status)

    def papers_needed(self) -> dict[str, list[str]]:
        """Paper ids per council that the meetings in this report need, in agenda order."""
        needed: dict[str, list[str]] = {}
        for due in self.meetings:
            ids = needed.setdefault(due.council.slug, [])
            ids += [p for p in due.meeting.paper_ids if p not in ids]
        return needed

    def as_dict(self) -> dict:
        return {
            "today": self.today.isoformat(),
            "until": self.until.isoformat(),
            "alert": self.alert,
            "ok": not self.errors,
            "councils": self.councils,
            "meetings": [m.as_dict() for m in self.meetings],
            "diagnostics": [d.as_dict() for d in self.diagnostics],
        }


def due_report(
    project: Project, names: list[str] | None = None, *, today: dt.date, within: int = DEFAULT_WITHIN_DAYS,
) -> DueReport:
    """Deadlines, status and missing or invalid papers for every upcoming meeting of the councils named."""
    from reportgen.pipeline.gather import gather

    report = DueReport(today, within)
    calendars, report.diagnostics = read_calendars(project, names)
    report.councils = [c.slug for c in calendars]
    wanted = [c for c in calendars if c.upcoming(today, within)]
    inputs = gather(project, [c.slug for c in wanted]) if wanted else None
    for calendar in wanted:
        valid = {v.id: v for v in inputs.councils[calendar.slug].papers} if calendar.slug in inputs.councils else {}
        report.diagnostics += _check_papers_agree(calendar, valid)
        for meeting in calendar.upcoming(today, within):
            items = [_item_status(calendar, item, valid, inputs) for item in meeting.items]
            ready = bool(items) and all(i.ready for i in items)
            report.meetings.append(MeetingDue(calendar, meeting, calendar.deadlines(meeting, today, ready), items))
    report.meetings.sort(key=lambda m: (m.meeting.key(), m.council.slug))
    return report


def _item_status(calendar: CouncilCalendar, scheduled: ScheduledItem, valid: dict, inputs) -> ItemStatus:
    item = scheduled.item
    made = lambda state, detail="": ItemStatus(item.item, item.title, item.paper, state, detail)  # noqa: E731
    absent = [a.file for a in item.attachments if not (calendar.folder / a.file).is_file()]
    if absent:  # found now, not when the agenda pack is made on publication day
        return made("missing", f"attachment {', '.join(absent)} does not exist yet")
    if item.paper is None:
        return made("not needed") if not item.needs_paper else made("no paper", "no paper yet")
    if scheduled.paper_file is None:
        return made("missing", f"papers/{item.paper}.yaml does not exist yet")
    if item.paper in valid:
        return made("ready")
    own_errors = [d for d in inputs.errors if d.file is not None and Path(d.file) == scheduled.paper_file]
    if own_errors:
        return made("invalid", f"papers/{scheduled.paper_file.name} has {len(own_errors)} error(s); "
                               f"run `reportgen validate {calendar.slug}`")
    return made("invalid", f"cannot be built while other records of {calendar.slug} have errors; "
                           f"run `reportgen validate {calendar.slug}`")


def _check_papers_agree(calendar: CouncilCalendar, valid: dict) -> list[Diagnostic]:
    """Warn when a paper's own `meeting:` names another meeting than the one listing it.

    A paper listed under two meetings (deferred from one to the other) is fine
    as long as one of them is the meeting the paper names.
    """
    problems = []
    source = calendar.calendar.source if calendar.calendar else None
    listed: dict[str, set[tuple[str, dt.date]]] = {}
    for m in calendar.meetings:
        for paper_id in m.paper_ids:
            listed.setdefault(paper_id, set()).add((m.committee.id, m.date))
    for m in calendar.meetings:
        for j, scheduled in enumerate(m.items):
            view = valid.get(scheduled.item.paper or "")
            if view is None or source is None:
                continue
            own = view.paper.meeting
            at = ("meetings", m.index, "items", j, "paper")
            if own is None:  # a paper for no particular meeting may be put on any agenda
                continue
            if (own.committee, own.date) != (m.committee.id, m.date):
                if (own.committee, own.date) not in listed[view.id]:
                    problems.append(source.diagnostic(
                        f"paper '{view.id}' says it goes to {own.committee} on {own.date}, "
                        f"but is listed here for {m.committee.id} on {m.date}; correct one of them", at, warn=True))
            elif own.item is not None and own.item != scheduled.item.item:
                problems.append(source.diagnostic(
                    f"paper '{view.id}' gives item number '{own.item}', but the agenda has it as item "
                    f"'{scheduled.item.item}'; correct one of them", at, warn=True))
    return problems


def london_today() -> dt.date:
    """Today's date in the UK, whatever the machine's time zone."""
    try:
        from zoneinfo import ZoneInfo

        return dt.datetime.now(ZoneInfo("Europe/London")).date()
    except Exception:  # noqa: BLE001 - no tz database (Windows without tzdata): the machine's date
        return dt.date.today()
