"""Read-only views of dossiers for administrators: dossiers change only through their
services (the counter and processing workspaces, the API); the admin never writes them."""

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from dossiers.models import Dossier, HandOver, Notification, Pause, Payment
from dossiers.services.notifications import notifications_resend
from portal.http import AuthenticatedHttpRequest


class ReadOnlyMixin:
    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class PauseInline(ReadOnlyMixin, admin.TabularInline):
    model = Pause
    fields = ("kind", "stage", "items", "reason", "requested_at", "resumed_at", "due_after")
    readonly_fields = fields
    extra = 0


class HandOverInline(ReadOnlyMixin, admin.TabularInline):
    model = HandOver
    fields = (
        "sequence",
        "step_name",
        "from_label",
        "to_label",
        "sent_at",
        "finished_at",
        "timeliness",
    )
    readonly_fields = fields
    extra = 0


@admin.register(Dossier)
class DossierAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = (
        "__str__",
        "procedure",
        "status",
        "channel",
        "agency",
        "received_at",
        "due_at",
        "deadline_alert",
    )
    list_filter = ("status", "channel", "deadline_alert", "imported")
    search_fields = ("code", "reference")
    list_select_related = ("procedure", "agency")
    date_hierarchy = "received_at"
    show_full_result_count = False
    inlines = [PauseInline, HandOverInline]
    exclude = ("lookup_secret_hash",)


@admin.register(Notification)
class NotificationAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """The delivery log: what left, what waits, what failed; failed ones can be resent."""

    list_display = ("created_at", "kind", "medium", "status", "attempts", "last_error", "sent_at")
    list_filter = ("status", "medium", "kind")
    fields = (
        "dossier",
        "kind",
        "medium",
        "subject",
        "body",
        "status",
        "attempts",
        "last_error",
        "created_at",
        "sent_at",
    )
    readonly_fields = fields
    actions = ["resend"]

    @admin.action(description=_("Send the selected failed notifications again"))
    def resend(self, request: AuthenticatedHttpRequest, queryset: QuerySet[Notification]) -> None:
        count = notifications_resend(ids=queryset.values_list("pk", flat=True), actor=request.user)
        self.message_user(
            request,
            ngettext(
                "%(count)d notification queued again.",
                "%(count)d notifications queued again.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )


@admin.register(Payment)
class PaymentAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Online payments as the provider's callbacks left them; those "to be refunded" are the
    administrators' to settle with the bank."""

    list_display = (
        "reference",
        "dossier",
        "amount",
        "status",
        "provider",
        "transaction_id",
        "created_at",
        "completed_at",
    )
    list_filter = ("status", "provider")
    search_fields = ("reference", "transaction_id", "dossier__code", "dossier__reference")
    list_select_related = ("dossier",)
    date_hierarchy = "created_at"
    fields = (*list_display, "payer")
    readonly_fields = fields
