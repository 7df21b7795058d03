"""Reads of the reminders app: what the daily job would send today, and the reminder log."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Q
from django.utils import timezone

from reform.org.models import Jurisdiction, Membership, Role, Unit
from reform.org.selectors import Scope, unit_email_addresses
from reform.outbox.models import OutboxMessage
from reform.plan.models import Period
from reform.plan.selectors import current_period
from reform.reports.models import Report
from reform.workdays.services import WorkCalendar

from . import steps
from .models import ReminderDispatch, Step

SUBMITTED = (Report.State.SUBMITTED, Report.State.ACCEPTED)


def message_host() -> str:
    return urlsplit(settings.SITE_URL).hostname or "localhost"


@dataclass
class UnitReminder:
    """One email to one unit: its missing reports of one period and one date."""

    period: Period
    unit: Unit
    date_kind: str  # Assignment.Role: which of the period's dates applies
    due_on: dt.date
    step: str
    step_day: dt.date  # the step's own day; earlier than today when caught up
    reports: list[Report]
    days_left: int  # working days from today to due_on (steps.days_left), for the email
    days_overdue: int  # working days since due_on (steps.days_overdue)
    to: list[str] = field(default_factory=list)

    @property
    def key(self) -> tuple[int, int, str, str]:
        return (self.period.pk, self.unit.pk, self.date_kind, self.step)

    @property
    def message_id(self) -> str:
        # Stable, from the dispatch key: a repeat after a worker died mid-send folds into one.
        return (
            f"<reminder-{self.period.code}-unit{self.unit.pk}-{self.date_kind}-{self.step}"
            f"@{message_host()}>"
        )

    @property
    def is_overdue(self) -> bool:
        return self.step in steps.OVERDUE_STEPS

    @property
    def copies_office(self) -> bool:
        return self.step == Step.OVERDUE_7


@dataclass
class LateUnit:
    period: Period
    unit: Unit
    date_kind: str
    due_on: dt.date
    days_overdue: int
    reports: list[Report]


@dataclass
class Digest:
    """The office's daily list of the late units of its own jurisdiction."""

    jurisdiction: Jurisdiction
    late: list[LateUnit]
    to: list[str] = field(default_factory=list)

    def message_id(self, day: dt.date) -> str:
        return f"<reminder-digest-{day:%Y%m%d}-j{self.jurisdiction.pk}@{message_host()}>"


@dataclass
class ReminderPlan:
    today: dt.date
    is_workday: bool
    periods: list[Period]
    reminders: list[UnitReminder]
    digests: list[Digest]
    calendar: WorkCalendar


def office_email_addresses(jurisdiction_ids, *, today: dt.date) -> dict[int, list[str]]:
    """The office members of each jurisdiction with an address; one query."""
    found: dict[int, list[str]] = {pk: [] for pk in jurisdiction_ids}
    rows = (
        Membership.objects.valid_on(today)
        .filter(jurisdiction_id__in=list(found), role=Role.OFFICE, user__is_active=True)
        .exclude(user__email="")
        .order_by("jurisdiction_id", "user_id")
        .values_list("jurisdiction_id", "user__email")
    )
    for jurisdiction_id, email in rows:
        address = email.strip()
        if address.lower() not in {a.lower() for a in found[jurisdiction_id]}:
            found[jurisdiction_id].append(address)
    return found


def _periods_in_play(today: dt.date) -> tuple[Period | None, list[Period]]:
    """The current period if open, and every earlier period still open (overdue notices)."""
    current = current_period(today=today).period
    if current is None:
        return None, []
    earlier = Period.objects.filter(is_closed=False).filter(
        Q(year__lt=current.year) | Q(year=current.year, half__lt=current.half)
    )
    periods = [*earlier.order_by("year", "half")]
    if not current.is_closed:
        periods.append(current)
    return current, periods


