from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Note(models.TextChoices):
    """What a system-worded note says, stored as a code and translated when shown.

    A note is either one of these codes, a code with one argument after a colon
    (``renamed_from:2023-08-18``), or the free words a person wrote (an office's comment, a
    name), shown as they are. Codes keep history readable in every language and searchable by
    code (``note_code``).
    """

    SIGNED_OFF = "signed_off", pgettext_lazy("history note", "signed off")
    SENT_BACK = "sent_back", pgettext_lazy("history note", "sent back by the head")
    WITHDRAWN = "withdrawn", pgettext_lazy("history note", "withdrawn from sign-off")
    EVIDENCE_REMOVED = "evidence_removed", pgettext_lazy("history note", "evidence removed")
    MARKED_DONE = "marked_done", pgettext_lazy("history note", "marked done")
    ACCEPTED = "accepted", pgettext_lazy("history note", "accepted by the office")
    RETURNED = "returned", pgettext_lazy("history note", "returned by the office")
    ACKNOWLEDGED = "acknowledged", pgettext_lazy("history note", "acknowledged")
    IMPORT = "import", pgettext_lazy("history note", "bulk import")
    COPIED_FROM_PATTERN = (
        "copied_from_pattern",
        pgettext_lazy("history note", "copied from the provincial pattern"),
    )
    LOAD_PLAN = "load_plan", pgettext_lazy("history note", "loaded from the plan")
    # With an argument after the colon:
    RENAMED_FROM = "renamed_from", pgettext_lazy("history note", "renamed from %(argument)s")
    PASSWORD_EMAIL = (
        "password_email",
        pgettext_lazy("history note", "password-setting email sent to %(argument)s"),
    )

    @classmethod
    def with_argument(cls, code: "Note", argument: str) -> str:
        return f"{code.value}:{argument}"


class HistoryEntry(models.Model):
    """One change to one field of a tracked object: who, when, before, after.

    Written only by ``reform.history.services.record``; the application never edits or
    deletes these rows (the admin shows them read-only).
    """

    class Action(models.TextChoices):
        CREATE = "create", _("created")
        UPDATE = "update", _("changed")
        CLOSE = "close", _("closed")
        REOPEN = "reopen", _("reopened")
        DEACTIVATE = "deactivate", _("deactivated")

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("content_type", "object_id")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("by"),
    )
    # One moment for every row of one change (``record`` sets it): the display groups by it.
    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    field = models.CharField(_("field"), max_length=64, blank=True)
    before = models.TextField(_("before"), blank=True)
    after = models.TextField(_("after"), blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("history entry")
        verbose_name_plural = _("history")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["content_type", "object_id", "at"])]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_action_display()} {self.field}"
