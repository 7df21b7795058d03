"""Writing outgoing email rows and sending them.

``enqueue`` runs inside the caller's transaction, so an email exists exactly when the
change that causes it was committed. ``send_due`` (every minute from Celery beat, and from
``manage.py send_outbox``) sends what is due. Retries are driven by ``next_attempt_at`` in
the database, not by Celery countdowns: a day-long outage needs no far-future task on Redis,
and nothing is lost while Redis or the mail server is down.
"""

import datetime as dt
import logging
import smtplib
import time
import uuid
from collections import Counter
from collections.abc import Iterable
from email.utils import parseaddr

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from .models import DeliveryAttempt, OutboxMessage

logger = logging.getLogger(__name__)

Status = OutboxMessage.Status

# Wait after the n-th failed attempt (minutes), then hourly. A short outage is bridged within
# minutes; a long one costs a connection attempt an hour until the give-up window ends.
BACKOFF_MINUTES = (1, 2, 5, 10, 20, 40)
BACKOFF_THEN = dt.timedelta(hours=1)

# Defaults of the OUTBOX_* settings.
GIVE_UP_AFTER = dt.timedelta(hours=26)  # DESIGN: retried for at least 24 hours
# A row "sending" for longer than this was claimed by a worker that died mid-batch. Far
# above one SMTP conversation (EMAIL_TIMEOUT is 30 s a socket operation).
CLAIM_TIMEOUT = dt.timedelta(minutes=10)
# A sweep stops taking new rows after this long, well inside CELERY_TASK_SOFT_TIME_LIMIT;
# what it leaves stays pending for the next sweep a minute later.
BATCH_SECONDS = 4 * 60

ERROR_MAX_CHARS = 2000
ABANDONED = "abandoned: the worker stopped before finishing this attempt"


def _duration(name: str, default: dt.timedelta) -> dt.timedelta:
    """A setting given as a timedelta or as a number of seconds."""
    value = getattr(settings, name, default)
    if isinstance(value, dt.timedelta):
        return value
    return dt.timedelta(seconds=value)


def backoff(failed_attempts: int) -> dt.timedelta:
    """How long to wait after the ``failed_attempts``-th failure in a row."""
    if 1 <= failed_attempts <= len(BACKOFF_MINUTES):
        return dt.timedelta(minutes=BACKOFF_MINUTES[failed_attempts - 1])
    return BACKOFF_THEN


# --- writing -------------------------------------------------------------------------------


def _clean_addresses(addresses: Iterable[str] | None) -> list[str]:
    """Stripped, without blanks, without repeats (compared case-insensitively), in order."""
    if isinstance(addresses, str):
        addresses = [addresses]  # one address passed bare, not spelled out letter by letter
    seen = set()
    result = []
    for address in addresses or ():
        address = (address or "").strip()
        if address and address.lower() not in seen:
            seen.add(address.lower())
            result.append(address)
    return result


def _new_message_id() -> str:
    domain = getattr(settings, "OUTBOX_MESSAGE_ID_DOMAIN", "")
    if not domain:
        domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "localhost"
    return f"<{uuid.uuid4().hex}@{domain}>"


def enqueue(
    *,
    kind: str,
    to: Iterable[str],
    subject: str,
    body_text: str,
    body_html: str = "",
    message_id: str | None = None,
    reply_to: Iterable[str] | None = None,
) -> OutboxMessage | None:
    """Write one outgoing email; it is sent after the caller's transaction commits.

    Call inside the ``transaction.atomic()`` that makes the change the email is about, so
    both are committed or neither. No recipients: writes nothing, returns None. A
    ``message_id`` given twice breaks the unique constraint (the caller's idempotency
    guard); a generated one is ``<uuid@domain of DEFAULT_FROM_EMAIL>``.
    """
    recipients = _clean_addresses(to)
    if not recipients:
        return None
    if message_id:
        message_id = message_id.strip()
        if not message_id.startswith("<"):
            message_id = f"<{message_id}>"
    message = OutboxMessage.objects.create(
        kind=kind,
        to=recipients,
        # A line break in a header would make every attempt fail (BadHeaderError).
        subject=" ".join(subject.split()),
        body_text=body_text,
        body_html=body_html or "",
        message_id=message_id or _new_message_id(),
        reply_to=_clean_addresses(reply_to),
        status=Status.PENDING,
        next_attempt_at=timezone.now(),
    )
    transaction.on_commit(lambda: _kick(message.pk), robust=True)
    return message


