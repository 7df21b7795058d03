"""Writes of the reports app: drafts for every assignment, saving, sign-off, evidence, measures.

Every function runs in a transaction and records history; views, Celery tasks and
management commands call these and nothing else to change reports.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from reform.attachments import services as attachment_services
from reform.attachments.models import Attachment
from reform.history.models import HistoryEntry, Note
from reform.history.services import record, snapshot, tracked_change
from reform.plan.models import Assignment, Indicator, Period
from reform.wording import join_list

from .models import IndicatorValue, Measure, Report, UrgingNotice
from .selectors import is_unit_head, missing_for_submission, unit_has_head

REPORT_FIELDS = ("status", "percent", "progress", "problems", "next_steps")
MEASURE_FIELDS = ("title", "due_on", "done_on")
# The history "field" of an evidence file added or removed (labelled by history.selectors).
EVIDENCE_FIELD = "evidence"


class ReportError(Exception):
    """A refused change, with a message for the user."""


class ReportConflict(ReportError):
    """Someone saved the report after this person opened it."""

    def __init__(self, current: Report):
        super().__init__(_("Someone else saved this report after you opened it."))
        self.current = current


class MeasureConflict(ReportError):
    def __init__(self, current: Measure):
        super().__init__(_("Someone else changed this measure after you opened it."))
        self.current = current


# --- drafts --------------------------------------------------------------------------------


def ensure_reports(
    *,
    periods: Iterable[Period] | None = None,
    assignments: Iterable[Assignment | int] | None = None,
) -> int:
    """Create the missing empty draft for every active assignment and period it applies to,
    and remove the untouched drafts no longer expected. Returns how many drafts it created.

    With no arguments it looks at every assignment and period: load_plan, seed_demo and the
    daily job (which so repairs whatever a change missed). ``periods`` narrows it to those
    periods' reports, ``assignments`` (objects or ids) to those assignments' reports; given
    both, to the reports of those assignments in those periods.

    Idempotent; the unique (assignment, period) constraint makes parallel calls safe.
    """
    periods = list(periods if periods is not None else Period.objects.all())
    chosen = Assignment.objects.filter(is_active=True)
    existing = Report.objects.filter(period__in=periods)
    assignment_ids = None
    if assignments is not None:
        assignment_ids = _pks(assignments)
        chosen = chosen.filter(pk__in=assignment_ids)
        existing = existing.filter(assignment_id__in=assignment_ids)
    if not periods or assignment_ids == set():
        return 0
    chosen = list(chosen.select_related("first_period", "last_period"))
    existing = set(existing.order_by().values_list("assignment_id", "period_id"))
    missing = [
        Report(
            assignment=a,
            period=p,
            unit_id=a.unit_id,
            task_id=a.task_id,
            role=a.role,
            due_on=p.due_on_for(a.role),
        )
        for p in periods
        for a in chosen
        if (a.pk, p.pk) not in existing and a.applies_to(p)
    ]
    if missing:
        Report.objects.bulk_create(missing, batch_size=2000, ignore_conflicts=True)
    _remove_drafts_no_longer_expected(periods, assignment_ids=assignment_ids)
    return len(missing)


def _pks(objects: Iterable) -> set[int]:
    """The ids of model instances or of ids."""
    return {getattr(o, "pk", o) for o in objects}


def _remove_drafts_no_longer_expected(
    periods: list[Period], *, assignment_ids: set[int] | None = None
) -> None:
    """An assignment closed (完成销号) or removed expects no report after its last period:
    its untouched drafts for those periods go. Anything someone wrote on is kept.
    ``assignment_ids`` narrows it to those assignments' drafts."""
    candidates = Report.objects.filter(period__in=periods, state=Report.State.DRAFT, version=1)
    if assignment_ids is not None:
        candidates = candidates.filter(assignment_id__in=assignment_ids)
    candidates = (
        candidates.filter(
            Q(assignment__is_active=False)
            | Q(assignment__last_period__isnull=False)
            | Q(assignment__first_period__isnull=False)
        )
        .exclude(evidence__isnull=False)
        .exclude(urging_notices__isnull=False)
        .select_related("period", "assignment__first_period", "assignment__last_period")
    )
    stale = [r.pk for r in candidates if not r.assignment.applies_to(r.period)]
    if stale:
        Report.objects.filter(pk__in=stale).delete()


