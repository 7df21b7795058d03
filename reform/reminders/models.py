"""The dispatch table: one row per reminder sent, keyed so that each is sent at most once.

A unit's reminder is keyed by (period, unit, the unit's date — lead or cooperating —, step);
an office's digest by (jurisdiction, day). Both keys are unique constraints, so a second run
of the daily job, or two at once, cannot add a second row (DESIGN.md, "Reminders"). Each row
points at the outbox row written in the same transaction, which carries the delivery state.
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from reform.org.models import Jurisdiction, Unit
from reform.outbox.models import OutboxMessage
from reform.plan.models import Assignment, Period


class Step(models.TextChoices):
    """Where a reminder stands against the unit's date, least urgent first."""

    BEFORE_14 = "d-14", pgettext_lazy("reminders", "14 working days before")
    BEFORE_7 = "d-7", pgettext_lazy("reminders", "7 working days before")
    BEFORE_3 = "d-3", pgettext_lazy("reminders", "3 working days before")
    BEFORE_1 = "d-1", pgettext_lazy("reminders", "1 working day before")
    ON_DATE = "d0", pgettext_lazy("reminders", "on the date")
    OVERDUE_1 = "d+1", pgettext_lazy("reminders", "overdue: working day +1")
    OVERDUE_7 = "d+7", pgettext_lazy("reminders", "overdue: working day +7, office copied")
    DIGEST = "digest", pgettext_lazy("reminders", "office digest of late units")


class ReminderDispatch(models.Model):
    step = models.CharField(pgettext_lazy("reminders", "step"), max_length=8, choices=Step.choices)
    # The unit's jurisdiction, or the digest's: the reminder log filters on it.
    jurisdiction = models.ForeignKey(
        Jurisdiction, on_delete=models.PROTECT, related_name="+", verbose_name=_("jurisdiction")
    )
    # Empty for a digest.
    period = models.ForeignKey(
        Period,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("period"),
    )
    unit = models.ForeignKey(
        Unit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reminder_dispatches",
        verbose_name=_("unit"),
    )
    date_kind = models.CharField(
        _("role"), max_length=12, choices=Assignment.Role.choices, blank=True
    )
    due_on = models.DateField(_("due on"), null=True, blank=True)
    day = models.DateField(_("working day"))
    task_count = models.PositiveIntegerField(_("tasks"), default=0)
    # Empty when nobody had an address to send to: the log shows it, so the office can add
    # a contact. PROTECT: the outbox row is the only record of what was sent.
    message = models.OneToOneField(
        OutboxMessage,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reminder_dispatch",
        verbose_name=_("email"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = pgettext_lazy("reminders", "reminder")
        verbose_name_plural = pgettext_lazy("reminders", "reminders")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["period", "unit", "date_kind", "step"],
                condition=~Q(step="digest"),
                name="reminder_once_per_step",
            ),
            models.UniqueConstraint(
                fields=["jurisdiction", "day"],
                condition=Q(step="digest"),
                name="reminder_digest_once_per_day",
            ),
            models.CheckConstraint(
                condition=(
                    Q(step="digest", period__isnull=True, unit__isnull=True, date_kind="")
                    | (
                        ~Q(step="digest")
                        & Q(period__isnull=False, unit__isnull=False, due_on__isnull=False)
                        & Q(date_kind__in=["lead", "cooperating"])
                    )
                ),
                name="reminder_unit_step_or_digest",
            ),
        ]
        indexes = [models.Index(fields=["jurisdiction", "created_at"])]

    def __str__(self):
        who = self.unit if self.unit_id else self.jurisdiction
        return f"{self.day} · {who} · {self.get_step_display()}"

    @property
    def is_digest(self) -> bool:
        return self.step == Step.DIGEST
