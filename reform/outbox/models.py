"""Outgoing email as rows: written with the change that causes it, sent by a worker.

This app knows nothing else of ours; the later apps call ``services.enqueue``.
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class OutboxMessage(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", pgettext_lazy("outbox", "pending")
        SENDING = "sending", pgettext_lazy("outbox", "sending")
        SENT = "sent", pgettext_lazy("outbox", "sent")
        FAILED = "failed", pgettext_lazy("outbox", "failed")

    kind = models.CharField(_("kind"), max_length=64, db_index=True)
    to = models.JSONField(_("recipients"), default=list)
    subject = models.TextField(_("subject"))
    body_text = models.TextField(_("plain-text body"))
    body_html = models.TextField(_("HTML body"), blank=True)
    message_id = models.CharField(_("Message-ID"), max_length=255, unique=True)
    reply_to = models.JSONField(_("reply to"), default=list, blank=True)
    status = models.CharField(
        pgettext_lazy("outbox", "status"),
        max_length=16,
        choices=Status.choices,
        default=Status.PENDING,
    )
    # Every claim counts as an attempt, so the number also serves as the row's version in
    # the conditional UPDATE that claims it (see services._claim).
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    # Start of the current run of failures; the give-up window counts from here, so a row
    # queued during a long outage of the broker still gets its full window of retries.
    failing_since = models.DateTimeField(_("failing since"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("outgoing email")
        verbose_name_plural = _("outgoing emails")
        ordering = ["-created_at", "-id"]
        indexes = [
            # The sweep's two questions: which pending rows are due, which claims are stale.
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status="pending"),
                name="outbox_pending_due_idx",
            ),
            models.Index(
                fields=["claimed_at"],
                condition=Q(status="sending"),
                name="outbox_sending_claimed_idx",
            ),
        ]

    def __str__(self):
        return f"{self.kind}: {self.subject}"


class DeliveryAttempt(models.Model):
    message = models.ForeignKey(
        OutboxMessage,
        on_delete=models.CASCADE,
        related_name="delivery_attempts",
        verbose_name=pgettext_lazy("outbox", "message"),
    )
    started_at = models.DateTimeField(_("started at"))
    # Empty while the attempt runs, or for ever when its worker died mid-send (until the
    # row is claimed again, which closes it with a note).
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    ok = models.BooleanField(_("delivered"), default=False)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")
        ordering = ["started_at", "id"]

    def __str__(self):
        return f"{self.started_at:%Y-%m-%d %H:%M:%S} {'ok' if self.ok else self.error[:60]}"
