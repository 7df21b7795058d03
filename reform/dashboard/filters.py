"""What the office is looking at: a period, a jurisdiction and optional narrowing filters.

One parser for the dashboard, the lists behind its numbers and the exports, so "the period
and jurisdiction on screen" means the same thing everywhere and the URL stays shareable.
Every value is checked against the user's scope: a jurisdiction outside it answers 404.
"""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.db.models import Q, QuerySet
from django.http import Http404, QueryDict

from reform.org.models import Jurisdiction, Unit
from reform.org.selectors import Scope
from reform.plan.models import Period, Section
from reform.reports.models import Report
from reform.reports.selectors import pick_current

# Traffic-light values of a report as the dashboard shows it: its status once submitted,
# "not submitted" before.
NOT_SUBMITTED = "not_submitted"
LIGHTS = (
    Report.Status.COMPLETED,
    Report.Status.ON_TRACK,
    Report.Status.LAGGING,
    Report.Status.NOT_STARTED,
    NOT_SUBMITTED,
)


@dataclass(frozen=True)
class Filters:
    period: Period
    periods: tuple[Period, ...]  # the whole list, oldest first
    jurisdiction: Jurisdiction
    section: Section | None = None
    unit: Unit | None = None
    status: str = ""  # one of LIGHTS, or ""
    list_ended: bool = False

    def query(self, **overrides) -> str:
        """The URL query string of these filters, with ``overrides`` (None drops a key)."""
        values = {
            "period": self.period.code,
            "jurisdiction": self.jurisdiction.code,
            "section": self.section.number if self.section else None,
            "unit": self.unit.pk if self.unit else None,
            "status": self.status or None,
        }
        values.update(overrides)
        return urlencode({k: v for k, v in values.items() if v not in (None, "")})

    def reports(self, *, below: bool = False) -> QuerySet:
        """The expected reports on screen: the jurisdiction's own units (or, with ``below``,
        every jurisdiction under it too), narrowed by section, unit and status."""
        q = Q(period=self.period)
        if below:
            q &= Q(unit__jurisdiction__path__startswith=self.jurisdiction.path)
        else:
            q &= Q(unit__jurisdiction=self.jurisdiction)
        if self.section:
            q &= Q(task__section=self.section)
        if self.unit:
            q &= Q(unit=self.unit)
        if self.status == NOT_SUBMITTED:
            q &= ~Q(state__in=SUBMITTED_STATES)
        elif self.status:
            q &= Q(state__in=SUBMITTED_STATES, status=self.status)
        return Report.objects.filter(q)


SUBMITTED_STATES = (Report.State.SUBMITTED, Report.State.ACCEPTED)


def parse_filters(params: QueryDict, *, scope: Scope, today) -> Filters:
    """Read the filters from a query string; unknown or out-of-scope values answer 404,
    malformed ones fall back to the defaults (the current period, the user's own office)."""
    periods = tuple(Period.objects.order_by("year", "half"))
    if not periods:
        raise Http404("No reporting period")
    current, list_ended = pick_current(list(periods), today)
    period = next((p for p in periods if p.code == params.get("period")), current)

    code = params.get("jurisdiction")
    if code:
        jurisdiction = Jurisdiction.objects.filter(code=code, is_active=True).first()
        if jurisdiction is None or not scope.can_view_jurisdiction(jurisdiction):
            raise Http404("Jurisdiction not in scope")
    elif scope.overseen:
        jurisdiction = min(scope.overseen, key=lambda j: j.level)
    else:
        raise Http404("No jurisdiction to show")

    section = None
    if (number := params.get("section", "")).isdecimal():
        section = Section.objects.filter(number=int(number)).first()
    unit = None
    if (unit_id := params.get("unit", "")).isdecimal():
        unit = Unit.objects.filter(pk=int(unit_id), jurisdiction=jurisdiction).first()
        if unit is None:
            raise Http404("Unit not in this jurisdiction")
    status = params.get("status", "")
    return Filters(
        period=period,
        periods=periods,
        jurisdiction=jurisdiction,
        section=section,
        unit=unit,
        status=status if status in LIGHTS else "",
        list_ended=list_ended and period == current,
    )
