"""Subscriptions (the secret shown once, on creation and rotation) and the delivery log."""

from django import forms
from django.contrib import admin, messages
from django.template.response import TemplateResponse

from webhooks.kinds import WebhookKind
from webhooks.models import Delivery, Subscription
from webhooks.services import deliveries_replay, subscription_rotate_secret
from webhooks.signing import check_url


class SubscriptionForm(forms.ModelForm):
    url = forms.URLField(label="Adresse de réception", max_length=500, assume_scheme="https")
    event_kinds = forms.MultipleChoiceField(
        label="Événements",
        choices=WebhookKind.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choisissez au moins un événement."},
    )

    class Meta:
        model = Subscription
        fields = ["name", "url", "event_kinds", "team", "active"]

    def clean_url(self) -> str:
        url = self.cleaned_data["url"]
        check_url(url)
        return url


def _secrets_page(request, title: str, shown: list[tuple[Subscription, str]]):
    return TemplateResponse(
        request,
        "admin/webhooks/secret_shown.html",
        {
            **admin.site.each_context(request),
            "title": title,
            "shown": shown,
            "opts": Subscription._meta,
        },
    )


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    form = SubscriptionForm
    list_display = ["name", "url", "kinds", "team", "active", "created_at"]
    list_filter = ["active"]
    search_fields = ["name", "url"]
    readonly_fields = ["created_by", "created_at", "secret_state"]
    actions = ["rotate_secret"]

    @admin.display(description="Événements")
    def kinds(self, obj: Subscription) -> str:
        labels = dict(WebhookKind.choices)
        return ", ".join(str(labels.get(kind, kind)) for kind in obj.event_kinds)

    @admin.display(description="Secret")
    def secret_state(self, obj: Subscription) -> str:
        if obj.pk is None:
            return "Généré à l'enregistrement et affiché une seule fois."
        if obj.previous_secret_expires_at and len(obj.valid_secrets()) > 1:
            return (
                "Renouvelé : l'ancien secret signe aussi jusqu'au "
                f"{obj.previous_secret_expires_at:%d/%m/%Y %H:%M} (UTC)."
            )
        return "Défini (jamais réaffiché ; « Renouveler le secret » en donne un nouveau)."

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def response_add(self, request, obj, post_url_continue=None):
        return _secrets_page(request, "Abonnement créé : copiez son secret", [(obj, obj.secret)])

    @admin.action(description="Renouveler le secret (l'ancien reste valable 24 h)")
    def rotate_secret(self, request, queryset):
        shown = [
            (
                subscription,
                subscription_rotate_secret(subscription=subscription, actor=request.user),
            )
            for subscription in queryset
        ]
        return _secrets_page(request, "Secrets renouvelés : copiez-les", shown)


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "kind",
        "subscription",
        "reference",
        "state",
        "attempts",
        "last_status_code",
        "next_attempt_at",
        "delivered_at",
    ]
    list_filter = ["state", "kind", "subscription"]
    list_select_related = ["subscription", "event__request"]
    search_fields = ["event__request__reference"]
    date_hierarchy = "created_at"
    actions = ["replay"]
    fields = [
        "subscription",
        "kind",
        "reference",
        "state",
        "attempts",
        "last_status_code",
        "last_error",
        "next_attempt_at",
        "give_up_at",
        "delivered_at",
        "created_at",
        "payload",
    ]
    readonly_fields = fields

    @admin.display(description="Demande")
    def reference(self, obj: Delivery) -> str:
        return obj.event.request.reference

    def has_add_permission(self, request) -> bool:
        return False  # written by the outbox only

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # the log is kept; a subscription's removal takes its own

    @admin.action(description="Rejouer")
    def replay(self, request, queryset):
        count = deliveries_replay(queryset)
        self.message_user(
            request, f"{count} remise(s) renvoyée(s) dès que possible.", messages.SUCCESS
        )