def _missing_reports(periods: list[Period]) -> list[Report]:
    """Reports still expected and not submitted, of active units, ordered for the email."""
    reports = (
        Report.objects.filter(period__in=periods, unit__is_active=True)
        .exclude(state__in=SUBMITTED)
        .select_related(
            "task__implements",
            "unit__jurisdiction",
            "assignment__first_period",
            "assignment__last_period",
        )
        .prefetch_related("unit__names")
        .order_by("period_id", "unit_id", "role", "task__jurisdiction_id", "task__number", "id")
    )
    by_id = {p.pk: p for p in periods}
    found = []
    for report in reports:
        report.period = by_id[report.period_id]
        # A draft someone wrote on outlives its assignment's closing; it is not expected.
        if report.assignment.applies_to(report.period):
            found.append(report)
    return found


def plan_reminders(*, today: dt.date | None = None) -> ReminderPlan:
    """What the daily job sends on ``today``: reminders not yet dispatched, and digests.

    A fixed number of queries whatever the number of units (about ten).
    """
    today = today or timezone.localdate()
    cal = WorkCalendar.load()
    if not cal.is_workday(today):
        return ReminderPlan(today, False, [], [], [], cal)
    current, periods = _periods_in_play(today)
    if not periods:
        return ReminderPlan(today, True, [], [], [], cal)

    groups: dict[tuple[int, int, str], list[Report]] = defaultdict(list)
    for report in _missing_reports(periods):
        groups[(report.period_id, report.unit_id, report.role)].append(report)

    # 10,000 units share a handful of dates: each date's arithmetic is done once.
    due_steps: dict[tuple[dt.date, bool], tuple[str, dt.date] | None] = {}
    working_days: dict[dt.date, tuple[int, int]] = {}  # date → (days left, days overdue)
    reminders: list[UnitReminder] = []
    late: dict[int, list[LateUnit]] = defaultdict(list)
    for (_period_id, _unit_id, role), reports in groups.items():
        period, unit = reports[0].period, reports[0].unit
        due_on = period.due_on_for(role)
        overdue_only = period.pk != current.pk
        if (due_on, overdue_only) not in due_steps:
            due_steps[(due_on, overdue_only)] = steps.step_due(
                due_on, today, cal, overdue_only=overdue_only
            )
        due = due_steps[(due_on, overdue_only)]
        if due is None and due_on >= today:
            continue  # neither reminded today nor late
        if due_on not in working_days:
            working_days[due_on] = (
                steps.days_left(due_on, today, cal),
                steps.days_overdue(due_on, today, cal),
            )
        days_left, days_overdue = working_days[due_on]
        if due is not None:
            step, step_day = due
            reminders.append(
                UnitReminder(
                    period, unit, role, due_on, step, step_day, reports, days_left, days_overdue
                )
            )
        if due_on < today:
            late[unit.jurisdiction_id].append(
                LateUnit(period, unit, role, due_on, days_overdue, reports)
            )

    reminders = _not_yet_dispatched(reminders, periods)
    addresses = unit_email_addresses([r.unit.pk for r in reminders], today=today)
    office_ids = {r.unit.jurisdiction_id for r in reminders if r.copies_office} | set(late)
    offices = office_email_addresses(office_ids, today=today)
    for reminder in reminders:
        reminder.to = list(addresses[reminder.unit.pk])
        if reminder.copies_office:
            reminder.to += [
                a for a in offices[reminder.unit.jurisdiction_id] if a not in reminder.to
            ]

    digested = set(
        ReminderDispatch.objects.filter(step=Step.DIGEST, day=today).values_list(
            "jurisdiction_id", flat=True
        )
    )
    digests = []
    for jurisdiction_id, units in late.items():
        # Nobody at the office to read it: no digest (the unit reminders still go out).
        if jurisdiction_id in digested or not offices[jurisdiction_id]:
            continue
        units.sort(key=lambda u: (u.period.year, u.period.half, u.unit.order, u.unit.pk))
        digests.append(Digest(units[0].unit.jurisdiction, units, offices[jurisdiction_id]))
    digests.sort(key=lambda d: (d.jurisdiction.level, d.jurisdiction.order, d.jurisdiction.pk))
    return ReminderPlan(today, True, periods, reminders, digests, cal)