def ensure_reports_on_change(
    *,
    assignments: Iterable[Assignment | int] | None = None,
    periods: Iterable[Period | int] | None = None,
    **kwargs,
) -> None:
    """Receiver of plan's ``assignments_or_periods_changed``, in the change's transaction.

    Works on the reports the change concerns only: every period's reports of the
    ``assignments`` that changed, and every assignment's reports for the ``periods`` that
    changed. A sender that names neither (load_plan, which may change anything) has every
    report looked at; the daily job repairs whatever a change missed.
    """
    if assignments is None and periods is None:
        ensure_reports()
        return
    if assignments is not None:
        ensure_reports(assignments=assignments)
    if periods is not None:
        periods = list(periods)
        if any(not isinstance(p, Period) for p in periods):
            periods = list(Period.objects.filter(pk__in=_pks(periods)))
        ensure_reports(periods=periods)


# --- the unit's work on a report --------------------------------------------------------------


def _check_editable(report: Report) -> None:
    if report.period.is_closed:
        raise ReportError(
            _("The period %(period)s is closed; its reports can no longer be changed.")
            % {"period": report.period.label}
        )
    if not report.is_editable_state:
        raise ReportError(
            _("This report has been submitted and is read-only until the office returns it.")
        )


def _check_may_change(report: Report, actor) -> None:
    """While a report awaits sign-off only the head changes it (Report.content_editable_by)."""
    if not report.content_editable_by(is_head=is_unit_head(actor, report.unit_id)):
        raise ReportError(
            _(
                "This report is with the unit head for sign-off. Withdraw it first if it "
                "needs changing."
            )
        )


def _report_change(
    report: Report,
    *,
    actor,
    fields: tuple[str, ...] = (),
    note: str = "",
    action: str = HistoryEntry.Action.UPDATE,
    versioned: bool = True,
):
    """A tracked change of ``report`` (history.services.tracked_change): a real change makes
    a new version, unless not ``versioned`` (evidence, which no open form holds). Its
    period's row is locked with it, so that closing the period waits for the saves in it."""
    return tracked_change(
        report,
        fields=fields,
        actor=actor,
        action=action,
        note=note,
        select_related=("period",),
        lock_of=None,
        version_field="version" if versioned else None,
    )


@dataclass
class ReportChanges:
    status: str
    percent: int | None
    progress: str
    problems: str
    next_steps: str
    indicator_values: dict[int, object]  # indicator id -> Decimal or None


def report_save(*, report: Report, actor, changes: ReportChanges, base_version: int) -> Report:
    """Save the unit's text and figures, refusing a save based on an older version. Saving
    the form unchanged is no change: no new version, no history row."""
    with _report_change(report, actor=actor, fields=REPORT_FIELDS) as change:
        current = change.row
        _check_editable(current)
        _check_may_change(current, actor)
        if current.version != base_version:
            raise ReportConflict(current)
        for name in REPORT_FIELDS:
            setattr(current, name, getattr(changes, name))
        current.updated_by = actor
        _save_indicator_values(change, changes.indicator_values)
    return current


def _save_indicator_values(change, new_values) -> None:
    """Write the indicator values that differ, counted into the report's change (history
    under the indicator's name; a new version even when only a value changed)."""
    report = change.row
    old_values = {v.indicator_id: v for v in report.indicator_values.all()}
    indicators = {i.pk: i for i in Indicator.objects.filter(pk__in=new_values)}
    for indicator_id, value in new_values.items():
        old = old_values.get(indicator_id)
        old_text = "" if old is None else str(old.value)
        new_text = "" if value is None else str(value)
        if old_text == new_text:
            continue
        if value is None:
            old.delete()
        elif old is None:
            IndicatorValue.objects.create(report=report, indicator_id=indicator_id, value=value)
        else:
            old.value = value
            old.save(update_fields=["value"])
        change.also(indicators[indicator_id].name, before=old_text, after=new_text)


def _check_complete(report: Report) -> None:
    missing = missing_for_submission(report)
    if missing:
        raise ReportError(
            _("Please fill in before sending: %(fields)s.") % {"fields": join_list(missing)}
        )


