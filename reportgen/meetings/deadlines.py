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

import bisect
import datetime as dt
from dataclasses import dataclass, field
from enum import Enum
from functools import lru_cache
from typing import Iterable

from reportgen.inputs.models import Nation

STATUTORY_CLEAR_DAYS = {Nation.ENGLAND: 5, Nation.WALES: 3}
"""Clear days required by law between publication and the meeting, per nation."""

AT_RISK_WORKING_DAYS = 2
"""A deadline this many working days away or fewer puts unready papers at risk."""

_SUBDIVISION = {Nation.ENGLAND: "ENG", Nation.WALES: "WLS"}


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
        return _SEVERITY[self]

    @property
    def alerts(self) -> bool:
        """True for the statuses monitoring must hear about (`due` exits 4)."""
        return self in (Status.AT_RISK, Status.MISSED)


_SEVERITY = {status: rank for rank, status in enumerate(Status)}  # a `due` over 10,000 meetings asks often


def worst(statuses: Iterable[Status], default: Status = Status.ON_TRACK) -> Status:
    return max(statuses, key=lambda s: s.severity, default=default)


@lru_cache(maxsize=None)
def _holiday_years(nation: Nation) -> tuple[int, int]:
    """The years the `holidays` package knows for `nation` (it has none outside them)."""
    import holidays

    known = holidays.country_holidays("GB", subdiv=_SUBDIVISION[Nation(nation)])
    return getattr(known, "start_year", 1), getattr(known, "end_year", dt.MAXYEAR)


@lru_cache(maxsize=None)
def _holiday_names(nation: Nation, year: int) -> dict[dt.date, str]:
    import holidays

    first, last = _holiday_years(Nation(nation))
    if not first <= year <= last:
        return {}
    return dict(holidays.country_holidays("GB", subdiv=_SUBDIVISION[Nation(nation)], years=year))


def bank_holidays(nation: Nation, year: int) -> frozenset[dt.date]:
    """Bank holidays in `nation` in `year`, substitute ("observed") days included."""
    return frozenset(_holiday_names(Nation(nation), year))


class DateOutOfRange(ValueError):
    """A deadline or a day count that would fall outside the calendar Python knows (years 1 to 9999)."""


_LAST_DAY = dt.date.max.toordinal()


def _weekdays_through(ordinal: int) -> int:
    """Weekdays among day numbers 1 ... `ordinal` (day 1, 1 January of year 1, was a Monday)."""
    weeks, days = divmod(ordinal, 7)
    return weeks * 5 + (days if days < 5 else 5)


def _weekday_number(rank: int) -> int:
    """The day number of the `rank`-th weekday (rank 1 is day 1); below 1 when rank < 1."""
    weeks, extra = divmod(rank - 1, 5)
    return weeks * 7 + extra + 1


def _year_of(ordinal: int) -> int:
    return dt.date.fromordinal(min(max(ordinal, 1), _LAST_DAY)).year


class _DaysOff:
    """Bank holidays and closure days that fall on weekdays, as sorted day numbers.

    Holidays are looked up only for the years asked about; the range grows by
    doubling, so a long series of questions costs a few look-ups per year.
    """

    def __init__(self, nation: Nation, closure_days: frozenset[dt.date]):
        self.nation = nation
        self.closures = {d.toordinal() for d in closure_days if d.weekday() < 5}
        self.years: tuple[int, int] | None = None
        self.span = (1, 0)  # the day numbers of the years covered
        self.days: list[int] = sorted(self.closures)
        self.deadlines: dict[tuple[int, int], dt.date] = {}  # WorkingCalendar.nth_working_day_before's answers

    def count(self, first: int, last: int) -> int:
        """Days off numbered first ... last."""
        if first > last:
            return 0
        if not self.span[0] <= first <= last <= self.span[1]:
            self._cover(_year_of(first), _year_of(last))
        return bisect.bisect_right(self.days, last) - bisect.bisect_left(self.days, first)

    def _cover(self, low: int, high: int) -> None:
        if self.years is not None:
            if self.years[0] <= low and high <= self.years[1]:
                return
            span = self.years[1] - self.years[0] + 1
            low = min(low, self.years[0] - span) if low < self.years[0] else self.years[0]
            high = max(high, self.years[1] + span) if high > self.years[1] else self.years[1]
        low, high = max(low, 1), min(high, dt.MAXYEAR)
        days = set(self.closures)
        for year in range(low, high + 1):
            days.update(d.toordinal() for d in _holiday_names(self.nation, year) if d.weekday() < 5)
        self.years, self.days = (low, high), sorted(days)
        self.span = (dt.date(low, 1, 1).toordinal(), dt.date(high, 12, 31).toordinal())


@dataclass(frozen=True)
class WorkingCalendar:
    """Which days are working days for one council.

    Working days are counted arithmetically: weekdays in whole weeks at once,
    less the bank holidays and closure days in the range, so a count over
    years costs no more than a count over days.
    """

    nation: Nation
    closure_days: frozenset[dt.date] = frozenset()
    _off: _DaysOff | None = field(default=None, init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_off", _DaysOff(self.nation, self.closure_days))

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

    def _working_days(self, first: int, last: int) -> int:
        """Working days numbered first ... last (day numbers as `date.toordinal`)."""
        if first > last:
            return 0
        return _weekdays_through(last) - _weekdays_through(first - 1) - self._off.count(first, last)

    def nth_working_day_before(self, day: dt.date, n: int) -> dt.date:
        """The n-th working day before `day` (n >= 1; `day` itself never counts).

        Go back n weekdays; for every day off in that stretch go back one
        weekday more, until the stretch holds n working days. DateOutOfRange
        when that runs past the first day of year 1.
        """
        if n < 1:
            raise ValueError(f"n must be at least 1, got {n}")
        known = self._off.deadlines.get((day.toordinal(), n))
        if known is not None:
            return known
        end, weekdays = day.toordinal() - 1, n
        while True:
            start = _weekday_number(_weekdays_through(end) - weekdays + 1)
            if start < 1:
                raise DateOutOfRange(f"{n} working days before {day.isoformat()} would be before the year 1")
            needed = n + self._off.count(start, end)
            if needed == weekdays:
                found = self._off.deadlines[(day.toordinal(), n)] = dt.date.fromordinal(start)
                return found
            weekdays = needed

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days strictly between `start` and `end` (0 when end <= start + 1 day)."""
        return self._working_days(start.toordinal() + 1, end.toordinal() - 1)

    def working_days_after(self, start: dt.date, end: dt.date) -> int:
        """Working days d with start < d <= end."""
        return self._working_days(start.toordinal() + 1, end.toordinal())


def statutory_clear_days(nation: Nation) -> int:
    return STATUTORY_CLEAR_DAYS[nation if isinstance(nation, Nation) else Nation(nation)]


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
        return calendar.working_days_after(today, deadline)
    return -calendar.working_days_after(deadline, today)


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


@lru_cache(maxsize=4096)  # strftime is slow, and a table of 10,000 meetings repeats its days
def short_date(day: dt.date, year: bool = True) -> str:
    """Mon 21 Jan 2013: how deadlines and meeting days are written in tables and messages."""
    return f"{day:%a} {day.day} {day:%b}" + (f" {day.year}" if year else "")
