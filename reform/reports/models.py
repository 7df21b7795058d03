import datetime as dt
import uuid

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from reform.org.models import Unit
from reform.plan.models import Assignment, Indicator, Period, Task

# Limits an official would find generous: a long report runs to a few pages.
TEXT_LIMIT = 5000


class Report(models.Model):
    """The semi-annual progress report of one assignment for one period.

    Created as an empty draft by ``services.ensure_reports`` so "missing" always means
    "not submitted". ``version`` grows with every save: a save that starts from an older
    version is refused, so two people never silently overwrite each other.
    """

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", _("not started")
        ON_TRACK = "on_track", _("on track")
        LAGGING = "lagging", _("lagging")
        COMPLETED = "completed", _("completed")

    class State(models.TextChoices):
        DRAFT = "draft", _("draft")
        AWAITING_SIGN_OFF = "awaiting", _("awaiting sign-off")
        SUBMITTED = "submitted", _("submitted")
        ACCEPTED = "accepted", _("accepted")
        RETURNED = "returned", _("returned")

    assignment = models.ForeignKey(
        Assignment, on_delete=models.PROTECT, related_name="reports", verbose_name=_("assignment")
    )
    period = models.ForeignKey(
        Period, on_delete=models.PROTECT, related_name="reports", verbose_name=_("period")
    )
    # Copied from the assignment: pages filter and group by these.
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="reports", verbose_name=_("unit")
    )
    task = models.ForeignKey(
        Task, on_delete=models.PROTECT, related_name="reports", verbose_name=_("task")
    )
    role = models.CharField(_("role"), max_length=12, choices=Assignment.Role.choices)
    due_on = models.DateField(_("due on"))

    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.DRAFT, db_index=True
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, blank=True)
    percent = models.PositiveSmallIntegerField(
        _("percent complete"), null=True, blank=True, validators=[MaxValueValidator(100)]
    )
    progress = models.TextField(_("progress made (进展情况)"), blank=True, max_length=TEXT_LIMIT)
    problems = models.TextField(_("problems (存在问题)"), blank=True, max_length=TEXT_LIMIT)
    next_steps = models.TextField(_("next steps (下步计划)"), blank=True, max_length=TEXT_LIMIT)

    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(_("last saved"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    sent_for_sign_off_at = models.DateTimeField(null=True, blank=True)
    first_submitted_at = models.DateTimeField(_("first submitted"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    is_late = models.BooleanField(_("late"), default=False)
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    review_comment = models.TextField(_("office's comment"), blank=True, max_length=TEXT_LIMIT)
    # Why the head sent the report back to staff; cleared when staff send it again.
    sign_off_comment = models.TextField(_("head's comment"), blank=True, max_length=TEXT_LIMIT)
    # The report's evidence files (attachments.Attachment, removed ones included).
    evidence = GenericRelation("attachments.Attachment", related_query_name="report")

    class Meta:
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        ordering = ["period__year", "period__half", "task__number", "role", "unit_id"]
        constraints = [
            models.UniqueConstraint(fields=["assignment", "period"], name="one_report_per_period"),
            models.CheckConstraint(
                condition=Q(percent__isnull=True) | Q(percent__lte=100), name="percent_at_most_100"
            ),
            models.CheckConstraint(
                condition=~Q(status="completed") | Q(percent=100),
                name="completed_means_100_percent",
            ),
        ]
        indexes = [
            models.Index(fields=["period", "unit"]),
            models.Index(fields=["period", "task"]),
        ]

    def __str__(self):
        return f"{self.period} · {self.task.label} · {self.unit}"

    @property
    def is_editable_state(self) -> bool:
        """The unit may change the report: before submission, or after the office returns it."""
        return self.state in (self.State.DRAFT, self.State.AWAITING_SIGN_OFF, self.State.RETURNED)

    def content_editable_by(self, *, is_head: bool) -> bool:
        """May this person change the text, figures and evidence in the report's state?

        Before it goes to the head, any of the unit's people; while it awaits sign-off, only
        the head (staff withdraw it first): what the head signs is what the head saw.
        """
        if self.state == self.State.AWAITING_SIGN_OFF:
            return is_head
        return self.is_editable_state

    @property
    def state_before_sign_off(self) -> str:
        """Where a withdrawn or sent-back report returns: returned (the office's comment kept)
        if the office has reviewed it before, else draft. Accepted reports never come back
        here, so a review on record means the last review returned it."""
        return self.State.RETURNED if self.reviewed_at else self.State.DRAFT

    @property
    def is_submitted(self) -> bool:
        return self.state in (self.State.SUBMITTED, self.State.ACCEPTED)

    def attachment_folder(self) -> str:
        """Where the report's evidence files are stored (random names inside)."""
        return f"evidence/{self.period.code}"

    def unit_name(self) -> str:
        """The unit's name as it was at the period's due date."""
        return self.unit.name_on(self.due_on)


class IndicatorValue(models.Model):
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="indicator_values")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="values")
    value = models.DecimalField(_("measured value"), max_digits=12, decimal_places=2)

    class Meta:
        verbose_name = _("indicator value")
        verbose_name_plural = _("indicator values")
        constraints = [
            models.UniqueConstraint(fields=["report", "indicator"], name="one_value_per_indicator")
        ]

    def __str__(self):
        return f"{self.indicator}: {self.value}"


def evidence_path(instance, filename: str) -> str:
    # Kept for migration 0001 (the old Evidence model): files are now stored by
    # reform.attachments.models.attachment_path, under Report.attachment_folder().
    return f"evidence/{instance.report.period.code}/{uuid.uuid4().hex}"


class Measure(models.Model):
    """One step of a unit's timetable and roadmap (时间表、路线图) for an assignment."""

    assignment = models.ForeignKey(
        Assignment, on_delete=models.PROTECT, related_name="measures", verbose_name=_("assignment")
    )
    title = models.CharField(_("measure"), max_length=300)
    due_on = models.DateField(_("due on"))
    done_on = models.DateField(_("done on"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("measure")
        verbose_name_plural = _("timetable and roadmap")
        ordering = ["due_on", "id"]

    def __str__(self):
        return self.title

    def is_overdue(self, today: dt.date) -> bool:
        return self.done_on is None and self.due_on < today


class UrgingNotice(models.Model):
    """A formal urging notice (催办通知) from an office to a late unit about named reports."""

    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="urging_notices", verbose_name=_("unit")
    )
    period = models.ForeignKey(
        Period, on_delete=models.PROTECT, related_name="+", verbose_name=_("period")
    )
    reports = models.ManyToManyField(Report, related_name="urging_notices", verbose_name=_("tasks"))
    message = models.TextField(_("notice"), max_length=TEXT_LIMIT)
    reply_by = models.DateField(_("reply by"))
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("sent by"),
    )
    sent_at = models.DateTimeField(_("sent"), auto_now_add=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("acknowledged by"),
    )
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    answer = models.TextField(_("answer"), blank=True, max_length=TEXT_LIMIT)

    class Meta:
        verbose_name = _("urging notice")
        verbose_name_plural = _("urging notices")
        ordering = ["-sent_at", "-id"]

    def __str__(self):
        return f"{self.unit} · {self.period} · {self.sent_at:%Y-%m-%d}"
