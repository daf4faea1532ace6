"""Publication deadlines against known cases: the law's clear days, bank holidays, closures, council rules."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reportgen.meetings.deadlines import (
    Status, WorkingCalendar, clear_days, council_deadline, meeting_deadlines, statutory_deadline, status,
    working_days_left, worst,
)
from reportgen.inputs.models import Nation

D = dt.date
ENGLAND = WorkingCalendar.of(Nation.ENGLAND)
WALES = WorkingCalendar.of(Nation.WALES)


def test_monday_meeting_domain_example():
    # DOMAIN.md: a meeting on Monday 21 January 2013 in England -> papers out by Friday 11 January 2013.
    assert statutory_deadline(D(2013, 1, 21), ENGLAND) == D(2013, 1, 11)
    assert clear_days(D(2013, 1, 11), D(2013, 1, 21), ENGLAND) == 5  # 14, 15, 16, 17, 18 January
    assert clear_days(D(2013, 1, 14), D(2013, 1, 21), ENGLAND) == 4  # a day later is too late


def test_easter_tuesday_meeting_skips_good_friday_and_easter_monday():
    # Tue 2 April 2024; Good Friday 29 March and Easter Monday 1 April are bank holidays:
    # clear days 22, 25, 26, 27, 28 March -> publish by Thursday 21 March.
    assert statutory_deadline(D(2024, 4, 2), ENGLAND) == D(2024, 3, 21)
    assert ENGLAND.non_working_reason(D(2024, 4, 1)) == "Easter Monday"


def test_christmas_meeting_in_early_january():
    # Mon 7 January 2013: 25 and 26 December and 1 January are bank holidays:
    # clear days 28 and 31 December, 2, 3 and 4 January -> Thursday 27 December 2012.
    assert statutory_deadline(D(2013, 1, 7), ENGLAND) == D(2012, 12, 27)


def test_coronation_bank_holiday_2023():
    # Mon 15 May 2023; Mon 8 May 2023 was the one-off Coronation bank holiday:
    # clear days 5, 9, 10, 11, 12 May -> Thursday 4 May (Friday 5 May without the Coronation).
    assert ENGLAND.non_working_reason(D(2023, 5, 8)) == "Coronation of Charles III"
    assert statutory_deadline(D(2023, 5, 15), ENGLAND) == D(2023, 5, 4)


def test_welsh_meeting_needs_three_clear_days():
    # Glanmor, Mon 11 February 2013: clear days 6, 7, 8 February -> Tuesday 5 February.
    assert statutory_deadline(D(2013, 2, 11), WALES) == D(2013, 2, 5)
    assert statutory_deadline(D(2013, 2, 11), ENGLAND) == D(2013, 2, 1)
    # Over Easter 2024 in Wales: clear days 26, 27, 28 March -> Monday 25 March.
    assert statutory_deadline(D(2024, 4, 2), WALES) == D(2024, 3, 25)


def test_council_rule_of_seven_working_days():
    # 7 working days before Mon 21 January 2013: 18, 17, 16, 15, 14, 11, 10 January.
    assert council_deadline(D(2013, 1, 21), 7, ENGLAND) == D(2013, 1, 10)
    # holidays count the same way: 7 working days before Tue 2 April 2024 is Wednesday 20 March.
    assert council_deadline(D(2024, 4, 2), 7, ENGLAND) == D(2024, 3, 20)


def test_closure_days_are_not_working_days():
    closed = WorkingCalendar.of(Nation.ENGLAND, [D(2012, 12, 24), D(2012, 12, 27), D(2012, 12, 28), D(2012, 12, 31)])
    # Mon 7 January 2013 with the offices shut between Christmas and New Year:
    # clear days 20 and 21 December, 2, 3 and 4 January -> Wednesday 19 December 2012.
    assert statutory_deadline(D(2013, 1, 7), closed) == D(2012, 12, 19)
    assert closed.non_working_reason(D(2012, 12, 24)) == "closure day"
    one_day = WorkingCalendar.of(Nation.ENGLAND, [D(2013, 1, 14)])
    assert statutory_deadline(D(2013, 1, 21), one_day) == D(2013, 1, 10)


def test_diamond_jubilee_2012():
    # Mon 11 June 2012; 4 and 5 June 2012 were bank holidays: clear days 31 May, 1, 6, 7, 8 June.
    assert statutory_deadline(D(2012, 6, 11), ENGLAND) == D(2012, 5, 30)


@given(
    st.dates(min_value=D(2012, 1, 1), max_value=D(2030, 12, 31)),
    st.sampled_from([ENGLAND, WALES]),
)
def test_statutory_deadline_is_the_latest_working_day_with_enough_clear_days(meeting, calendar):
    required = 5 if calendar.nation is Nation.ENGLAND else 3
    deadline = statutory_deadline(meeting, calendar)
    assert calendar.is_working_day(deadline)
    assert clear_days(deadline, meeting, calendar) == required
    later = deadline + dt.timedelta(days=1)
    while not calendar.is_working_day(later):
        later += dt.timedelta(days=1)
    assert clear_days(later, meeting, calendar) == required - 1


def test_working_days_left():
    deadline = D(2013, 1, 11)  # a Friday
    assert working_days_left(D(2013, 1, 9), deadline, ENGLAND) == 2  # Thursday and Friday
    assert working_days_left(deadline, deadline, ENGLAND) == 0
    assert working_days_left(D(2013, 1, 12), deadline, ENGLAND) == 0  # Saturday: no working day yet since
    assert working_days_left(D(2013, 1, 14), deadline, ENGLAND) == -1
    assert working_days_left(D(2013, 1, 5), D(2013, 1, 8), ENGLAND) == 2  # a weekend does not count


@pytest.mark.parametrize(
    ("today", "ready", "published", "expected"),
    [
        (D(2013, 1, 8), False, None, Status.ON_TRACK),  # 3 working days left
        (D(2013, 1, 9), False, None, Status.AT_RISK),  # 2 working days left
        (D(2013, 1, 9), True, None, Status.READY),  # ready, not published: publish by Friday
        (D(2013, 1, 11), False, None, Status.AT_RISK),  # deadline today, not ready: at risk, not "due today"
        (D(2013, 1, 11), True, None, Status.DUE_TODAY),
        (D(2013, 1, 12), False, None, Status.MISSED),
        (D(2013, 1, 12), True, None, Status.MISSED),  # ready is not enough: the deadline is about publication
        (D(2013, 1, 12), True, D(2013, 1, 11), Status.PUBLISHED),
        (D(2013, 1, 9), True, D(2013, 1, 9), Status.PUBLISHED),
        (D(2013, 1, 14), True, D(2013, 1, 14), Status.PUBLISHED_LATE),
        (D(2013, 1, 14), False, D(2013, 1, 10), Status.PUBLISHED),  # published, then an error crept in
    ],
)
def test_status_around_a_friday_deadline(today, ready, published, expected):
    assert status(today, D(2013, 1, 11), ready, ENGLAND, published) is expected


def test_status_ordering_and_alerts():
    assert worst([Status.ON_TRACK, Status.MISSED, Status.AT_RISK]) is Status.MISSED
    assert worst([Status.PUBLISHED, Status.READY, Status.PUBLISHED_LATE]) is Status.READY
    assert worst([]) is Status.ON_TRACK
    assert [s for s in Status if s.alerts] == [Status.AT_RISK, Status.MISSED]


def test_the_council_deadline_counts_only_for_papers_not_ready():
    late = D(2013, 1, 11)  # after the council's Thursday deadline, on the law's Friday one
    _, council = meeting_deadlines(D(2013, 1, 21), late, False, ENGLAND, 7)
    assert council.status is Status.MISSED
    statutory, council = meeting_deadlines(D(2013, 1, 21), late, True, ENGLAND, 7)
    assert statutory.status is council.status is Status.DUE_TODAY


def test_meeting_deadlines_statutory_then_council():
    statutory, council = meeting_deadlines(D(2013, 1, 21), D(2013, 1, 8), True, ENGLAND, 7)
    assert (statutory.kind, statutory.date, statutory.rule, statutory.working_days_left) == (
        "statutory", D(2013, 1, 11), "5 clear days (England)", 3)
    assert (council.kind, council.date, council.rule, council.working_days_left) == (
        "council", D(2013, 1, 10), "7 working days before", 2)
    (only,) = meeting_deadlines(D(2013, 2, 11), D(2013, 1, 8), True, WALES)
    assert only.rule == "3 clear days (Wales)"


def test_nth_working_day_needs_a_positive_count():
    with pytest.raises(ValueError):
        ENGLAND.nth_working_day_before(D(2013, 1, 21), 0)
