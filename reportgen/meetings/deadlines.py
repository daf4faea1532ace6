"""Publication deadlines for committee papers: pure date arithmetic, no I/O.

The law (docs/meetings.md has the citations):

* England: the agenda and reports must be open to inspection at least
  **five clear days** before the meeting (Local Government Act 1972 s100B,
  as amended for England by SI 2002/715).
* Wales: published electronically at least **three clear days** before
  (s100BA, inserted by the Local Government and Elections (Wales) Act 2021).

Definitions used throughout, so that every caller means the same thing:

working day
    A day that is not a Saturday or Sunday, not a bank holiday in the
    council's nation (the `holidays` package, `country_holidays("GB",
    subdiv="ENG")` or `subdiv="WLS"`, one-off days such as the 2023
    Coronation included) and not one of the council's own closure days.

clear days between publication day P and meeting day M
    The working days strictly between P and M: neither P nor M counts, and
    neither do weekends, bank holidays or closure days.

statutory deadline
    The latest *working* day P such that at least N clear days lie between P
    and the meeting (N = 5 in England, 3 in Wales). Equivalently: count back
    N + 1 working days from the meeting, not counting the meeting day.
    Example: a meeting on Monday 21 January 2013 in England -> Friday
    11 January 2013 (clear days 14, 15, 16, 17 and 18 January).

council deadline
    When the council sets `working_days_before: K`, the K-th working day
    before the meeting, counting back from the day before it (so K - 1
    working days lie between that day and the meeting). Seven working days
    before Monday 21 January 2013 is Thursday 10 January 2013.

working days left, from `today` to a deadline
    The number of working days d with today < d <= deadline: 0 when the
    deadline is today, 2 on a Wednesday for a Friday deadline. After the
    deadline it is minus the working days d with deadline < d <= today.

status of a paper against the statutory deadline D, given `today` (T), whether
the paper is *ready* (its file exists and validates) and when the register
says it was published (entries dated after T, or withdrawn by then, do not count):

    published             published on or before D
    published late        published after D (shown; no alert)
    ready, not published  ready, not published, T < D: publish by D
    due today             ready, not published, T = D
    at risk               not ready, T <= D and at most 2 working days left
    missed                T > D and not published, ready or not
    on track              not ready, 3 or more working days left

The council deadline is when papers must be *ready*, so it can only make an
unpublished paper that is not ready worse: missed once it has passed, at risk
within 2 working days of it. A paper's status is the worse of the two; a
meeting's is the worst of its papers' (missed > at risk > due today > on
track > ready, not published > published late > published).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from typing import Iterable

from reportgen.inputs.models import Nation

STATUTORY_CLEAR_DAYS = {Nation.ENGLAND: 5, Nation.WALES: 3}
"""Clear days required by law between publication and the meeting, per nation."""

AT_RISK_WORKING_DAYS = 2
"""A deadline this many working days away or fewer puts unready papers at risk."""

_SUBDIVISION = {Nation.ENGLAND: "ENG", Nation.WALES: "WLS"}
_SEARCH_LIMIT = 366  # no real calendar has a year without a working day


class Status(str, Enum):
    """Where a paper or a meeting stands; in order of severity, the last is the worst."""

    PUBLISHED = "published"
    PUBLISHED_LATE = "published late"
    READY = "ready, not published"
    ON_TRACK = "on track"
    DUE_TODAY = "due today"
    AT_RISK = "at risk"
    MISSED = "missed"

    @property
    def severity(self) -> int:
        return list(Status).index(self)

    @property
    def alerts(self) -> bool:
        """True for the statuses monitoring must hear about (`due` exits 4)."""
        return self in (Status.AT_RISK, Status.MISSED)


def worst(statuses: Iterable[Status], default: Status = Status.ON_TRACK) -> Status:
    return max(statuses, key=lambda s: s.severity, default=default)


@lru_cache(maxsize=None)
def _holiday_names(nation: Nation, year: int) -> dict[dt.date, str]:
    import holidays

    return dict(holidays.country_holidays("GB", subdiv=_SUBDIVISION[Nation(nation)], years=year))


def bank_holidays(nation: Nation, year: int) -> frozenset[dt.date]:
    """Bank holidays in `nation` in `year`, substitute ("observed") days included."""
    return frozenset(_holiday_names(Nation(nation), year))


@dataclass(frozen=True)
class WorkingCalendar:
    """Which days are working days for one council."""

    nation: Nation
    closure_days: frozenset[dt.date] = frozenset()

    @classmethod
    def of(cls, nation: Nation, closure_days: Iterable[dt.date] = ()) -> WorkingCalendar:
        return cls(Nation(nation), frozenset(closure_days))

    def is_working_day(self, day: dt.date) -> bool:
        return (
            day.weekday() < 5
            and day not in _holiday_names(self.nation, day.year)
            and day not in self.closure_days
        )

    def non_working_reason(self, day: dt.date) -> str | None:
        """Why `day` is not a working day ("Saturday", "Easter Monday", "closure day"), or None."""
        if day.weekday() >= 5:
            return day.strftime("%A")
        if day in _holiday_names(self.nation, day.year):
            return _holiday_names(self.nation, day.year)[day]
        if day in self.closure_days:
            return "closure day"
        return None

    def nth_working_day_before(self, day: dt.date, n: int) -> dt.date:
        """The n-th working day before `day` (n >= 1; `day` itself never counts)."""
        if n < 1:
            raise ValueError(f"n must be at least 1, got {n}")
        current, found = day, 0
        for _ in range(n * 7 + _SEARCH_LIMIT):
            current -= dt.timedelta(days=1)
            if self.is_working_day(current):
                found += 1
                if found == n:
                    return current
        raise ValueError(f"no {n} working days found before {day}; check the closure days")

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days strictly between `start` and `end` (0 when end <= start + 1 day)."""
        days = (end - start).days - 1
        return sum(1 for i in range(1, days + 1) if self.is_working_day(start + dt.timedelta(days=i)))


