from typing import cast

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from portal.http import AuthenticatedHttpRequest
from portal.models import User
from procedures import services
from procedures.models import (
    Component,
    Fee,
    InterconnectionGroup,
    InterconnectionMember,
    Procedure,
    Sector,
    Step,
)


@admin.register(Sector)
class SectorAdmin(admin.ModelAdmin):
    list_display = ("name", "code")
    search_fields = ("name", "code")
    prepopulated_fields = {"code": ("name",)}

    def save_model(self, request: HttpRequest, obj: Sector, form, change: bool) -> None:
        super().save_model(request, obj, form, change)
        services.sector_record_edit(sector=obj, actor=cast(User, request.user))  # admin: staff


class ComponentInline(admin.TabularInline):
    model = Component
    extra = 0
    fields = ("position", "name", "copy_type", "count", "required", "note", "form_template")


class FeeInline(admin.TabularInline):
    model = Fee
    extra = 0
    fields = ("position", "kind", "name", "amount", "exemptions")


class StepInline(admin.TabularInline):
    model = Step
    extra = 0
    fields = ("position", "name", "responsible", "budget_hours")


@admin.register(Procedure)
class ProcedureAdmin(admin.ModelAdmin):
    list_display = (
        "code",
        "name",
        "sector",
        "level",
        "time_limit",
        "time_limit_unit",
        "online_level",
        "status",
        "version",
    )
    list_filter = ("status", "level", "online_level", "sector")
    search_fields = ("code", "name", "search_text")
    list_select_related = ("sector",)
    autocomplete_fields = ("sector", "agencies")
    readonly_fields = ("version", "updated_at")
    inlines = [ComponentInline, FeeInline, StepInline]
    actions = ["publish", "unpublish"]
    fieldsets = (
        (None, {"fields": ("code", "name", "sector", "level", "status")}),
        (
            _("Time limit"),
            {"fields": ("time_limit", "time_limit_unit", "time_limit_note")},
        ),
        (
            _("Channels"),
            {"fields": ("online_level", "legacy_level", "postal_intake", "postal_return")},
        ),
        (
            _("Who and what"),
            {
                "fields": (
                    "deciding_authority",
                    "agencies",
                    "applicants",
                    "conditions",
                    "result_name",
                    "result_paper",
                    "result_electronic",
                )
            },
        ),
        (
            _("Legal basis and validity"),
            {
                "fields": (
                    "legal_basis",
                    "publication_decision",
                    "valid_from",
                    "valid_to",
                    "version",
                    "updated_at",
                )
            },
        ),
    )

    def save_related(self, request: HttpRequest, form, formsets, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        # After the inlines: the version covers papers, fees and steps too.
        services.procedure_record_edit(
            procedure=form.instance, actor=cast(User, request.user), created=not change
        )

    @admin.action(description=_("Publish the selected procedures"))
    def publish(self, request: AuthenticatedHttpRequest, queryset: QuerySet[Procedure]) -> None:
        self._set_status(request, queryset, Procedure.Status.PUBLISHED)

    @admin.action(description=_("Withdraw the selected procedures from publication"))
    def unpublish(self, request: AuthenticatedHttpRequest, queryset: QuerySet[Procedure]) -> None:
        self._set_status(request, queryset, Procedure.Status.UNPUBLISHED)

    def _set_status(
        self, request: AuthenticatedHttpRequest, queryset: QuerySet, status: str
    ) -> None:
        changed = services.procedures_set_status(
            procedures=queryset, status=status, actor=request.user
        )
        self.message_user(
            request,
            ngettext("%(count)d procedure changed.", "%(count)d procedures changed.", changed)
            % {"count": changed},
            messages.SUCCESS,
        )


class InterconnectionMemberInline(admin.TabularInline):
    model = InterconnectionMember
    extra = 0
    autocomplete_fields = ("procedure",)


@admin.register(InterconnectionGroup)
class InterconnectionGroupAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "time_limit", "time_limit_unit")
    search_fields = ("code", "name")
    inlines = [InterconnectionMemberInline]