def _kick(message_id: int) -> None:
    """Ask a worker to send the row now. Best effort: the every-minute sweep is the guarantee.

    Never raises into the request: with Redis down, publishing fails (the row waits for the
    sweep); with CELERY_TASK_ALWAYS_EAGER (make run) the send runs right here, and whatever
    goes wrong in it is recorded on the row, not shown to the user.
    """
    from .tasks import send_message

    try:
        # A short publish retry: a user should not wait on a dead broker.
        send_message.apply_async(
            (message_id,),
            retry=True,
            retry_policy={"max_retries": 1, "interval_start": 0.2, "interval_step": 0.2},
        )
    except Exception:
        logger.warning(
            "Outbox message %s not handed to a worker; the periodic sweep will send it.",
            message_id,
            exc_info=True,
        )


def retry(message_ids: Iterable[int]) -> int:
    """Put failed rows back to pending, with a fresh give-up window. Returns how many."""
    now = timezone.now()
    ids = list(
        OutboxMessage.objects.filter(id__in=list(message_ids), status=Status.FAILED).values_list(
            "id", flat=True
        )
    )
    count = OutboxMessage.objects.filter(id__in=ids, status=Status.FAILED).update(
        status=Status.PENDING, next_attempt_at=now, claimed_at=None, failing_since=None
    )
    for message_id in ids:
        transaction.on_commit(lambda message_id=message_id: _kick(message_id), robust=True)
    return count


# --- sending -------------------------------------------------------------------------------


def _due(now: dt.datetime) -> Q:
    stale = now - _duration("OUTBOX_CLAIM_TIMEOUT", CLAIM_TIMEOUT)
    return Q(status=Status.PENDING, next_attempt_at__lte=now) | Q(
        status=Status.SENDING, claimed_at__lt=stale
    )


def send_due(*, now: dt.datetime | None = None, limit: int = 100) -> dict[str, int]:
    """Send the rows that are due; returns counts: sent, retrying, failed, skipped.

    Rows pending and due, and rows left "sending" by a worker that died (claim older than
    OUTBOX_CLAIM_TIMEOUT). Each row is claimed, sent and recorded on its own; two sweeps
    running at once never send the same row twice ("skipped" counts rows the other took).
    Batches of ``limit`` follow one another until nothing is due or the sweep's time is up,
    over one SMTP connection (a backlog after an outage drains in one sweep).
    """
    counts = Counter(sent=0, retrying=0, failed=0, skipped=0)
    deadline = time.monotonic() + getattr(settings, "OUTBOX_BATCH_SECONDS", BATCH_SECONDS)
    seen: set[int] = set()
    with _Connection() as connection:
        while time.monotonic() < deadline:
            rows = list(
                OutboxMessage.objects.filter(_due(now or timezone.now()))
                .exclude(id__in=seen)
                .order_by("next_attempt_at", "id")
                .values_list("id", "status", "attempts")[:limit]
            )
            if not rows:
                break
            for row in rows:
                if time.monotonic() > deadline:
                    break  # the rest stays due for the next sweep
                seen.add(row[0])
                counts[_process(*row, now=now, connection=connection)] += 1
    return dict(counts)


class _Connection:
    """One mail connection for a sweep, reopened after a failure (the server may have
    dropped it); closed at the end."""

    def __init__(self):
        self._backend = None

    def __enter__(self):
        return self

    def get(self):
        if self._backend is None:
            self._backend = get_connection(fail_silently=False)
            self._backend.open()
        return self._backend

    def reset(self):
        if self._backend is not None:
            try:
                self._backend.close()
            except Exception:  # a broken connection may fail to close; it is dropped anyway
                pass
            self._backend = None

    def __exit__(self, *exc_info):
        self.reset()


def send_one(message_id: int, *, now: dt.datetime | None = None) -> str:
    """Send one row if it is due (the kick after enqueue). Returns what happened."""
    row = (
        OutboxMessage.objects.filter(_due(now or timezone.now()), id=message_id)
        .values_list("id", "status", "attempts")
        .first()
    )
    if row is None:
        return "not due"  # sent already, taken by a sweep, or waiting for its next attempt
    with _Connection() as connection:
        return _process(*row, now=now, connection=connection)


def _process(
    message_id: int, status: str, attempts: int, *, now: dt.datetime | None, connection
) -> str:
    claimed = _claim(message_id, status, attempts, now=now or timezone.now())
    if claimed is None:
        return "skipped"
    message, attempt = claimed
    try:
        _deliver(message, connection.get())
    except SoftTimeLimitExceeded:
        _record_failure(message, attempt, "interrupted by the task's time limit", now=now)
        raise
    except Exception as exc:
        connection.reset()
        logger.warning("Outbox message %s (%s) not sent: %s", message.pk, message.kind, exc)
        return _record_failure(message, attempt, _describe(exc), now=now)
    _record_success(message, attempt, now=now)
    return "sent"


