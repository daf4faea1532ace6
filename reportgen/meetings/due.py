"""What is due for the meetings ahead: each paper's status against its deadlines, from the calendar and the register.

    CouncilCalendar + gather() + published.yaml -> MeetingDue per upcoming meeting

A paper's status comes from whether it is ready (its file exists and
validates) and from the council's publication register: the deadline is
about publication, not about a file existing. The definitions are in
reportgen.meetings.deadlines. Register entries dated after `today` (or
withdrawn by then) are ignored, so a past day can be replayed exactly.
"""

from __future__ import annotations

import functools

import datetime as dt
from dataclasses import dataclass, field, replace
from pathlib import Path

from reportgen.errors import Diagnostic
from reportgen.inputs.project import Project
from reportgen.merge.bilingual import by_record
from reportgen.inputs.register import PublishedFile, Register, read_register
from reportgen.meetings.calendar import (
    DEFAULT_WITHIN_DAYS, CouncilCalendar, ScheduledItem, ScheduledMeeting, days_after, read_calendars,
)
from reportgen.meetings.checks import calendar_problems
from reportgen.meetings.deadlines import Deadline, Status, short_date, worst
from reportgen.pipeline.gather import Inputs, gather


@dataclass(frozen=True)
class ItemStatus:
    """An agenda item: whether its paper is ready (`state`), and where it stands against the deadlines.

    `state` is `ready`, `not needed`, `no paper`, `missing` or `invalid`; an
    item that is `not needed` (apologies, say) has no deadlines.
    """

    number: str
    title: str
    paper: str | None
    state: str
    detail: str = ""
    deadlines: tuple[Deadline, ...] = ()
    published: tuple[PublishedFile, ...] = ()  # the paper's register entries in force on the day
    in_pack: dt.date | None = None  # when a published agenda pack or supplement first held the paper
    supplement_only: bool = False  # the agenda pack is published without it: it can only go in a supplement

    @property
    def ready(self) -> bool:
        return self.state in ("ready", "not needed")

    @property
    def status(self) -> Status | None:
        return worst(d.status for d in self.deadlines) if self.deadlines else None

    @property
    def published_on(self) -> dt.date | None:
        """The first day it was public: on its own, or in a published agenda pack or supplement."""
        return min([e.published_on for e in self.published] + ([self.in_pack] if self.in_pack else []), default=None)

    def revisions(self) -> list[tuple[int, dt.date]]:
        """Each revision published, with its own date (its earliest format's)."""
        dates: dict[int, dt.date] = {}
        for e in self.published:
            if e.revision > 0:
                dates[e.revision] = min(dates.get(e.revision, e.published_on), e.published_on)
        return sorted(dates.items())

    def describe(self) -> str:
        """`item 5.10 Title: status: what it means`, as `due` prints it under the meeting."""
        status, law = self.status, self.deadlines[0]
        said = status.value + (" (council)" if _decided_by_council(self.deadlines) else "")
        if status in (Status.PUBLISHED, Status.PUBLISHED_LATE):
            detail = f"{short_date(self.published_on)}" + (
                f", after the deadline {short_date(law.date)}" if status is Status.PUBLISHED_LATE else "")
            detail += "".join(f"; revision {n} published {short_date(day)}" for n, day in self.revisions())
        elif status is Status.READY:
            detail = f"publish by {short_date(law.date)}"
        elif status is Status.DUE_TODAY:
            detail = "publish today"
        elif self.ready:  # missed, though ready
            detail = f"ready but not published by {short_date(law.date)}; publish it now, with the reason it is late"
        else:
            detail = self.detail
        if self.supplement_only:
            detail += "; the agenda pack went out without it, so it can only go in a supplement now (with its " \
                      "`late_reason:`)"
        return f"item {self.number} {self.title}: {said}: {detail}"

    def as_dict(self) -> dict:
        return {
            "item": self.number, "title": self.title, "paper": self.paper, "state": self.state,
            "detail": self.detail or None, "status": self.status.value if self.status else None,
            "published_on": self.published_on.isoformat() if self.published_on else None,
            "revisions": [{"revision": n, "published_on": day.isoformat()} for n, day in self.revisions()],
            "supplement_only": self.supplement_only,
        }


def _decided_by_council(deadlines: tuple[Deadline, ...] | list[Deadline]) -> bool:
    """The council's deadline gives a worse status than the law's."""
    return len(deadlines) > 1 and deadlines[1].status.severity > deadlines[0].status.severity