def statutory_clear_days(nation: Nation) -> int:
    return STATUTORY_CLEAR_DAYS[Nation(nation)]


def statutory_deadline(meeting: dt.date, calendar: WorkingCalendar) -> dt.date:
    """The latest working day papers can be published and still leave the clear days the law requires."""
    return calendar.nth_working_day_before(meeting, statutory_clear_days(calendar.nation) + 1)


def council_deadline(meeting: dt.date, working_days_before: int, calendar: WorkingCalendar) -> dt.date:
    """The council's own deadline: the `working_days_before`-th working day before the meeting."""
    return calendar.nth_working_day_before(meeting, working_days_before)


def clear_days(published: dt.date, meeting: dt.date, calendar: WorkingCalendar) -> int:
    """Clear days between publishing on `published` and the meeting."""
    return calendar.working_days_between(published, meeting)


def working_days_left(today: dt.date, deadline: dt.date, calendar: WorkingCalendar) -> int:
    """Working days d with today < d <= deadline; negative (days late) once the deadline has passed."""
    if today <= deadline:
        return calendar.working_days_between(today, deadline + dt.timedelta(days=1))
    return -calendar.working_days_between(deadline, today + dt.timedelta(days=1))


def status(today: dt.date, deadline: dt.date, ready: bool, calendar: WorkingCalendar,
           published: dt.date | None = None) -> Status:
    """Where a paper stands against one deadline; see the module docstring for the definitions."""
    if published is not None:
        return Status.PUBLISHED if published <= deadline else Status.PUBLISHED_LATE
    if today > deadline:
        return Status.MISSED
    if not ready:
        close = working_days_left(today, deadline, calendar) <= AT_RISK_WORKING_DAYS
        return Status.AT_RISK if close else Status.ON_TRACK
    return Status.DUE_TODAY if today == deadline else Status.READY


@dataclass(frozen=True)
class Deadline:
    """One deadline for one meeting, and where things stand against it."""

    kind: str  # "statutory" or "council"
    date: dt.date
    rule: str  # e.g. "5 clear days (England)" or "7 working days before"
    working_days_left: int
    status: Status


def meeting_deadlines(
    meeting: dt.date,
    today: dt.date,
    ready: bool,
    calendar: WorkingCalendar,
    working_days_before: int | None = None,
    published: dt.date | None = None,
) -> list[Deadline]:
    """The statutory deadline, then the council's own when it sets one, each with the paper's status against it."""
    nation = calendar.nation
    law = statutory_deadline(meeting, calendar)
    found = status(today, law, ready, calendar, published)
    deadlines = [Deadline("statutory", law, f"{statutory_clear_days(nation)} clear days ({nation.value})",
                          working_days_left(today, law, calendar), found)]
    if working_days_before is not None:
        own = council_deadline(meeting, working_days_before, calendar)
        # The council's deadline is for being ready: it changes nothing once a paper is ready or published.
        against = found if ready or published is not None else status(today, own, False, calendar)
        deadlines.append(Deadline("council", own, f"{working_days_before} working days before",
                                  working_days_left(today, own, calendar), against))
    return deadlines


def short_date(day: dt.date, year: bool = True) -> str:
    """Mon 21 Jan 2013: how deadlines and meeting days are written in tables and messages."""
    return f"{day:%a} {day.day} {day:%b}" + (f" {day.year}" if year else "")
