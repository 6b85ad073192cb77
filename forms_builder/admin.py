"""Administration of démarches and their form versions.

What requests were filed under must not move: a published form version is read-only here and
in the database (trigger in migration 0002), and a procedure's silence rule and delay are
frozen once a request exists for it (a new rule goes into a new form version).
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from forms_builder.models import FormVersion, Procedure


class FormVersionInline(admin.TabularInline):
    """The procedure's versions, for navigation; they are edited on their own page."""

    model = FormVersion
    fields = ["number", "silence_rule", "silence_delay", "published_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Procedure)
class ProcedureAdmin(SimpleHistoryAdmin):
    list_display = [
        "title",
        "category",
        "kind",
        "identification",
        "silence_rule",
        "silence_delay",
        "default_team",
        "is_published",
    ]
    list_filter = ["is_published", "kind", "identification", "silence_rule", "category"]
    list_select_related = ["default_team"]
    search_fields = ["title", "slug", "category"]
    autocomplete_fields = ["default_team"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["created_at", "updated_at"]
    inlines = [FormVersionInline]

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.requests.exists():
            readonly += ["silence_rule", "silence_delay"]
        return readonly


class PublicationFilter(admin.SimpleListFilter):
    title = _("publication")
    parameter_name = "published"

    def lookups(self, request, model_admin):
        return [("yes", _("Publiée")), ("no", _("Brouillon"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(published_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(published_at__isnull=True)
        return queryset


@admin.register(FormVersion)
class FormVersionAdmin(admin.ModelAdmin):
    list_display = ["procedure", "number", "silence_rule", "silence_delay", "published_at"]
    list_filter = [PublicationFilter, "silence_rule"]
    list_select_related = ["procedure"]
    search_fields = ["procedure__title", "procedure__slug"]
    autocomplete_fields = ["procedure"]
    fields = ["procedure", "number", "schema", "silence_rule", "silence_delay", "published_at"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.is_published:
            return [*self.fields, "created_at"]
        return ["created_at"]

    def get_fields(self, request, obj=None):
        return [*self.fields, "created_at"] if obj is not None else self.fields

    def get_form(self, request, obj=None, **kwargs):
        kwargs.setdefault(
            "help_texts",
            {"published_at": _("Une version publiée ne peut plus être modifiée ni supprimée.")},
        )
        return super().get_form(request, obj, **kwargs)

    def has_delete_permission(self, request, obj=None) -> bool:
        if obj is not None and obj.is_published:
            return False
        return super().has_delete_permission(request, obj)