@dataclass(frozen=True)
class MeetingDue:
    """One upcoming meeting: its deadlines, with the worst status of its papers against each, and its items."""

    council: CouncilCalendar
    meeting: ScheduledMeeting
    deadlines: list[Deadline]
    items: list[ItemStatus]

    @property
    def ready(self) -> bool:
        """Every item has its paper and every paper validates (and there is at least one item)."""
        return bool(self.items) and all(i.ready for i in self.items)

    @functools.cached_property  # asked for by the table, the summary's counts and the exit code
    def status(self) -> Status:
        return worst(d.status for d in self.deadlines)

    @property
    def deciding(self) -> Deadline:
        """The deadline that gives the status: the council's when it is worse, else the law's."""
        return self.deadlines[1] if _decided_by_council(self.deadlines) else self.deadlines[0]

    def deadline(self, kind: str) -> Deadline | None:
        return next((d for d in self.deadlines if d.kind == kind), None)

    @property
    def problems(self) -> list[str]:
        """One line per item that takes part, saying where it stands."""
        if not self.items:
            return ["no agenda items yet"]
        return [i.describe() for i in self.items if i.status is not None]

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
            "items": [i.as_dict() for i in self.items],
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
        return days_after(self.today, self.within)

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
    inputs: Inputs | None = None,
) -> DueReport:
    """Deadlines and each paper's status for every upcoming meeting of the councils named.

    `inputs`, when given, are the councils already read and checked (`build --due` has them).
    """
    report = DueReport(today, within)
    calendars, report.diagnostics = read_calendars(project, names)
    report.councils = [c.slug for c in calendars]
    wanted = [c for c in calendars if c.upcoming(today, within)]
    if inputs is None:
        inputs = gather(project, [c.slug for c in wanted]) if wanted else Inputs()
    for calendar in wanted:
        valid = by_record(inputs.councils[calendar.slug].papers) if calendar.slug in inputs.councils else {}
        report.diagnostics += calendar_problems(calendar, valid)
        register, problems = read_register(calendar.folder)
        report.diagnostics += problems
        for meeting in calendar.upcoming(today, within):
            report.meetings.append(_meeting_due(calendar, meeting, valid, inputs, register or Register(calendar.folder),
                                                today))
    report.meetings.sort(key=lambda m: (m.meeting.key(), m.council.slug))
    return report


def _meeting_due(calendar: CouncilCalendar, meeting: ScheduledMeeting, valid: dict, inputs: Inputs,
                 register: Register, today: dt.date) -> MeetingDue:
    packs = register.packs_of(meeting.date, meeting.committee.id, today)
    pack_day = next((p.published_on for p in packs if p.supplement == 0), None)
    items = []
    for scheduled in meeting.items:
        paper = scheduled.item.paper
        state, detail = _readiness(calendar, scheduled, valid, inputs)
        published = tuple(register.of(paper, today=today)) if paper else ()
        in_pack = min((p.published_on for p in packs if paper in p.papers), default=None) if paper else None
        item = ItemStatus(scheduled.number, scheduled.item.title, paper, state, detail, (), published, in_pack,
                          supplement_only=bool(paper and pack_day and in_pack is None))
        deadlines = () if state == "not needed" else calendar.deadlines(meeting, today, state == "ready",
                                                                          item.published_on)
        items.append(replace(item, deadlines=tuple(deadlines)))
    taking_part = [i for i in items if i.deadlines]
    if not taking_part:  # nothing to publish but the agenda: ready when it has items
        return MeetingDue(calendar, meeting, calendar.deadlines(meeting, today, bool(items), pack_day), items)
    deadlines = [
        Deadline(d.kind, d.date, d.rule, d.working_days_left, worst(i.deadlines[k].status for i in taking_part))
        for k, d in enumerate(taking_part[0].deadlines)
    ]
    return MeetingDue(calendar, meeting, deadlines, items)


def _readiness(calendar: CouncilCalendar, scheduled: ScheduledItem, valid: dict, inputs: Inputs) -> tuple[str, str]:
    item = scheduled.item
    absent = [a.file for a in item.attachments if not (calendar.folder / a.file).is_file()]
    if absent:  # found now, not when the agenda pack is made on publication day
        return "missing", f"attachment {', '.join(absent)} does not exist yet"
    if item.paper is None:
        return ("not needed", "") if not item.needs_paper else ("no paper", "no paper yet")
    if scheduled.paper_file is None:
        return "missing", f"papers/{item.paper}.yaml does not exist yet"
    if item.paper in valid:
        return "ready", ""
    own_errors = [d for d in inputs.errors if d.file is not None and Path(d.file) == scheduled.paper_file]
    if own_errors:
        return "invalid", (f"papers/{scheduled.paper_file.name} has {len(own_errors)} error(s); "
                           f"run `reportgen validate {calendar.slug}`")
    return "invalid", (f"cannot be built while other records of {calendar.slug} have errors; "
                       f"run `reportgen validate {calendar.slug}`")
