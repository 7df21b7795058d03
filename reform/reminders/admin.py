from django.contrib import admin

from .models import ReminderDispatch


@admin.register(ReminderDispatch)
class ReminderDispatchAdmin(admin.ModelAdmin):
    """Read-only: the rows are the once-per-step guarantee; deleting one would let the
    job send that reminder again."""

    list_display = ["day", "step", "unit", "jurisdiction", "period", "date_kind", "message"]
    list_filter = ["step", "date_kind", "period"]
    search_fields = ["unit__name", "jurisdiction__name", "message__message_id"]
    list_select_related = ["unit", "jurisdiction", "period", "message"]
    date_hierarchy = "day"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
