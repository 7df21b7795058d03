"""What the office pages keep beyond the org and plan models: a person's mobile number, and a
spreadsheet between its preview and the office's confirmation."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from reform.org.models import Jurisdiction


class PersonProfile(models.Model):
    """Details of an account that Django's user model has no field for."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    mobile = models.CharField(_("mobile"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("person's details")
        verbose_name_plural = _("people's details")

    def __str__(self):
        return str(self.user)


class PendingImport(models.Model):
    """An uploaded people spreadsheet whose every row passed the checks, waiting for the
    office to confirm. Kept on the server and tied to the uploader: the confirmation reads
    these bytes again, never rows sent back by the browser."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    jurisdiction = models.ForeignKey(Jurisdiction, on_delete=models.CASCADE, related_name="+")
    file_name = models.CharField(max_length=200)
    content = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("pending import")
        verbose_name_plural = _("pending imports")

    def __str__(self):
        return self.file_name