def _submit(report: Report, actor, now) -> None:
    report.state = Report.State.SUBMITTED
    report.submitted_at = now
    report.submitted_by = actor
    if report.first_submitted_at is None:
        report.first_submitted_at = now
        # Late: first submitted after the unit's own date (三（一）: before June 25 / Dec 25).
        report.is_late = timezone.localdate(now) > report.due_on


def _move(
    *,
    report: Report,
    actor,
    base_version: int,
    move,
    note: str = "",
    fields: tuple[str, ...] = ("state",),
    complete: bool = True,
) -> Report:
    """Lock an editable report at ``base_version`` (complete, unless ``complete`` is false),
    apply ``move`` to its state, and record the change of ``fields``."""
    with _report_change(report, actor=actor, fields=fields, note=note) as change:
        current = change.row
        _check_editable(current)
        if current.version != base_version:
            raise ReportConflict(current)
        if complete:
            _check_complete(current)
        move(current, timezone.now())
        current.updated_by = actor
    return current


def report_send_for_sign_off(*, report: Report, actor, base_version: int) -> Report:
    """Staff send the report to their head; a unit without a head submits directly."""

    def move(current: Report, now) -> None:
        if current.state == Report.State.AWAITING_SIGN_OFF:
            raise ReportError(_("This report is already with the unit head for sign-off."))
        current.sign_off_comment = ""
        if unit_has_head(current.unit_id):
            current.state = Report.State.AWAITING_SIGN_OFF
            current.sent_for_sign_off_at = now
        else:
            _submit(current, actor, now)

    return _move(report=report, actor=actor, base_version=base_version, move=move)


def report_sign_off(*, report: Report, actor, base_version: int) -> Report:
    """The unit head signs the report off, which submits it to the office."""
    return _move(
        report=report,
        actor=actor,
        base_version=base_version,
        move=lambda current, now: _submit(current, actor, now),
        note=Note.SIGNED_OFF,
    )


def _back_to_unit(*, report: Report, actor, base_version: int, note: str, comment: str = ""):
    """Take a report awaiting sign-off back to the state it came from (draft, or returned
    with the office's comment kept), recording who did it."""

    def move(current: Report, now) -> None:
        if current.state != Report.State.AWAITING_SIGN_OFF:
            raise ReportError(
                _("Only a report awaiting sign-off can be taken back; this one is %(state)s.")
                % {"state": current.get_state_display()}
            )
        current.state = current.state_before_sign_off
        current.sign_off_comment = comment
        current.sent_for_sign_off_at = None

    return _move(
        report=report,
        actor=actor,
        base_version=base_version,
        move=move,
        note=note,
        fields=("state", "sign_off_comment"),
        complete=False,
    )


def report_withdraw(*, report: Report, actor, base_version: int) -> Report:
    """Staff take back a report they sent to the head, to change it before sign-off."""
    return _back_to_unit(report=report, actor=actor, base_version=base_version, note=Note.WITHDRAWN)


def report_send_back(*, report: Report, actor, base_version: int, comment: str) -> Report:
    """The head sends a report back to staff with a comment, instead of signing it off;
    staff are told by email (through the outbox, in the same transaction)."""
    from .emails import send_sign_off_return_notice

    comment = comment.strip()
    if not comment:
        raise ReportError(_("Please write what staff should change; they will read it."))
    with transaction.atomic():
        current = _back_to_unit(
            report=report,
            actor=actor,
            base_version=base_version,
            note=Note.SENT_BACK,
            comment=comment,
        )
        send_sign_off_return_notice(current, head=actor)
    return current


# --- evidence --------------------------------------------------------------------------------


