"""Administration of postal partners: creation and key rotation show the secret once; the
webhook delivery log with resend."""

from typing import cast

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from portal.http import AuthenticatedHttpRequest
from portal.models import User
from procedures.models import ReceptionPoint
from reception.models import (
    SCOPES,
    PartnerClient,
    PartnerKey,
    QueueLine,
    QueueTicket,
    WebhookDelivery,
)
from reception.postal import webhooks
from reception.postal.keys import partner_create, partner_key_revoke, partner_key_rotate


class PartnerCreationForm(forms.Form):
    code = forms.SlugField(label=_("code"), max_length=40)
    name = forms.CharField(label=_("name"), max_length=200)
    scopes = forms.MultipleChoiceField(
        label=_("scopes"), choices=list(SCOPES.items()), widget=forms.CheckboxSelectMultiple
    )
    reception_points = forms.ModelMultipleChoiceField(
        label=_("reception points served"), queryset=ReceptionPoint.objects.order_by("name")
    )
    webhook_url = forms.URLField(label=_("webhook URL"), required=False, assume_scheme="https")

    def clean_code(self) -> str:
        code = self.cleaned_data["code"]
        if PartnerClient.objects.filter(code=code).exists():
            raise forms.ValidationError(_("A partner with this code exists."))
        return code


class PartnerKeyInline(admin.TabularInline):
    model = PartnerKey
    fields = ("prefix", "created_at", "expires_at", "revoked_at", "last_used_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(PartnerClient)
class PartnerClientAdmin(admin.ModelAdmin):
    list_display = (
        "code",
        "name",
        "is_active",
        "requests_per_minute",
        "webhook_url",
        "webhook_disabled_at",
    )
    readonly_fields = ("code", "account", "webhook_failures", "webhook_disabled_at", "created_at")
    fields = (
        "code",
        "name",
        "account",
        "scopes",
        "requests_per_minute",
        "webhook_url",
        "is_active",
        "webhook_failures",
        "webhook_disabled_at",
        "created_at",
    )
    inlines = [PartnerKeyInline]
    actions = ["rotate_key", "revoke_keys", "resend_webhooks"]

    def add_view(self, request: HttpRequest, form_url: str = "", extra_context=None):
        form = PartnerCreationForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            made = partner_create(actor=cast(User, request.user), **form.cleaned_data)  # staff
            return self._show_secrets(request, made.client, made.api_key, made.webhook_secret)
        context = {
            **self.admin_site.each_context(request),
            "form": form,
            "title": _("New postal partner"),
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/reception/partner_add.html", context)

    def _show_secrets(self, request, client, api_key: str, webhook_secret: str = ""):
        context = {
            **self.admin_site.each_context(request),
            "client": client,
            "api_key": api_key,
            "webhook_secret": webhook_secret,
            "title": _("Give these to the partner now"),
            "opts": self.model._meta,
        }
        response = TemplateResponse(request, "admin/reception/partner_secrets.html", context)
        response["Cache-Control"] = "no-store"
        return response

    @admin.action(description=_("Rotate the API key (the old one works one more day)"))
    def rotate_key(
        self, request: AuthenticatedHttpRequest, queryset: QuerySet
    ) -> HttpResponse | None:
        if queryset.count() != 1:
            self.message_user(request, _("Choose one partner."), messages.ERROR)
            return None
        client = queryset.get()
        return self._show_secrets(
            request, client, partner_key_rotate(client=client, actor=request.user)
        )

    @admin.action(description=_("Revoke every API key now"))
    def revoke_keys(self, request: AuthenticatedHttpRequest, queryset: QuerySet) -> None:
        keys = PartnerKey.objects.filter(client__in=queryset, revoked_at__isnull=True)
        for key in keys:
            partner_key_revoke(key=key, actor=request.user)
        self.message_user(
            request,
            ngettext("%(count)d key revoked.", "%(count)d keys revoked.", len(keys))
            % {"count": len(keys)},
        )

    @admin.action(description=_("Re-enable webhooks and resend the failed ones"))
    def resend_webhooks(self, request: AuthenticatedHttpRequest, queryset: QuerySet) -> None:
        count = sum(webhooks.webhooks_resend(client=c, actor=request.user) for c in queryset)
        self.message_user(
            request,
            ngettext(
                "%(count)d delivery queued again.", "%(count)d deliveries queued again.", count
            )
            % {"count": count},
        )


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    """The delivery log."""

    list_display = (
        "created_at",
        "client",
        "event",
        "status",
        "attempts",
        "last_status_code",
        "last_error",
        "sent_at",
    )
    list_filter = ("status", "event", "client")
    readonly_fields = [f.name for f in WebhookDelivery._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(QueueLine)
class QueueLineAdmin(admin.ModelAdmin):
    """The buttons of a reception point's take-a-number kiosk and the counters serving each."""

    list_display = ("reception_point", "prefix", "name", "sector", "counters", "is_active")
    list_filter = ("is_active", "reception_point")
    list_editable = ("is_active",)
    search_fields = ("name", "reception_point__name")
    autocomplete_fields = ("reception_point",)
    ordering = ("reception_point", "position", "prefix")


@admin.register(QueueTicket)
class QueueTicketAdmin(admin.ModelAdmin):
    """The numbers given, for looking back; they change only at the counters."""

    list_display = (
        "day",
        "reception_point",
        "display",
        "status",
        "issued_at",
        "called_at",
        "counter",
        "finished_at",
    )
    list_filter = ("status", "day", "reception_point")
    date_hierarchy = "day"

    def get_readonly_fields(self, request: HttpRequest, obj=None) -> list[str]:
        return [field.name for field in QueueTicket._meta.fields] + ["dossiers"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
