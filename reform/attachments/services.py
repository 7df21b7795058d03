"""Writes of the attachments app: check an upload and store it, for any owner.

The owner's app decides whether the person may attach to the object, and records the change
in its history; these functions only check the file and store it with its row.
"""

import hashlib

from django.db import models, transaction
from django.utils import timezone

from . import filetypes
from .models import Attachment


class AttachmentRefused(Exception):
    """The file is refused (too large, or not an accepted type), with a message for the user."""


def checked_name(upload, kind: str) -> str:
    """The name ``upload`` is stored under, once its size and type pass; else AttachmentRefused.

    ``kind`` must be what ``filetypes.identify`` found (a caller that says otherwise is a bug:
    ValueError).
    """
    if upload.size > filetypes.MAX_SIZE:
        raise AttachmentRefused(filetypes.too_large_message(upload.name))
    try:
        detected = filetypes.identify(upload, upload.name)
    except filetypes.FileTypeError as refused:
        raise AttachmentRefused(str(refused)) from None
    if detected != kind:
        raise ValueError(f"kind {kind!r} does not match the file's content ({detected!r})")
    return filetypes.safe_name(upload.name, kind)


def store(*, owner: models.Model, actor, upload, kind: str, name: str) -> Attachment:
    """Save ``upload`` (checked by ``checked_name``, which gave ``name``) on ``owner``.

    Nothing half-saved: when the row cannot be written the stored file is deleted. A caller
    whose own transaction may still fail afterwards deletes ``attachment.file`` itself.
    """
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    attachment = Attachment(
        owner=owner,
        original_name=name,
        kind=kind,
        size=upload.size,
        sha256=digest.hexdigest(),
        uploaded_by=actor,
    )
    stored = None
    try:
        attachment.file.save(name, upload, save=False)
        stored = attachment.file
        attachment.save()
    except BaseException:
        if stored is not None:
            stored.delete(save=False)
        raise
    return attachment


def attach(*, owner: models.Model, actor, upload, kind: str) -> Attachment:
    """Check and store ``upload`` on ``owner`` in one go (AttachmentRefused with a message)."""
    name = checked_name(upload, kind)
    attachment = None
    try:
        with transaction.atomic():
            attachment = store(owner=owner, actor=actor, upload=upload, kind=kind, name=name)
    except BaseException:
        if attachment is not None:
            attachment.file.delete(save=False)
        raise
    return attachment


def remove(attachment: Attachment, *, owner: models.Model) -> bool:
    """Hide the file of ``owner`` (soft: the row and the stored file stay for the record);
    False when it was already removed. Call inside the owner's transaction."""
    locked = Attachment.objects.for_object(owner).select_for_update().get(pk=attachment.pk)
    if locked.removed_at is not None:
        attachment.removed_at = locked.removed_at
        return False
    attachment.removed_at = locked.removed_at = timezone.now()
    locked.save(update_fields=["removed_at"])
    return True
