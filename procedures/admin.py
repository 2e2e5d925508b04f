from django.contrib import admin

from portal.admin import UserAdmin
from portal.models import User
from procedures.models import AdministrativeUnit, Agency, Assignment, ReceptionPoint


@admin.register(AdministrativeUnit)
class AdministrativeUnitAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "level", "parent", "valid_from", "valid_to")
    list_filter = ("level", "valid_to")
    search_fields = ("code", "name")
    autocomplete_fields = ("parent",)
    list_select_related = ("parent",)


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "unit", "valid_from", "valid_to")
    list_filter = ("unit__level",)
    search_fields = ("code", "name")
    autocomplete_fields = ("unit", "parent")
    list_select_related = ("unit",)


@admin.register(ReceptionPoint)
class ReceptionPointAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "unit", "counters", "valid_to")
    list_filter = ("kind",)
    search_fields = ("code", "name")
    autocomplete_fields = ("unit", "agencies")
    list_select_related = ("unit",)


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ("user", "role", "unit", "agency", "reception_point")
    list_filter = ("role",)
    search_fields = ("user__username", "user__full_name")
    autocomplete_fields = ("user", "unit", "agency", "reception_point")
    list_select_related = ("user", "unit", "agency", "reception_point")


class AssignmentInline(admin.TabularInline):
    model = Assignment
    extra = 0
    autocomplete_fields = ("unit", "agency", "reception_point")


# Officers' scopes are edited on the person's own page.
admin.site.unregister(User)


@admin.register(User)
class OfficerUserAdmin(UserAdmin):
    inlines = [AssignmentInline]