def _claim(
    message_id: int, status: str, attempts: int, *, now: dt.datetime
) -> tuple[OutboxMessage, DeliveryAttempt] | None:
    """Take the row for this worker, or None when another got there first.

    The UPDATE only matches the row as it was read (status and attempts, which every claim
    increments), so of two workers that read the same row exactly one wins.
    """
    with transaction.atomic():
        won = OutboxMessage.objects.filter(id=message_id, status=status, attempts=attempts).update(
            status=Status.SENDING, claimed_at=now, attempts=F("attempts") + 1
        )
        if won != 1:
            return None
        # A previous claim that expired: its worker died, perhaps after the mail server
        # took the message. The repeat carries the same Message-ID, so clients fold it.
        DeliveryAttempt.objects.filter(message_id=message_id, finished_at=None).update(
            finished_at=now, error=ABANDONED
        )
        attempt = DeliveryAttempt.objects.create(message_id=message_id, started_at=now)
        message = OutboxMessage.objects.get(id=message_id)
    return message, attempt


def _deliver(message: OutboxMessage, connection) -> None:
    """Hand the message to the mail server (or whatever EMAIL_BACKEND does), outside any
    transaction."""
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=message.to,
        reply_to=message.reply_to or None,
        headers={"Message-ID": message.message_id},
        connection=connection,
    )
    if message.body_html:
        email.attach_alternative(message.body_html, "text/html")
    email.send(fail_silently=False)


def _describe(exc: Exception) -> str:
    if isinstance(exc, smtplib.SMTPResponseException):
        reply = exc.smtp_error
        if isinstance(reply, bytes):
            reply = reply.decode("utf-8", errors="replace")
        text = f"{type(exc).__name__}: {exc.smtp_code} {reply}"
    elif isinstance(exc, smtplib.SMTPRecipientsRefused):
        refused = ", ".join(
            f"{address}: {code} {reply.decode('utf-8', errors='replace')}"
            for address, (code, reply) in exc.recipients.items()
        )
        text = f"{type(exc).__name__}: {refused}"
    else:
        text = f"{type(exc).__name__}: {exc}"
    return text[:ERROR_MAX_CHARS]


def _record_success(
    message: OutboxMessage, attempt: DeliveryAttempt, *, now: dt.datetime | None
) -> None:
    done = now or timezone.now()
    with transaction.atomic():
        DeliveryAttempt.objects.filter(id=attempt.pk).update(finished_at=done, ok=True, error="")
        # Not conditional on our claim: the mail server has the message, whatever else
        # happened to the row meanwhile, and "sent" is the truth.
        OutboxMessage.objects.filter(id=message.pk).exclude(status=Status.SENT).update(
            status=Status.SENT,
            sent_at=done,
            claimed_at=None,
            next_attempt_at=None,
            failing_since=None,
            last_error="",
        )


def _record_failure(
    message: OutboxMessage, attempt: DeliveryAttempt, error: str, *, now: dt.datetime | None
) -> str:
    done = now or timezone.now()
    failing_since = message.failing_since or attempt.started_at
    give_up = done - failing_since >= _duration("OUTBOX_GIVE_UP_AFTER", GIVE_UP_AFTER)
    changes = {
        "claimed_at": None,
        "last_error": error,
        "failing_since": failing_since,
    }
    if give_up:
        changes.update(status=Status.FAILED, next_attempt_at=None)
    else:
        changes.update(
            status=Status.PENDING,
            next_attempt_at=done + backoff(_failures_in_a_row(message)),
        )
    with transaction.atomic():
        DeliveryAttempt.objects.filter(id=attempt.pk).update(
            finished_at=done, ok=False, error=error
        )
        # Conditional on our claim: if it expired and another worker took the row, the row
        # is theirs to record.
        still_ours = OutboxMessage.objects.filter(
            id=message.pk, status=Status.SENDING, attempts=message.attempts
        ).update(**changes)
    if not still_ours:
        return "skipped"
    if give_up:
        logger.error(
            "Outbox message %s (%s) to %s given up after %s attempts: %s",
            message.pk,
            message.kind,
            ", ".join(message.to),
            message.attempts,
            error,
        )
        return "failed"
    return "retrying"


def _failures_in_a_row(message: OutboxMessage) -> int:
    """Failed attempts since the last success or manual retry, this one included."""
    if message.failing_since is None:
        return 1
    return DeliveryAttempt.objects.filter(
        message_id=message.pk, started_at__gte=message.failing_since
    ).count()
