from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import services
from .models import DeliveryAttempt, OutboxMessage


class DeliveryAttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    fields = ["started_at", "finished_at", "ok", "error"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    """The record of what was sent: read-only; the one action puts failed rows back."""

    list_display = [
        "created_at",
        "kind",
        "subject",
        "recipients",
        "status",
        "attempts",
        "next_attempt_at",
        "sent_at",
    ]
    list_filter = ["status", "kind"]
    search_fields = ["subject", "to", "message_id"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "kind",
        "to",
        "reply_to",
        "subject",
        "body_text",
        "body_html",
        "message_id",
        "status",
        "attempts",
        "created_at",
        "next_attempt_at",
        "claimed_at",
        "failing_since",
        "sent_at",
        "last_error",
    ]
    fields = readonly_fields
    inlines = [DeliveryAttemptInline]
    actions = ["retry_failed"]

    @admin.display(description=_("recipients"))
    def recipients(self, obj):
        return ", ".join(obj.to)

    @admin.action(description=_("Retry failed messages"), permissions=["retry"])
    def retry_failed(self, request, queryset):
        count = services.retry(queryset.values_list("id", flat=True))
        self.message_user(
            request,
            ngettext(
                "%(count)d failed message will be sent again.",
                "%(count)d failed messages will be sent again.",
                count,
            )
            % {"count": count},
            messages.SUCCESS if count else messages.WARNING,
        )

    def has_retry_permission(self, request):
        return request.user.has_perm("outbox.change_outboxmessage")

    # Rows are written only by services.enqueue and kept as the record of what was sent.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
