"""The one working-day calendar of the application.

Order of authority: an administrator's ``DayOverride`` row, then the ``chinese-calendar``
package (official holidays and make-up working days), then Monday to Friday for a year
neither covers, with a warning that the calendar is a guess for that year.
"""

import datetime as dt
import logging
from dataclasses import dataclass, field

import chinese_calendar

from .models import DayOverride

logger = logging.getLogger(__name__)


@dataclass
class WorkCalendar:
    """Answers working-day questions for a date range with one query of overrides."""

    overrides: dict[dt.date, bool] = field(default_factory=dict)
    uncovered_years: set[int] = field(default_factory=set)

    @classmethod
    def load(cls, start: dt.date | None = None, end: dt.date | None = None) -> "WorkCalendar":
        rows = DayOverride.objects.all()
        if start:
            rows = rows.filter(date__gte=start)
        if end:
            rows = rows.filter(date__lte=end)
        return cls(overrides=dict(rows.values_list("date", "is_workday")))

    def is_workday(self, day: dt.date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        try:
            return chinese_calendar.is_workday(day)
        except NotImplementedError:
            if day.year not in self.uncovered_years:
                self.uncovered_years.add(day.year)
                logger.warning(
                    "No official calendar for %s: treating Monday to Friday as working days.",
                    day.year,
                )
            return day.weekday() < 5

    def is_covered(self, year: int) -> bool:
        """Whether the package (or an override for that year) knows the official days."""
        try:
            chinese_calendar.is_workday(dt.date(year, 1, 1))
            return True
        except NotImplementedError:
            return any(day.year == year for day in self.overrides)

    def add_workdays(self, day: dt.date, count: int) -> dt.date:
        """The working day ``count`` working days after (or, negative, before) ``day``."""
        step = dt.timedelta(days=1 if count >= 0 else -1)
        remaining = abs(count)
        while remaining:
            day += step
            if self.is_workday(day):
                remaining -= 1
        return day

    def workdays_between(self, start: dt.date, end: dt.date) -> int:
        """Working days after ``start`` up to and including ``end`` (negative if end < start)."""
        if end < start:
            return -self.workdays_between(end, start)
        return sum(
            1
            for offset in range(1, (end - start).days + 1)
            if self.is_workday(start + dt.timedelta(days=offset))
        )

    def last_workday_on_or_before(self, day: dt.date) -> dt.date:
        while not self.is_workday(day):
            day -= dt.timedelta(days=1)
        return day


def calendar(start: dt.date | None = None, end: dt.date | None = None) -> WorkCalendar:
    return WorkCalendar.load(start, end)
