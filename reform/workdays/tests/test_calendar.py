"""The one working-day calendar: official holidays, make-up days, overrides, uncovered years."""

import datetime as dt

import pytest

from reform.workdays.models import DayOverride
from reform.workdays.services import calendar

pytestmark = pytest.mark.django_db
D = dt.date


def test_spring_festival_2025_and_its_make_up_sunday():
    cal = calendar()
    assert cal.is_workday(D(2025, 1, 26))  # Sunday, a make-up working day
    assert not cal.is_workday(D(2025, 1, 29))  # 春节
    # From Friday Jan 24 to Friday Feb 7: Jan 26, 27 work; Jan 28 - Feb 4 off; Feb 5, 6, 7.
    assert cal.workdays_between(D(2025, 1, 24), D(2025, 2, 7)) == 5
    assert cal.add_workdays(D(2025, 1, 27), 1) == D(2025, 2, 5)
    assert cal.add_workdays(D(2025, 2, 5), -1) == D(2025, 1, 27)


def test_national_day_2024_with_make_up_saturday():
    cal = calendar()
    # Sep 29 (Sunday) and Oct 12 (Saturday) are working days; Oct 1-7 are not.
    assert cal.is_workday(D(2024, 9, 29)) and cal.is_workday(D(2024, 10, 12))
    # After Friday Sep 27: Sep 29, 30, Oct 8, 9, 10, 11, 12.
    assert cal.workdays_between(D(2024, 9, 27), D(2024, 10, 12)) == 7
    assert cal.last_workday_on_or_before(D(2024, 10, 6)) == D(2024, 9, 30)


def test_an_administrators_override_wins_over_the_package():
    DayOverride.objects.create(date=D(2025, 6, 23), is_workday=False, name="地方调休")
    cal = calendar()
    assert not cal.is_workday(D(2025, 6, 23))
    assert cal.workdays_between(D(2025, 6, 20), D(2025, 6, 25)) == 2


def test_a_year_no_calendar_covers_falls_back_to_monday_to_friday_with_a_warning(caplog):
    cal = calendar()
    assert not cal.is_covered(2031)
    assert cal.is_workday(D(2031, 1, 1))  # a Wednesday; New Year unknown for 2031
    assert not cal.is_workday(D(2031, 1, 4))  # Saturday
    assert "No official calendar for 2031" in caplog.text
    assert 2031 in cal.uncovered_years
