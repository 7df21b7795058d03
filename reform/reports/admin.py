"""Reports in the admin: for superusers to look things up. Changes go through the application,
where they are versioned and written to the history, so these pages are read-only."""

from django.contrib import admin

from reform.history.admin import ReadOnlyAdmin

from .models import IndicatorValue, Measure, Report, UrgingNotice


class IndicatorValueInline(admin.TabularInline):
    model = IndicatorValue
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Report)
class ReportAdmin(ReadOnlyAdmin):
    list_display = ["period", "task", "unit", "role", "state", "status", "percent", "is_late"]
    list_filter = ["state", "status", "is_late", "role", "period", "unit__jurisdiction"]
    search_fields = ["unit__name", "task__short_title", "progress", "problems", "next_steps"]
    list_select_related = ["period", "task", "unit"]
    inlines = [IndicatorValueInline]


@admin.register(Measure)
class MeasureAdmin(ReadOnlyAdmin):
    list_display = ["title", "assignment", "due_on", "done_on"]
    search_fields = ["title"]
    list_select_related = ["assignment__task", "assignment__unit"]


@admin.register(UrgingNotice)
class UrgingNoticeAdmin(ReadOnlyAdmin):
    list_display = ["unit", "period", "sent_by", "sent_at", "reply_by", "acknowledged_at"]
    list_filter = ["period"]
    search_fields = ["unit__name", "message", "answer"]
    list_select_related = ["unit", "period", "sent_by"]
