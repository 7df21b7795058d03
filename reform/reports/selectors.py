"""Reads of the reports app, each filtered through the org app's rights answer."""

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from reform.attachments.models import Attachment
from reform.attachments.selectors import live_attachment
from reform.org.models import Membership, Role, Unit
from reform.org.selectors import Scope
from reform.plan.models import Assignment, Period

from .models import Report, UrgingNotice


def _lead_units_q(scope: Scope) -> Q:
    """Reports of cooperating units on tasks that one of the user's units leads, in the same
    jurisdiction (the provincial tax bureau does not see a Harbin unit's report)."""
    if not scope.unit_ids:
        return Q(pk__in=[])
    led = Assignment.objects.filter(
        unit_id__in=scope.unit_ids, role=Assignment.Role.LEAD, is_active=True
    ).values_list("task_id", "jurisdiction_id")
    q = Q(pk__in=[])
    for task_id, jurisdiction_id in led:
        q |= Q(task_id=task_id, unit__jurisdiction_id=jurisdiction_id)
    return q


def visible_reports_q(scope: Scope) -> Q:
    return (
        Q(unit_id__in=scope.unit_ids)
        | scope.jurisdictions_q("unit__jurisdiction__")
        | (_lead_units_q(scope))
    )


ReportAction = Literal["view", "edit", "send", "withdraw", "sign_off", "send_back", "review"]


@dataclass(frozen=True)
class ReportAccess:
    report: Report
    can_edit: bool  # staff or head of the report's own unit
    can_sign_off: bool
    can_review: bool  # the office of the unit's own jurisdiction

    def role_allows(self, action: str) -> bool:
        """Whether the person's role in the unit may ever take ``action`` on the report.

        Staff edit and send for sign-off, and withdraw what they sent; the head edits, signs
        off (from any editable state) and sends back; nobody else changes a unit's report.
        The office of the unit's own jurisdiction reviews it (accept, return).
        """
        return {
            "view": True,
            "review": self.can_review,
            "edit": self.can_edit,
            "send": self.can_edit and not self.can_sign_off,
            "withdraw": self.can_edit and not self.can_sign_off,
            "sign_off": self.can_sign_off,
            "send_back": self.can_sign_off,
        }[action]

    @property
    def actions(self) -> frozenset[str]:
        """What the person may do to the report now: the page shows exactly these.

        The services refuse the same moves under the report's lock, whatever a page showed.
        """
        report = self.report
        if report.period.is_closed or not report.is_editable_state:
            return frozenset()
        now = {"sign_off"}
        if report.content_editable_by(is_head=self.can_sign_off):
            now.add("edit")
        if report.state == Report.State.AWAITING_SIGN_OFF:
            now |= {"send_back", "withdraw"}
        else:
            now.add("send")
        return frozenset(action for action in now if self.role_allows(action))


def _report_refusal(action: ReportAction) -> str:
    if action == "edit":
        # Offices, leadership and a lead unit looking at a cooperating unit's report.
        return _("You may read this report but not change it.")
    if action == "review":
        # The provincial office reads a city unit's report; the city office reviews it.
        return _("Only the office of the unit's own jurisdiction reviews it.")
    return _("You may not do this for this report.")


# --- what a report still needs, and who signs it -------------------------------------------------


def missing_for_submission(report: Report) -> list[str]:
    """The labels of the fields a report needs before it goes to the head or the office."""
    missing = []
    if not report.status:
        missing.append(str(Report._meta.get_field("status").verbose_name))
    if report.percent is None:
        missing.append(str(Report._meta.get_field("percent").verbose_name))
    if not report.progress.strip():
        missing.append(str(Report._meta.get_field("progress").verbose_name))
    if report.status == Report.Status.LAGGING and not report.problems.strip():
        missing.append(str(Report._meta.get_field("problems").verbose_name))
    if not report.next_steps.strip() and report.status != Report.Status.COMPLETED:
        missing.append(str(Report._meta.get_field("next_steps").verbose_name))
    return missing


def unit_has_head(unit_id: int, *, today: dt.date | None = None) -> bool:
    today = today or timezone.localdate()
    return (
        Membership.objects.valid_on(today)
        .filter(unit_id=unit_id, role=Role.HEAD, user__is_active=True)
        .exists()
    )


def is_unit_head(user, unit_id: int, *, today: dt.date | None = None) -> bool:
    if user is None or not user.is_active:
        return False
    today = today or timezone.localdate()
    return (
        Membership.objects.valid_on(today)
        .filter(unit_id=unit_id, role=Role.HEAD, user=user)
        .exists()
    )


