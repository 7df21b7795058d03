"""The schedule of one date on the Chinese working-day calendar, with real dates 2021–2025."""

import datetime as dt

import pytest

from reform.reminders.steps import schedule, step_due
from reform.workdays.models import DayOverride
from reform.workdays.services import WorkCalendar, calendar

D = dt.date


def test_june_25_2024_a_tuesday_counts_back_over_the_dragon_boat_festival():
    # 端午节 2024: Monday June 10 off. 14 working days before Tuesday June 25 skip it.
    assert schedule(D(2024, 6, 25), WorkCalendar()) == {
        D(2024, 6, 4): "d-14",
        D(2024, 6, 14): "d-7",
        D(2024, 6, 20): "d-3",
        D(2024, 6, 24): "d-1",
        D(2024, 6, 25): "d0",
        D(2024, 6, 26): "d+1",
        D(2024, 7, 4): "d+7",
    }


def test_a_due_date_on_saturday_moves_to_friday_and_merges_with_the_one_day_step():
    # June 25, 2022 is a Saturday: the on-date step moves to Friday June 24, where the
    # 1-day step already is; one email, the most urgent. Overdue counts from Monday.
    days = schedule(D(2022, 6, 25), WorkCalendar())
    assert days[D(2022, 6, 24)] == "d0"
    assert "d-1" not in days.values()
    assert days[D(2022, 6, 27)] == "d+1"
    assert len(days) == 6


def test_a_make_up_sunday_is_a_working_day_and_the_festival_before_it_is_not():
    # 端午节 2023: June 22–24 off; Sunday June 25 is a make-up working day, so the date
    # stays put and the day before it is Wednesday June 21.
    days = schedule(D(2023, 6, 25), WorkCalendar())
    assert days[D(2023, 6, 25)] == "d0"
    assert days[D(2023, 6, 21)] == "d-1"
    assert days[D(2023, 6, 19)] == "d-3"
    assert not set(days) & {D(2023, 6, 22), D(2023, 6, 23), D(2023, 6, 24)}


def test_national_day_2024_and_its_make_up_days_shift_an_october_date():
    # An office may set any date: October 8, 2024, just after 国庆 (October 1–7 off;
    # Sunday September 29 and Saturday October 12 are working days).
    days = schedule(D(2024, 10, 8), WorkCalendar())
    assert days[D(2024, 9, 30)] == "d-1"
    assert days[D(2024, 9, 27)] == "d-3"  # Sep 29, the make-up Sunday, is d-2
    assert days[D(2024, 10, 9)] == "d+1"
    assert days[D(2024, 10, 16)] == "d+7"  # counting Saturday October 12


def test_overdue_notices_of_december_2021_count_over_new_year():
    # December 25, 2021 is a Saturday; 元旦 2022 is January 1–3.
    days = schedule(D(2021, 12, 25), WorkCalendar())
    assert days[D(2021, 12, 24)] == "d0"
    assert days[D(2021, 12, 27)] == "d+1"
    assert days[D(2022, 1, 5)] == "d+7"


def test_the_spring_festival_and_its_make_up_weekend_days_shift_a_february_date():
    # 春节 2025: January 28 – February 4 off; Sunday January 26 and Saturday February 8
    # are working days. For a date of Friday February 7, three working days before falls
    # before the festival, and the first overdue day is the make-up Saturday.
    assert schedule(D(2025, 2, 7), WorkCalendar()) == {
        D(2025, 1, 13): "d-14",
        D(2025, 1, 22): "d-7",
        D(2025, 1, 27): "d-3",  # Feb 6, Feb 5, then over the festival to Jan 27
        D(2025, 2, 6): "d-1",
        D(2025, 2, 7): "d0",
        D(2025, 2, 8): "d+1",  # Saturday, a make-up working day
        D(2025, 2, 17): "d+7",
    }


@pytest.mark.django_db
def test_an_administrators_holiday_moves_a_step():
    DayOverride.objects.create(date=D(2025, 12, 22), is_workday=False, name="地方调休")
    days = schedule(D(2025, 12, 25), calendar())
    assert D(2025, 12, 22) not in days
    assert days[D(2025, 12, 19)] == "d-3"


def test_the_step_due_today_is_the_most_urgent_that_has_come():
    cal = WorkCalendar()
    due = D(2025, 12, 25)
    assert step_due(due, D(2025, 12, 4), cal) is None  # before the first step
    assert step_due(due, D(2025, 12, 5), cal) == ("d-14", D(2025, 12, 5))
    assert step_due(due, D(2025, 12, 8), cal) == ("d-14", D(2025, 12, 5))  # caught up
    assert step_due(due, D(2025, 12, 25), cal) == ("d0", D(2025, 12, 25))
    assert step_due(due, D(2026, 1, 6), cal) == ("d+7", D(2026, 1, 6))
    # Five working days is the catch-up window; after it, a missed step stays missed.
    assert step_due(due, D(2026, 1, 13), cal) == ("d+7", D(2026, 1, 6))
    assert step_due(due, D(2026, 1, 14), cal) is None
    # Earlier periods only send their overdue notices.
    assert step_due(due, D(2025, 12, 24), cal, overdue_only=True) is None
    assert step_due(due, D(2025, 12, 26), cal, overdue_only=True) == ("d+1", D(2025, 12, 26))
