"""Reads of the attachments app. Whether a person may see a file is the owner's question: the
owner's app fetches the file here, then asks its own access helper about ``object_id`` (for a
report: ``reports.selectors.report_for_user``)."""

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.http import Http404

from .models import Attachment


def live_attachment(*, attachment_id: int, owner_model: type[models.Model]) -> Attachment:
    """The attachment, not removed, on an object of ``owner_model``; else 404."""
    attachment = (
        Attachment.objects.live()
        .filter(pk=attachment_id, content_type=ContentType.objects.get_for_model(owner_model))
        .first()
    )
    if attachment is None:
        raise Http404
    return attachment