def evidence_add(*, report: Report, actor, upload, kind: str) -> Attachment:
    """Store an uploaded file whose type the caller has checked from its content.

    The size and the content are checked again here, so no caller can store a file the
    evidence rules refuse; ``kind`` must be what ``filetypes.identify`` found.
    """
    try:
        name = attachment_services.checked_name(upload, kind)
    except attachment_services.AttachmentRefused as refused:
        raise ReportError(str(refused)) from None
    evidence = None
    try:
        with _report_change(
            report, actor=actor, action=HistoryEntry.Action.CREATE, versioned=False
        ) as change:
            current = change.row
            _check_editable(current)
            _check_may_change(current, actor)
            evidence = attachment_services.store(
                owner=current, actor=actor, upload=upload, kind=kind, name=name
            )
            change.also(EVIDENCE_FIELD, after=evidence.original_name)
    except BaseException:
        # Nothing half-saved: no file on disk without its row.
        if evidence is not None:
            evidence.file.delete(save=False)
        raise
    return evidence


def evidence_remove(*, evidence: Attachment, actor) -> None:
    """Hide a file from the report (soft: the row and the stored file stay for the record)."""
    with _report_change(
        evidence.owner, actor=actor, note=Note.EVIDENCE_REMOVED, versioned=False
    ) as change:
        current = change.row
        _check_editable(current)
        _check_may_change(current, actor)
        if not attachment_services.remove(evidence, owner=current):
            # Removed by someone else a moment ago: nothing left to do, no second entry.
            return
        change.also(EVIDENCE_FIELD, before=evidence.original_name)


# --- timetable and roadmap ---------------------------------------------------------------------


def measure_problems(
    *, title: str, due_on: dt.date | None, done_on: dt.date | None, today: dt.date | None = None
) -> dict[str, str]:
    """What keeps a measure from being saved, by field name; empty when it may be saved.

    The form shows these beside its fields and the services below refuse the same values, so
    a caller that skips the form cannot save them either.
    """
    # The reform began in 2021 (the plan was issued 2021-07-08). A due date after 2030 is
    # almost surely a slip of the keyboard, and would stretch the timeline across decades.
    first, last = dt.date(2021, 1, 1), dt.date(2030, 12, 31)
    today = today or timezone.localdate()
    limit = Measure._meta.get_field("title").max_length
    problems = {}
    if not title.strip():
        problems["title"] = _("Enter what the measure is.")
    elif len(title) > limit:
        problems["title"] = _(
            "A measure may be at most %(limit)d characters long (this one has %(length)d)."
        ) % {"limit": limit, "length": len(title)}
    if due_on is None:
        problems["due_on"] = _("Enter the due date.")
    elif not first <= due_on <= last:
        problems["due_on"] = _("The due date must lie between %(first)s and %(last)s.") % {
            "first": first.isoformat(),
            "last": last.isoformat(),
        }
    if done_on is not None and done_on > today:
        problems["done_on"] = _("The done date cannot be in the future (today is %(today)s).") % {
            "today": today.isoformat()
        }
    elif done_on is not None and done_on < first:
        problems["done_on"] = _("The done date cannot be before %(first)s.") % {
            "first": first.isoformat()
        }
    return problems


def measure_title(text: str) -> str:
    """A title on one line: pasted line breaks and runs of spaces become one space."""
    return " ".join(text.split())


def _measure_refuse_problems(**values) -> None:
    problems = measure_problems(**values)
    if problems:
        raise ReportError(" ".join(problems.values()))


def measure_add(
    *, assignment: Assignment, actor, title: str, due_on: dt.date, done_on: dt.date | None = None
) -> Measure:
    title = measure_title(title)
    _measure_refuse_problems(title=title, due_on=due_on, done_on=done_on)
    if not assignment.is_active:
        raise ReportError(_("This assignment has been removed; its measures can no longer change."))
    with transaction.atomic():
        measure = Measure.objects.create(
            assignment=assignment, title=title, due_on=due_on, done_on=done_on, created_by=actor
        )
        record(
            obj=measure,
            actor=actor,
            action=HistoryEntry.Action.CREATE,
            after=snapshot(measure, MEASURE_FIELDS),
        )
    return measure


def _measure_change(measure: Measure, *, actor, note: str = ""):
    # Lock only the measure's row, not the assignment joined for the is_active check.
    return tracked_change(
        measure,
        fields=MEASURE_FIELDS,
        actor=actor,
        note=note,
        select_related=("assignment",),
        version_field="version",
    )


def _check_measure(current: Measure, base_version: int) -> None:
    if current.version != base_version:
        raise MeasureConflict(current)
    if not current.assignment.is_active:
        raise ReportError(_("This assignment has been removed; its measures can no longer change."))


