"""Files attached to any object (a report's evidence today; later an extension request, an
answer to an instruction): one table, one way to check, store and serve them.

The owner is generic (content type + id, as ``history.HistoryEntry``): this app knows nothing
of the apps above it. Files live under MEDIA_ROOT with random names and are never served as
static files; each owner's app serves them through its own rights check (``selectors``).
"""

import uuid

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def attachment_path(instance: "Attachment", filename: str) -> str:
    """Never the uploader's name on disk: a random name in the owner's folder.

    An owner may name its folder (``attachment_folder()``: a report keeps its evidence under
    ``evidence/<period>/``); any other goes under ``attachments/<app>_<model>/``.
    """
    folder = getattr(instance.owner, "attachment_folder", None)
    if callable(folder):
        folder = folder()
    if not folder:
        content_type = instance.content_type
        folder = f"attachments/{content_type.app_label}_{content_type.model}"
    return f"{folder}/{uuid.uuid4().hex}"


class AttachmentQuerySet(models.QuerySet):
    def live(self):
        """Not removed."""
        return self.filter(removed_at__isnull=True)

    def for_object(self, owner: models.Model):
        return self.filter(
            content_type=ContentType.objects.get_for_model(owner), object_id=owner.pk
        )


class Attachment(models.Model):
    class Kind(models.TextChoices):
        PDF = "pdf", "PDF"
        OFD = "ofd", "OFD"
        DOC = "doc", "Word (.doc)"
        DOCX = "docx", "Word (.docx)"
        WPS = "wps", "WPS (.wps)"
        XLS = "xls", "Excel (.xls)"
        XLSX = "xlsx", "Excel (.xlsx)"
        ET = "et", "WPS (.et)"
        JPEG = "jpg", "JPEG"
        PNG = "png", "PNG"

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.PositiveBigIntegerField()
    owner = GenericForeignKey("content_type", "object_id")
    file = models.FileField(upload_to=attachment_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    kind = models.CharField(_("type"), max_length=4, choices=Kind.choices)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # A default rather than auto_now_add: the migration from the old evidence table keeps
    # each file's own moment.
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now, editable=False)
    removed_at = models.DateTimeField(_("removed"), null=True, blank=True)

    objects = AttachmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at", "id"]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self):
        return self.original_name
