"""The reminder schedule of one date: which step falls on which working day.

DESIGN.md, "Reminders": 14, 7, 3 and 1 working days before the unit's date, on the date,
and overdue on working day +1 and +7. Counting working days before or after a date always
lands on a working day; only the on-date step can fall on a day off (June 25 on a weekend),
and it moves to the last working day before — the day of the 1-day step, so the two merge
into one email, the most urgent.
"""

import datetime as dt

from reform.workdays.services import WorkCalendar

from .models import Step

# Working days from the unit's date, least urgent first.
OFFSETS: dict[str, int] = {
    Step.BEFORE_14: -14,
    Step.BEFORE_7: -7,
    Step.BEFORE_3: -3,
    Step.BEFORE_1: -1,
    Step.ON_DATE: 0,
    Step.OVERDUE_1: 1,
    Step.OVERDUE_7: 7,
}
UNIT_STEPS = tuple(OFFSETS)
OVERDUE_STEPS = (Step.OVERDUE_1, Step.OVERDUE_7)
# A step whose day the job missed (beat down, Redis down at 09:00) still goes out on the
# next runs, for this many working days, unless a more urgent step has come due meanwhile.
# Older than that, it would be stale news, and its place is taken by the office's digest.
CATCH_UP_WORKDAYS = 5


def urgency(step: str) -> int:
    return UNIT_STEPS.index(step)


def step_days(due_on: dt.date, cal: WorkCalendar) -> dict[str, dt.date]:
    """Each step's working day, before merging."""
    days = {}
    for step, offset in OFFSETS.items():
        if offset == 0:
            days[step] = cal.last_workday_on_or_before(due_on)
        else:
            days[step] = cal.add_workdays(due_on, offset)
    return days


def schedule(due_on: dt.date, cal: WorkCalendar) -> dict[dt.date, str]:
    """Working day → the one step sent that day; steps on the same day merge into the most
    urgent."""
    merged: dict[dt.date, str] = {}
    for step, day in step_days(due_on, cal).items():  # least urgent first: later ones win
        merged[day] = step
    return dict(sorted(merged.items()))


def step_due(
    due_on: dt.date, today: dt.date, cal: WorkCalendar, *, overdue_only: bool = False
) -> tuple[str, dt.date] | None:
    """The step to send on ``today`` and the day it belongs to, or None.

    The most urgent step whose day has come, unless that day lies more than
    CATCH_UP_WORKDAYS working days back. Whether it was already sent is the dispatch
    table's business, not this function's.
    """
    come = [(day, step) for day, step in schedule(due_on, cal).items() if day <= today]
    if not come:
        return None
    day, step = come[-1]
    if overdue_only and step not in OVERDUE_STEPS:
        return None
    if cal.workdays_between(day, today) > CATCH_UP_WORKDAYS:
        return None
    return step, day


def days_left(due_on: dt.date, today: dt.date, cal: WorkCalendar) -> int:
    """Working days after today up to and including the date (0 on the last one)."""
    return max(cal.workdays_between(today, due_on), 0)


def days_overdue(due_on: dt.date, today: dt.date, cal: WorkCalendar) -> int:
    """Working days since the date, as the unit's page counts them."""
    return max(cal.workdays_between(due_on, today), 0)
