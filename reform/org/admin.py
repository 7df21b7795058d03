from django.contrib import admin

from .models import ContactPerson, Jurisdiction, Membership, Unit, UnitName


@admin.register(Jurisdiction)
class JurisdictionAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "level", "parent", "origin", "is_active"]
    list_filter = ["level", "origin", "is_active"]
    search_fields = ["name", "code"]
    list_select_related = ["parent"]
    autocomplete_fields = ["parent"]


class UnitNameInline(admin.TabularInline):
    model = UnitName
    extra = 0


class ContactPersonInline(admin.TabularInline):
    model = ContactPerson
    extra = 0


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["name", "text_name", "jurisdiction", "group_role", "origin", "is_active"]
    list_filter = ["jurisdiction__level", "group_role", "origin", "is_active"]
    search_fields = ["name", "text_name", "code", "names__name"]
    list_select_related = ["jurisdiction"]
    autocomplete_fields = ["jurisdiction"]
    inlines = [UnitNameInline, ContactPersonInline]

    def has_delete_permission(self, request, obj=None):
        return False  # units are deactivated, never deleted: reports point at them


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "unit", "jurisdiction", "valid_from", "valid_to"]
    list_filter = ["role", "jurisdiction__level"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "unit__name"]
    list_select_related = ["user", "unit", "jurisdiction"]
    autocomplete_fields = ["user", "unit", "jurisdiction"]