def report_for_user(*, scope: Scope, report_id: int, action: ReportAction = "view") -> ReportAccess:
    """The report if the user may see it, else 404 (a guessed id shows nothing); 403 when
    they may see it but their role may not take ``action`` on it.

    Whether the report's state allows the move now is the services' to refuse, under the
    report's lock (``ReportAccess.actions`` tells the page what to show).
    """
    report = (
        Report.objects.select_related(
            "period",
            "task__section",
            "unit__jurisdiction",
            "assignment",
            "updated_by",
            "submitted_by",
        )
        .prefetch_related("unit__names")
        .filter(pk=report_id)
        .first()
    )
    if report is None:
        raise Http404
    own = report.unit_id in scope.unit_ids
    if not (
        own
        or scope.can_view_jurisdiction(report.unit.jurisdiction)
        or Report.objects.filter(_lead_units_q(scope), pk=report.pk).exists()
    ):
        raise Http404
    access = ReportAccess(
        report=report,
        can_edit=scope.can_edit_unit_work(report.unit),
        can_sign_off=scope.can_sign_off(report.unit),
        can_review=scope.can_review(report.unit),
    )
    if not access.role_allows(action):
        raise PermissionDenied(_report_refusal(action))
    return access


def evidence_for_user(*, scope: Scope, evidence_id: int) -> Attachment:
    """A live evidence file of a report the user may see, else 404."""
    evidence = live_attachment(attachment_id=evidence_id, owner_model=Report)
    report_for_user(scope=scope, report_id=evidence.object_id)
    return evidence


def cooperating_reports(*, report: Report):
    """For a lead unit's report: the cooperating units' reports of the same task and period."""
    if report.role != Assignment.Role.LEAD:
        return Report.objects.none()
    live_evidence = Attachment.objects.live()
    return (
        Report.objects.filter(
            task_id=report.task_id,
            period_id=report.period_id,
            role=Assignment.Role.COOPERATING,
            unit__jurisdiction_id=report.unit.jurisdiction_id,
        )
        .select_related("unit")
        .prefetch_related("unit__names", Prefetch("evidence", queryset=live_evidence))
        .order_by("unit__order", "unit_id")
    )


def periods_until(today: dt.date):
    return Period.objects.filter(opens_on__lte=today).order_by("-year", "-half")


def units_of(*, scope: Scope):
    return Unit.objects.filter(pk__in=scope.unit_ids, is_active=True).select_related("jurisdiction")


def pick_current(periods: list[Period], today: dt.date) -> tuple[Period | None, bool]:
    """DESIGN.md's current period from an ordered list: (period, listed reporting ended)."""
    started = [p for p in periods if p.opens_on <= today]
    if not started:
        return (periods[0] if periods else None), False
    period = started[-1]
    return period, period is periods[-1] and today > period.due_on


@dataclass
class UnitPage:
    periods: list[Period]
    period: Period | None
    current: Period | None
    list_ended: bool
    reports: list[Report]
    lead_due_on: dt.date | None
    cooperating_due_on: dt.date | None
    lead_days_left: int | None
    cooperating_days_left: int | None
    has_head: bool
    can_edit: bool
    can_sign_off: bool
    uncovered_year: int | None
    notices: list
    can_urge: bool

    def _with_state(self, *states):
        return [r for r in self.reports if r.state in states]

    @property
    def to_do(self):
        return self._with_state(Report.State.DRAFT, Report.State.RETURNED)

    @property
    def awaiting(self):
        return self._with_state(Report.State.AWAITING_SIGN_OFF)

    @property
    def done(self):
        return self._with_state(Report.State.SUBMITTED, Report.State.ACCEPTED)


def unit_page(*, unit: Unit, scope: Scope, period_code: str | None, today=None) -> UnitPage:
    """Everything the unit's page shows, in a fixed number of queries."""
    from reform.workdays.services import calendar

    today = today or timezone.localdate()
    periods = list(Period.objects.order_by("year", "half"))
    current, list_ended = pick_current(periods, today)
    period = next((p for p in periods if p.code == period_code), None) or current
    reports = []
    if period is not None:
        reports = list(
            Report.objects.filter(unit=unit, period=period)
            .select_related("task", "assignment")
            .order_by("task__jurisdiction_id", "task__number", "role")
        )
    for report in reports:
        report.missing = missing_for_submission(report) if report.is_editable_state else []
    roles = {r.role for r in reports}
    lead_due = period.due_on if period and Assignment.Role.LEAD in roles else None
    coop_due = (
        period.cooperating_due_on if period and Assignment.Role.COOPERATING in roles else None
    )
    cal = calendar(today, max(filter(None, [lead_due, coop_due, today])))
    days_left = lambda due: cal.workdays_between(today, due) if due else None  # noqa: E731
    uncovered = next(
        (d.year for d in (lead_due, coop_due) if d and not cal.is_covered(d.year)), None
    )
    return UnitPage(
        periods=periods,
        period=period,
        current=current,
        list_ended=list_ended,
        reports=reports,
        lead_due_on=lead_due,
        cooperating_due_on=coop_due,
        lead_days_left=days_left(lead_due),
        cooperating_days_left=days_left(coop_due),
        has_head=unit_has_head(unit.pk, today=today),
        can_edit=scope.can_edit_unit_work(unit),
        can_sign_off=scope.can_sign_off(unit),
        uncovered_year=uncovered,
        notices=open_notices(unit=unit),
        can_urge=scope.can_send_urging(unit),
    )


