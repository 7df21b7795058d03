"""Attachments in the admin: read-only, like every tracked object (changes go through the
owner's application, which records them in the history)."""

from django.contrib import admin

from reform.history.admin import ReadOnlyAdmin

from .models import Attachment


@admin.register(Attachment)
class AttachmentAdmin(ReadOnlyAdmin):
    list_display = [
        "original_name",
        "kind",
        "size",
        "content_type",
        "object_id",
        "uploaded_by",
        "uploaded_at",
        "removed_at",
    ]
    list_filter = ["kind", "content_type"]
    search_fields = ["original_name", "sha256"]
    list_select_related = ["content_type", "uploaded_by"]
