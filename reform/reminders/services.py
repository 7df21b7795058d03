"""The daily reminder job: one function, called by the Celery task and ``send_reminders``.

Each reminder is written in its own transaction: first the dispatch row, whose unique key
is the claim (a second run, or one running at the same moment, fails on it and skips the
unit), then the outbox row, which the outbox's workers deliver with their retries. A job
killed between two units leaves the units before committed and the ones after untouched:
running it again finishes the batch without a repeat.
"""

import datetime as dt
import logging
from dataclasses import dataclass, field

from celery.exceptions import SoftTimeLimitExceeded
from django.db import IntegrityError, transaction
from django.utils import timezone

from reform.outbox.services import retry

from . import emails, selectors
from .models import ReminderDispatch, Step

logger = logging.getLogger(__name__)

ONCE_CONSTRAINTS = {"reminder_once_per_step", "reminder_digest_once_per_day"}


@dataclass
class RunResult:
    plan: selectors.ReminderPlan
    dry_run: bool = False
    sent: int = 0  # dispatch rows written with an email
    no_address: int = 0  # dispatch rows written without one: nobody to send to
    skipped: int = 0  # taken by another run meanwhile
    errors: int = 0
    dispatch_ids: list[int] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "today": self.plan.today.isoformat(),
            "is_workday": self.plan.is_workday,
            "planned": len(self.plan.reminders) + len(self.plan.digests),
            "sent": self.sent,
            "no_address": self.no_address,
            "skipped": self.skipped,
            "errors": self.errors,
        }


def send_reminders(*, today: dt.date | None = None, dry_run: bool = False) -> RunResult:
    """Write today's reminders and digests (or, with ``dry_run``, only say what they are).

    Runs on working days only; on a day off it plans nothing. Safe to run any number of
    times a day, and concurrently.
    """
    today = today or timezone.localdate()
    plan = selectors.plan_reminders(today=today)
    result = RunResult(plan=plan, dry_run=dry_run)
    if dry_run:
        return result
    for reminder in plan.reminders:
        _run_one(
            result,
            f"{reminder.unit} {reminder.period.code} {reminder.date_kind} {reminder.step}",
            lambda reminder=reminder: _dispatch_reminder(reminder, today=today),
        )
    for digest in plan.digests:
        _run_one(
            result,
            f"digest {digest.jurisdiction} {today}",
            lambda digest=digest: _dispatch_digest(digest, today=today),
        )
    if result.errors:
        logger.error("Reminders of %s: %s failed; see the errors above.", today, result.errors)
    return result


def _run_one(result: RunResult, label: str, dispatch) -> None:
    # One unit's trouble (a template error on odd data) must not stop the others' reminders.
    try:
        outcome = dispatch()
    except SoftTimeLimitExceeded:
        raise  # the task's time is up: stop here, the next run finishes the batch
    except Exception:
        logger.exception("Reminder not written: %s", label)
        result.errors += 1
        return
    if outcome is None:
        result.skipped += 1
        return
    result.dispatch_ids.append(outcome.pk)
    if outcome.message_id is None:
        result.no_address += 1
    else:
        result.sent += 1


def _claim(**key) -> ReminderDispatch | None:
    """Insert the dispatch row, or None when its key is taken (another run sent it).

    Inside a savepoint, so the caller's transaction survives the refused insert. A parallel
    run's uncommitted row makes this insert wait for that run's commit, then fail.
    """
    try:
        with transaction.atomic():
            return ReminderDispatch.objects.create(**key)
    except IntegrityError as error:
        constraint = getattr(getattr(error.__cause__, "diag", None), "constraint_name", None)
        if constraint in ONCE_CONSTRAINTS:
            return None
        raise


def _dispatch_reminder(
    reminder: selectors.UnitReminder, *, today: dt.date
) -> ReminderDispatch | None:
    with transaction.atomic():
        dispatch = _claim(
            step=reminder.step,
            jurisdiction_id=reminder.unit.jurisdiction_id,
            period=reminder.period,
            unit=reminder.unit,
            date_kind=reminder.date_kind,
            due_on=reminder.due_on,
            day=today,
            task_count=len(reminder.reports),
        )
        if dispatch is None:
            return None
        dispatch.message = emails.send_unit_reminder(reminder, today=today)
        if dispatch.message is not None:
            dispatch.save(update_fields=["message"])
    return dispatch


def _dispatch_digest(digest: selectors.Digest, *, today: dt.date) -> ReminderDispatch | None:
    with transaction.atomic():
        dispatch = _claim(
            step=Step.DIGEST,
            jurisdiction=digest.jurisdiction,
            day=today,
            task_count=sum(len(late.reports) for late in digest.late),
        )
        if dispatch is None:
            return None
        dispatch.message = emails.send_office_digest(digest, today=today)
        if dispatch.message is not None:
            dispatch.save(update_fields=["message"])
    return dispatch


def retry_failed(*, dispatches) -> int:
    """Put the failed emails of these dispatches back in the outbox's queue."""
    ids = [d.message_id for d in dispatches if d.message_id is not None]
    with transaction.atomic():
        return retry(ids)
