"""Which reporting period the application treats as current, as the calendar moves on."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from reform.plan.selectors import current_period
from reform.plan.services import load_plan

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def plan_periods():
    load_plan()


def morning_of(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, 9, 0, tzinfo=SHANGHAI)


def test_in_the_middle_of_a_half_year_that_half_year_is_current():
    with time_machine.travel(morning_of(dt.date(2023, 3, 10)), tick=False):
        current = current_period()

    assert current.period.code == "2023H1"
    assert not current.list_ended


def test_after_the_due_date_the_period_stays_current_until_the_next_one_opens():
    current = current_period(today=dt.date(2023, 6, 28))

    assert current.period.code == "2023H1"
    assert current.period.due_on < dt.date(2023, 6, 28)
    assert not current.list_ended


def test_the_next_period_is_current_from_its_opening_day():
    with time_machine.travel(morning_of(dt.date(2023, 7, 1)), tick=False):
        current = current_period()

    assert current.period.code == "2023H2"
    assert current.period.opens_on == dt.date(2023, 7, 1)


def test_the_opening_day_counts_in_shanghai_not_in_utc():
    # 2023-07-01 00:30 in Heilongjiang is still June 30 in UTC.
    with time_machine.travel(dt.datetime(2023, 7, 1, 0, 30, tzinfo=SHANGHAI), tick=False):
        current = current_period()

    assert current.period.code == "2023H2"


def test_past_the_whole_list_the_last_period_stays_with_a_notice_that_reporting_ended():
    current = current_period(today=dt.date(2026, 3, 1))

    assert current.period.code == "2025H2"
    assert current.list_ended


def test_on_the_last_due_date_the_list_has_not_ended_yet():
    current = current_period(today=dt.date(2025, 12, 25))

    assert current.period.code == "2025H2"
    assert not current.list_ended


def test_before_the_list_begins_the_first_period_is_shown_not_yet_open():
    today = dt.date(2021, 3, 1)
    current = current_period(today=today)

    assert current.period.code == "2021H2"
    assert current.period.opens_on > today
    assert not current.list_ended
