from django.contrib import admin

from .models import HistoryEntry


class ReadOnlyAdmin(admin.ModelAdmin):
    """History is evidence: the admin may read it, never add, change or delete it."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(HistoryEntry)
class HistoryEntryAdmin(ReadOnlyAdmin):
    list_display = [
        "at",
        "content_type",
        "object_id",
        "actor",
        "action",
        "field",
        "before",
        "after",
    ]
    list_filter = ["action", "content_type"]
    search_fields = ["field", "before", "after", "note", "actor__username"]
    date_hierarchy = "at"
