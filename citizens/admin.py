"""Administration of the identity store. Agents look citizens up in the back office; this is
the administrators' tool for corrections, with every change kept by simple_history."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from citizens.models import Citizen, Organisation, Relationship, Representation


class RepresentationInline(admin.TabularInline):
    model = Representation
    extra = 0
    autocomplete_fields = ["citizen", "organisation"]


class RelationshipInline(admin.TabularInline):
    """The citizens this one is the parent or guardian of."""

    model = Relationship
    fk_name = "from_citizen"
    extra = 0
    autocomplete_fields = ["to_citizen"]


@admin.register(Citizen)
class CitizenAdmin(SimpleHistoryAdmin):
    list_display = [
        "family_name",
        "usage_name",
        "given_names",
        "birth_date",
        "email",
        "postcode",
        "city",
        "identity_assurance",
        "needs_assistance",
    ]
    list_filter = ["identity_assurance", "needs_assistance", "preferred_channel"]
    # family_name and usage_name have trigram indexes: substring search stays fast.
    search_fields = ["family_name", "usage_name", "given_names", "email"]
    autocomplete_fields = ["user"]
    readonly_fields = ["franceconnect_sub", "created_at", "updated_at"]
    show_full_result_count = False
    inlines = [RepresentationInline, RelationshipInline]
    fieldsets = [
        (
            _("Identité"),
            {
                "fields": [
                    "given_names",
                    "family_name",
                    "usage_name",
                    "sex",
                    "birth_date",
                    "birth_place",
                    "birth_country",
                    "identity_assurance",
                ]
            },
        ),
        (_("Coordonnées"), {"fields": ["email", "phone", "street", "postcode", "city"]}),
        (_("Relation"), {"fields": ["preferred_channel", "needs_assistance"]}),
        (_("Compte"), {"fields": ["user", "franceconnect_sub", "created_at", "updated_at"]}),
    ]


@admin.register(Organisation)
class OrganisationAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "siret", "rna", "city"]
    list_filter = ["kind"]
    search_fields = ["name", "=siret", "=rna"]
    show_full_result_count = False
    inlines = [RepresentationInline]