def measure_update(
    *, measure: Measure, actor, base_version: int, title: str, due_on: dt.date, done_on
) -> Measure:
    """Save an edit, refusing one that starts from an older version (MeasureConflict)."""
    title = measure_title(title)
    _measure_refuse_problems(title=title, due_on=due_on, done_on=done_on)
    # Saving the form unchanged is not a change: no new version, no history row.
    with _measure_change(measure, actor=actor) as change:
        current = change.row
        _check_measure(current, base_version)
        current.title, current.due_on, current.done_on = title, due_on, done_on
    return current


def measure_complete(
    *, measure: Measure, actor, base_version: int, today: dt.date | None = None
) -> Measure:
    """Mark a measure done today (Asia/Shanghai), refusing a stale request like an edit."""
    today = today or timezone.localdate()
    with _measure_change(measure, actor=actor, note=Note.MARKED_DONE) as change:
        current = change.row
        _check_measure(current, base_version)
        if current.done_on is not None:
            raise ReportError(_("This measure is already marked done."))
        current.done_on = today
    return current


# --- review by the office ---------------------------------------------------------------------


def _review(*, report: Report, actor, state: str, comment: str, note: str) -> Report:
    with _report_change(
        report, actor=actor, fields=("state", "review_comment"), note=note
    ) as change:
        current = change.row
        if current.state != Report.State.SUBMITTED:
            raise ReportError(
                _("Only a submitted report can be reviewed; this one is %(state)s.")
                % {"state": current.get_state_display()}
            )
        current.state = state
        current.review_comment = comment
        current.reviewed_at = timezone.now()
        current.reviewed_by = actor
    return current


def report_accept(*, report: Report, actor) -> Report:
    """The office of the unit's jurisdiction accepts a submitted report."""
    return _review(
        report=report,
        actor=actor,
        state=Report.State.ACCEPTED,
        comment="",
        note=Note.ACCEPTED,
    )


def report_return(*, report: Report, actor, comment: str) -> Report:
    """The office returns a submitted report with a comment; the unit is told by email.

    The unit may edit it again and resubmit (returned → awaiting sign-off → submitted).
    """
    from .emails import send_return_notice

    comment = comment.strip()
    if not comment:
        raise ReportError(_("Please write why the report is returned; the unit will read it."))
    with transaction.atomic():
        current = _review(
            report=report,
            actor=actor,
            state=Report.State.RETURNED,
            comment=comment,
            note=Note.RETURNED,
        )
        send_return_notice(current)  # an outbox row in the same transaction
    return current


# --- urging notices (催办) ----------------------------------------------------------------------


def urging_send(
    *, unit, period: Period, reports: list[Report], message: str, reply_by: dt.date, actor
) -> UrgingNotice:
    """A formal notice to a late unit about named reports, sent through the outbox."""
    from .emails import send_urging_notice

    reports = [r for r in reports if r.unit_id == unit.pk and r.period_id == period.pk]
    if not reports:
        raise ReportError(_("Choose at least one of the unit's reports."))
    if not message.strip():
        raise ReportError(_("Please write the notice."))
    if reply_by < timezone.localdate():
        raise ReportError(_("The reply-by date cannot be in the past."))
    with transaction.atomic():
        notice = UrgingNotice.objects.create(
            unit=unit, period=period, message=message.strip(), reply_by=reply_by, sent_by=actor
        )
        notice.reports.set(reports)
        send_urging_notice(notice)
        record(
            obj=notice,
            actor=actor,
            action=HistoryEntry.Action.CREATE,
            after={"message": notice.message, "reply_by": str(reply_by)},
        )
    return notice


def urging_acknowledge(*, notice: UrgingNotice, actor, answer: str = "") -> UrgingNotice:
    """The unit acknowledges a notice, optionally answering; a later answer replaces it."""
    with tracked_change(
        notice,
        fields=("acknowledged_at", "answer"),
        actor=actor,
        note=Note.ACKNOWLEDGED,
    ) as change:
        current = change.row
        if current.acknowledged_at is None:
            current.acknowledged_at = timezone.now()
            current.acknowledged_by = actor
        current.answer = answer.strip()
    return current
