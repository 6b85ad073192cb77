"""API clients in the admin: created with their token shown once (on the page that answers the
creation, stored nowhere), teams and scopes changed, revoked; the call log, read-only."""

from django import forms
from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from api.models import ApiCall, ApiClient, Scope
from api.services import api_client_create, api_client_revoke, api_client_set_teams


class ApiClientForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        label=_("Droits"),
        choices=Scope.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = ApiClient
        fields = ["name", "teams", "scopes", "requests_per_minute"]


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin):
    form = ApiClientForm
    list_display = ["name", "scopes_label", "teams_label", "created_at", "last_used_at", "state"]
    list_filter = ["revoked_at"]
    search_fields = ["name", "token_prefix"]
    filter_horizontal = ["teams"]
    readonly_fields = [
        "token_prefix",
        "user",
        "created_by",
        "created_at",
        "last_used_at",
        "revoked_at",
    ]
    actions = ["revoke"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("teams")

    def get_fields(self, request, obj=None):
        fields = ["name", "teams", "scopes", "requests_per_minute"]
        return fields if obj is None else [*fields, *self.readonly_fields]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.readonly_fields

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # revoked, never deleted: its calls and events keep naming it

    @admin.display(description=_("droits"))
    def scopes_label(self, obj) -> str:
        return ", ".join(obj.scopes)

    @admin.display(description=_("équipes"))
    def teams_label(self, obj) -> str:
        return ", ".join(team.name for team in obj.teams.all())

    @admin.display(description=_("état"))
    def state(self, obj) -> str:
        return _("révoqué") if obj.revoked_at else _("actif")

    def save_model(self, request, obj, form, change):
        if change:
            obj.save()
        else:
            created, token = api_client_create(
                name=form.cleaned_data["name"],
                teams=[],
                scopes=form.cleaned_data["scopes"],
                actor=request.user,
            )
            created.requests_per_minute = form.cleaned_data["requests_per_minute"]
            created.save(update_fields=["requests_per_minute"])
            obj.__dict__.update(created.__dict__)  # the admin goes on with `obj`
            request._api_token = token

    def save_related(self, request, form, formsets, change):
        # The teams through the service: the technical user's memberships follow.
        api_client_set_teams(client=form.instance, teams=form.cleaned_data["teams"])

    def response_add(self, request, obj, post_url_continue=None):
        """The token, once: this page is its only showing."""
        context = {
            **self.admin_site.each_context(request),
            "title": _("Jeton du client « %(name)s »") % {"name": obj.name},
            "client": obj,
            "token": request._api_token,
            "opts": self.opts,
        }
        response = TemplateResponse(request, "admin/api/apiclient/token.html", context)
        response["Cache-Control"] = "no-store"
        return response

    @admin.action(description=_("Révoquer les clients sélectionnés"))
    def revoke(self, request, queryset):
        for client in queryset.filter(revoked_at__isnull=True):
            api_client_revoke(client=client, actor=request.user)
        messages.success(request, _("Les jetons sélectionnés ne fonctionnent plus."))


@admin.register(ApiCall)
class ApiCallAdmin(admin.ModelAdmin):
    list_display = ["at", "client", "method", "view_name", "path", "status", "duration_ms"]
    list_filter = ["status", "method", "client"]
    list_select_related = ["client"]
    date_hierarchy = "at"
    show_full_result_count = False

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
