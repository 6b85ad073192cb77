"""Administration of démarches and their form versions.

What requests were filed under must not move: a published form version is read-only here and
in the database (trigger in migration 0002), and a procedure's silence rule and delay are
frozen once a request exists for it (a new rule goes into a new form version).
"""

from django.contrib import admin, messages
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from forms_builder.models import FormVersion, Procedure
from forms_builder.schema import validate_schema
from forms_builder.services import PublishRefused, form_version_publish


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
    """Drafts are edited here and published with the « Publier » action, which goes through
    `form_version_publish` (the schema is validated first, the number bumped, the publisher
    recorded); the publication date is never typed."""

    list_display = ["procedure", "number", "silence_rule", "silence_delay", "published_at"]
    list_filter = [PublicationFilter, "silence_rule"]
    list_select_related = ["procedure"]
    search_fields = ["procedure__title", "procedure__slug"]
    autocomplete_fields = ["procedure"]
    fields = ["procedure", "number", "schema", "silence_rule", "silence_delay"]
    publication = ["published_at", "published_by", "schema_problems", "created_at"]
    actions = ["publish"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.is_published:
            return [*self.fields, *self.publication]
        return self.publication

    def get_fields(self, request, obj=None):
        return [*self.fields, *self.publication] if obj is not None else self.fields

    @admin.display(description=_("problèmes du schéma"))
    def schema_problems(self, obj):
        errors = validate_schema(obj.schema)
        if not errors:
            return _("Aucun : la version peut être publiée.")
        return format_html_join("", "<p>{}</p>", ((error,) for error in errors))

    @admin.action(description=_("Publier les versions sélectionnées"))
    def publish(self, request, queryset):
        published = 0
        for version in queryset.select_related("procedure"):
            try:
                form_version_publish(version=version, actor=request.user)
            except PublishRefused as refusal:
                self.message_user(
                    request,
                    _("%(version)s n'est pas publiée : %(errors)s")
                    % {"version": version, "errors": " ".join(refusal.errors)},
                    messages.ERROR,
                )
            else:
                published += 1
        if published:
            self.message_user(
                request,
                ngettext("%(count)d version publiée.", "%(count)d versions publiées.", published)
                % {"count": published},
                messages.SUCCESS,
            )

    def has_delete_permission(self, request, obj=None) -> bool:
        if obj is not None and obj.is_published:
            return False
        return super().has_delete_permission(request, obj)