def _not_yet_dispatched(reminders: list[UnitReminder], periods: list[Period]):
    if not reminders:
        return reminders
    sent = set(
        ReminderDispatch.objects.filter(
            period__in=periods, step__in={r.step for r in reminders}
        ).values_list("period_id", "unit_id", "date_kind", "step")
    )
    return [r for r in reminders if r.key not in sent]


# --- the reminder log ------------------------------------------------------------------------


class LogStatus:
    """The filter's choices: the outbox row's status, or no row at all."""

    SENT = OutboxMessage.Status.SENT
    PENDING = "pending"  # pending or being sent
    FAILED = OutboxMessage.Status.FAILED
    NO_ADDRESS = "no_address"
    ALL = (SENT, PENDING, FAILED, NO_ADDRESS)


_STATUS_Q = {
    LogStatus.SENT: Q(message__status=OutboxMessage.Status.SENT),
    LogStatus.PENDING: Q(
        message__status__in=(OutboxMessage.Status.PENDING, OutboxMessage.Status.SENDING)
    ),
    LogStatus.FAILED: Q(message__status=OutboxMessage.Status.FAILED),
    LogStatus.NO_ADDRESS: Q(message__isnull=True),
}

LOG_PAGE_SIZE = 50


def visible_dispatches(*, scope: Scope):
    """Dispatches of units (and digests of offices) in the jurisdictions the user oversees."""
    return ReminderDispatch.objects.filter(scope.jurisdictions_q("jurisdiction__"))


def _in_period(period: Period, periods: list[Period]) -> Q:
    """A unit's reminders of the period, and the digests sent while it was the current one."""
    later = [p.opens_on for p in periods if p.opens_on > period.opens_on]
    digests = Q(step=Step.DIGEST, day__gte=period.opens_on)
    if later:
        digests &= Q(day__lt=min(later))
    return Q(period=period) | digests


@dataclass
class ReminderLog:
    periods: list[Period]
    period: Period | None
    status: str
    page: object  # a Paginator page of dispatches
    failed_count: int  # failed rows the user may retry, under the period filter


def reminder_log(
    *, scope: Scope, period_code: str | None, status: str | None, page_number=1
) -> ReminderLog:
    """The log page in four queries whatever the number of rows: the periods, the count of
    retryable failures, the paginator's count, and the page's rows with their unit, period,
    jurisdiction and email."""
    periods = list(Period.objects.order_by("-year", "-half"))
    period = next((p for p in periods if p.code == period_code), None)
    status = status if status in LogStatus.ALL else ""
    rows = visible_dispatches(scope=scope)
    if period is not None:
        rows = rows.filter(_in_period(period, periods))
    failed_count = (
        retryable_dispatches(scope=scope, period=period, periods=periods).count()
        if scope.is_office
        else 0
    )
    if status:
        rows = rows.filter(_STATUS_Q[status])
    rows = rows.select_related("unit", "period", "jurisdiction", "message").order_by(
        "-created_at", "-id"
    )
    page = Paginator(rows, LOG_PAGE_SIZE).get_page(page_number)
    return ReminderLog(
        periods=periods, period=period, status=status, page=page, failed_count=failed_count
    )


def retryable_dispatches(
    *, scope: Scope, period: Period | None = None, periods: list[Period] | None = None
):
    """Failed rows the user may send again: those of the jurisdictions where the user is the
    office (the office of J acts on the units of J, as for review and urging notices)."""
    rows = ReminderDispatch.objects.filter(
        _STATUS_Q[LogStatus.FAILED], jurisdiction__in=[j.pk for j in scope.office]
    )
    if period is not None:
        periods = periods if periods is not None else list(Period.objects.all())
        rows = rows.filter(_in_period(period, periods))
    return rows


def period_by_code(code: str | None) -> Period | None:
    if not code or len(code) != 6 or not code[:4].isdecimal() or code[4] != "H":
        return None
    if code[5] not in "12":
        return None
    return Period.objects.filter(year=int(code[:4]), half=code[5:]).first()
