from django.contrib import admin

from reform.history.admin import ReadOnlyAdmin

from .models import PendingImport, PersonProfile


@admin.register(PersonProfile)
class PersonProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "mobile"]
    search_fields = ["user__username", "user__first_name", "mobile"]
    list_select_related = ["user"]


@admin.register(PendingImport)
class PendingImportAdmin(ReadOnlyAdmin):
    """Spreadsheets waiting for an office's confirmation; read-only, and deletable so an
    administrator can clear abandoned ones."""

    list_display = ["file_name", "user", "jurisdiction", "created_at"]
    list_select_related = ["user", "jurisdiction"]
    exclude = ["content"]

    def has_delete_permission(self, request, obj=None):
        return True
