from typing import cast

from django.contrib import admin
from django.db.models import F, QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.admin import UserAdmin
from portal.models import User
from procedures.calendar import national_calendar
from procedures.models import (
    AdministrativeUnit,
    Agency,
    Assignment,
    CalendarOverride,
    ReceptionPoint,
)
from procedures.models.organisation import ValidityQuerySet
from procedures.selectors import forget_working_calendars, working_calendar


class InForceFirstMixin(admin.ModelAdmin):
    """Autocomplete offers what is in force: choosing a scope for an officer, a unit,
    agency or reception point abolished in the 2025 reform is not offered (old records
    keep theirs); elsewhere those in force come first."""

    def get_search_results(self, request: HttpRequest, queryset: QuerySet, search_term: str):
        queryset, duplicates = super().get_search_results(request, queryset, search_term)
        if request.path.endswith("/autocomplete/"):
            today = timezone.localdate()
            if request.GET.get("model_name") == "assignment":
                queryset = cast(ValidityQuerySet, queryset).valid_on(today)
            queryset = queryset.order_by(F("valid_to").desc(nulls_first=True), "code")
        return queryset, duplicates


@admin.register(AdministrativeUnit)
class AdministrativeUnitAdmin(InForceFirstMixin, admin.ModelAdmin):
    list_display = ("code", "name", "level", "parent", "valid_from", "valid_to")
    list_filter = ("level", "valid_to")
    search_fields = ("code", "name")
    autocomplete_fields = ("parent",)
    list_select_related = ("parent",)


@admin.register(Agency)
class AgencyAdmin(InForceFirstMixin, admin.ModelAdmin):
    list_display = ("code", "name", "unit", "valid_from", "valid_to")
    list_filter = ("unit__level",)
    search_fields = ("code", "name")
    autocomplete_fields = ("unit", "parent")
    list_select_related = ("unit",)


@admin.register(ReceptionPoint)
class ReceptionPointAdmin(InForceFirstMixin, admin.ModelAdmin):
    list_display = ("code", "name", "kind", "unit", "counters", "valid_to")
    list_filter = ("kind",)
    search_fields = ("code", "name")
    autocomplete_fields = ("unit", "agencies")
    list_select_related = ("unit",)

    def save_model(self, request: HttpRequest, obj: ReceptionPoint, form, change: bool) -> None:
        super().save_model(request, obj, form, change)
        forget_working_calendars()  # office hours may have changed


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


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(admin.ModelAdmin):
    """Local days off and make-up working days; the year view shows the result."""

    list_display = ("date", "kind", "name", "unit", "reception_point")
    list_filter = ("kind", "unit__level")
    search_fields = ("name",)
    date_hierarchy = "date"
    autocomplete_fields = ("unit", "reception_point")
    list_select_related = ("unit", "reception_point")
    change_list_template = "admin/procedures/calendaroverride/change_list.html"

    def save_model(self, request: HttpRequest, obj: CalendarOverride, form, change: bool) -> None:
        super().save_model(request, obj, form, change)
        forget_working_calendars()

    def delete_model(self, request: HttpRequest, obj: CalendarOverride) -> None:
        super().delete_model(request, obj)
        forget_working_calendars()

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        super().delete_queryset(request, queryset)
        forget_working_calendars()

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view(self.year_view)
        return [
            path("year/", view, name="procedures_calendaroverride_year"),
            path("year/<int:year>/", view, name="procedures_calendaroverride_year"),
            *super().get_urls(),
        ]

    def year_view(self, request: HttpRequest, year: int | None = None) -> HttpResponse:
        today = timezone.localdate()
        year = min(max(year or today.year, 2000), 2100)
        coming = today.year + 1
        swaps_known = (
            bool(national_calendar(coming)[1])
            or CalendarOverride.objects.filter(date__year=coming).exists()
        )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Working calendar %(year)s") % {"year": year},
            "year": year,
            "previous_year": year - 1,
            "next_year": year + 1,
            "days": working_calendar().exceptions(year),
            "coming_year": coming,
            "coming_swaps_known": swaps_known,
        }
        return TemplateResponse(request, "admin/procedures/calendar_year.html", context)