def indicators_of(report: Report):
    return list(report.task.indicators.order_by("code"))


@dataclass
class ReportPage:
    indicators: list
    indicator_values: list
    evidence: list
    cooperating: list
    history: list
    days_left: int | None
    missing: list[str]
    has_head: bool


def with_row(access: ReportAccess, row: Report) -> ReportAccess:
    """The access to a report, with the values of ``row``: the same report as a service
    just saved (or found changed) under its lock, so the page needs no second load."""
    for model_field in Report._meta.concrete_fields:
        # Setting a foreign key's id drops its cached object when the id changes.
        setattr(access.report, model_field.attname, getattr(row, model_field.attname))
    return access


def report_page(*, access: ReportAccess, today=None, indicators=None) -> ReportPage:
    """What the report page shows besides its form (the view builds the form)."""
    from reform.history.selectors import history_groups
    from reform.history.services import entries_for
    from reform.workdays.services import calendar

    today = today or timezone.localdate()
    report = access.report
    indicators = indicators_of(report) if indicators is None else indicators
    values = list(report.indicator_values.select_related("indicator"))
    days_left = None
    if not report.is_submitted and not report.period.is_closed:
        days_left = calendar(today, max(today, report.due_on)).workdays_between(
            today, report.due_on
        )
    return ReportPage(
        indicators=indicators,
        indicator_values=values,
        evidence=list(
            report.evidence.filter(removed_at__isnull=True).select_related("uploaded_by")
        ),
        cooperating=list(cooperating_reports(report=report)),
        history=history_groups(entries_for(report)),
        days_left=days_left,
        missing=missing_for_submission(report) if report.is_editable_state else [],
        has_head=unit_has_head(report.unit_id, today=today),
    )


# --- the office's review, closing and urging ---------------------------------------------------


def review_queue(*, scope: Scope):
    """Submitted reports of the units of the jurisdictions where the user is the office."""
    return (
        Report.objects.filter(
            state=Report.State.SUBMITTED, unit__jurisdiction__in=[j.pk for j in scope.office]
        )
        .select_related("task", "period", "unit__jurisdiction", "submitted_by")
        .prefetch_related("unit__names")
        .order_by("submitted_at", "id")
    )


def period_from(code: str | None, *, today: dt.date | None = None) -> Period:
    """The period with this code (2025H2), or the current one."""
    periods = list(Period.objects.order_by("year", "half"))
    chosen = next((p for p in periods if p.code == code), None)
    if chosen is None:
        chosen, _ended = pick_current(periods, today or timezone.localdate())
    if chosen is None:
        raise Http404
    return chosen


def not_submitted(*, unit: Unit, period: Period) -> list[Report]:
    return list(
        Report.objects.filter(unit=unit, period=period)
        .exclude(state__in=(Report.State.SUBMITTED, Report.State.ACCEPTED))
        .select_related("task")
        .order_by("task__number")
    )


def urging_notices_sent(*, scope: Scope):
    return (
        UrgingNotice.objects.filter(unit__jurisdiction__in=[j.pk for j in scope.office])
        .select_related("unit", "period", "sent_by", "acknowledged_by")
        .prefetch_related("reports__task")
    )


def urging_notice_for_user(*, scope: Scope, notice_id: int) -> UrgingNotice:
    notice = (
        UrgingNotice.objects.select_related(
            "unit__jurisdiction", "period", "sent_by", "acknowledged_by"
        )
        .prefetch_related("reports__task")
        .filter(pk=notice_id)
        .first()
    )
    if notice is None or not scope.can_view_unit(notice.unit):
        raise Http404
    return notice


def open_notices(*, unit: Unit):
    """Notices the unit has not acknowledged yet, for its page."""
    return list(
        UrgingNotice.objects.filter(unit=unit, acknowledged_at__isnull=True)
        .select_related("period")
        .order_by("reply_by")
    )
