from django.contrib import admin

from .models import Assignment, Indicator, Milestone, Period, Plan, Section, Task


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ["title", "issuers", "issued_on"]
    search_fields = ["title"]


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ["number", "numeral", "title", "plan"]
    search_fields = ["title"]


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    list_display = ["number", "short_title", "section", "jurisdiction", "implements", "origin"]
    list_filter = ["section", "origin", "jurisdiction"]
    search_fields = ["short_title", "full_text"]
    list_select_related = ["section", "jurisdiction", "implements"]
    autocomplete_fields = ["implements", "jurisdiction"]


@admin.register(Milestone)
class MilestoneAdmin(admin.ModelAdmin):
    list_display = ["year", "goal"]
    search_fields = ["goal"]


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ["name", "task", "comparison", "target", "unit_of_measure", "deadline"]
    search_fields = ["name", "source_text"]
    list_select_related = ["task"]


@admin.register(Period)
class PeriodAdmin(admin.ModelAdmin):
    list_display = ["__str__", "opens_on", "cooperating_due_on", "due_on", "is_closed", "origin"]
    list_filter = ["is_closed", "year"]


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ["task", "unit", "role", "origin", "is_closed", "is_active", "changed_by_office"]
    list_filter = ["role", "origin", "is_closed", "is_active", "jurisdiction"]
    search_fields = ["unit__name", "task__short_title", "justification"]
    list_select_related = ["task", "unit"]
    autocomplete_fields = ["task", "unit"]
    readonly_fields = ["plan_key", "changed_by_office"]

    def save_model(self, request, obj, form, change):
        # An administrator's edit counts as an office's: load_plan must not undo it.
        if change:
            obj.changed_by_office = True
        super().save_model(request, obj, form, change)
