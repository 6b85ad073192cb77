"""Administration of the relationship store.

Requests are filed, routed, decided and messaged through the services, which write the
timeline in the same transaction; here a request is shown with its timeline, and only who it
is from can be corrected. The timeline is append-only (a trigger refuses updates and deletes),
and messages and documents are what was sent and received: all three are read-only. Files are
private: the admin shows their name, type and size, never a link (an access-checked view
serves them).

The request tables hold millions of rows at city scale: no full counts, related rows joined in
the list query, search by exact reference (the unique index), pickers instead of drop-downs
for large foreign keys, and lists ordered by primary key.
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from forms_builder.engine import FormRun
from gru.templatetags.french import taille
from service_requests import drafts
from service_requests.identifiers import normalise_reference
from service_requests.models import (
    Document,
    DocumentRequest,
    Event,
    Interaction,
    InteractionMotive,
    Message,
    NotificationSent,
    OutboxMessage,
    RoutingRule,
    SatisfactionAnswer,
    ServiceRequest,
    Status,
    TeamTask,
)


class ReferenceSearchMixin:
    """Search by the exact reference of a request, typed as people do (« k7qm 2x4p »):
    `icontains` over a million rows would scan the table, the unique index answers an exact
    match at once."""

    reference_lookup = "reference"
    search_help_text = _("Référence de la demande, par exemple K7QM-2X4P.")

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if not term:
            return queryset, False
        candidates = {term, term.upper(), normalise_reference(term)} - {None}
        return queryset.filter(**{f"{self.reference_lookup}__in": sorted(candidates)}), False


class ReadOnlyAdminMixin:
    """Shown, never written from the admin."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class DocumentSizeMixin:
    @admin.display(description=_("taille"), ordering="size")
    def size_display(self, document: Document) -> str:
        return taille(document.size)


class ReadOnlyInline(ReadOnlyAdminMixin, admin.TabularInline):
    extra = 0
    can_delete = False


class EventInline(ReadOnlyInline):
    model = Event
    fields = ["created_at", "kind", "visibility", "actor", "payload"]
    readonly_fields = fields
    ordering = ["created_at", "id"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")


class MessageInline(ReadOnlyInline):
    model = Message
    fields = ["created_at", "direction", "author", "body", "read_at"]
    readonly_fields = fields
    ordering = ["created_at", "id"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("author")


class DocumentInline(DocumentSizeMixin, ReadOnlyInline):
    model = Document
    fields = ["created_at", "kind", "original_name", "content_type", "size_display"]
    readonly_fields = fields
    ordering = ["created_at", "id"]


class ServiceRequestAdminForm(forms.ModelForm):
    def clean(self):
        cleaned_data = super().clean()
        # An anonymous report may have no email; other procedures' requests need one
        # (drafts.email_required, as request_submit checks it).
        filed = self.instance.status != Status.DRAFT
        anonymous = not cleaned_data.get("citizen") and not cleaned_data.get("contact_email")
        if filed and anonymous and self._needs_email(cleaned_data):
            raise ValidationError(
                _("Une demande déposée doit avoir un usager ou un courriel de contact.")
            )
        return cleaned_data

    def _needs_email(self, cleaned_data) -> bool:
        version = cleaned_data.get("form_version") or self.instance.form_version
        procedure = cleaned_data.get("procedure") or self.instance.procedure
        data = cleaned_data.get("data") or self.instance.data or {}
        return drafts.email_required(procedure, FormRun(version.schema, data))


@admin.register(ServiceRequest)
class ServiceRequestAdmin(ReferenceSearchMixin, SimpleHistoryAdmin):
    form = ServiceRequestAdminForm
    list_display = [
        "reference",
        "procedure",
        "status",
        "requester",
        "channel",
        "team",
        "assignee",
        "received_on",
        "decision_due_on",
        "decided_on",
    ]
    list_select_related = ["procedure", "team", "assignee", "citizen"]
    list_filter = ["status", "channel", "team", "procedure"]
    search_fields = ["reference"]
    show_full_result_count = False
    ordering = ["-id"]
    autocomplete_fields = ["citizen", "organisation"]
    fieldsets = [
        (
            _("Demande"),
            {
                "fields": [
                    "reference",
                    "procedure",
                    "form_version",
                    "channel",
                    "status",
                    "filed_by",
                    "submitted_at",
                ]
            },
        ),
        (
            _("Demandeur"),
            {
                "fields": [
                    "citizen",
                    "organisation",
                    "contact_name",
                    "contact_email",
                    "contact_phone",
                ]
            },
        ),
        (
            _("Instruction"),
            {
                "fields": [
                    "team",
                    "assignee",
                    "received_on",
                    "completed_on",
                    "decision_due_on",
                    "decided_on",
                    "implicit_decision_triggered_at",
                ]
            },
        ),
        (_("Réponses"), {"fields": ["data"]}),
        (_("Dates"), {"fields": ["created_at", "updated_at"]}),
    ]
    # Status, routing and legal dates change only through the services, which write the
    # timeline; the tracking secret is never shown.
    readonly_fields = [
        "reference",
        "procedure",
        "form_version",
        "channel",
        "status",
        "filed_by",
        "submitted_at",
        "team",
        "assignee",
        "received_on",
        "completed_on",
        "decision_due_on",
        "decided_on",
        "implicit_decision_triggered_at",
        "data",
        "created_at",
        "updated_at",
    ]
    inlines = [EventInline, MessageInline, DocumentInline]

    @admin.display(description=_("demandeur"))
    def requester(self, obj: ServiceRequest) -> str:
        return str(obj.citizen) if obj.citizen_id else obj.contact_email

    def has_add_permission(self, request) -> bool:
        # Filing generates the reference and the tracking secret and writes the first event.
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        # A request is a public record with its audit trail; retention runs purge it.
        return False


@admin.register(Event)
class EventAdmin(ReferenceSearchMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    reference_lookup = "request__reference"
    list_display = ["created_at", "request", "kind", "visibility", "actor"]
    list_filter = ["kind", "visibility"]
    list_select_related = ["request", "actor"]
    search_fields = ["request__reference"]
    show_full_result_count = False
    ordering = ["-id"]
    fields = ["request", "created_at", "kind", "visibility", "actor", "payload"]


@admin.register(Message)
class MessageAdmin(ReferenceSearchMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    reference_lookup = "request__reference"
    list_display = ["created_at", "request", "direction", "author", "read_at"]
    list_filter = ["direction"]
    list_select_related = ["request", "author"]
    search_fields = ["request__reference"]
    show_full_result_count = False
    ordering = ["-id"]
    fields = ["request", "direction", "author", "body", "read_at", "created_at"]


@admin.register(Document)
class DocumentAdmin(DocumentSizeMixin, ReferenceSearchMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    reference_lookup = "request__reference"
    list_display = [
        "original_name",
        "kind",
        "content_type",
        "size_display",
        "request",
        "visible_to_citizen",
        "created_at",
    ]
    list_filter = ["kind", "visible_to_citizen"]
    list_select_related = ["request"]
    search_fields = ["request__reference"]
    show_full_result_count = False
    ordering = ["-id"]
    # No `file`: the admin never links to a private file.
    fields = [
        "request",
        "message",
        "kind",
        "original_name",
        "content_type",
        "size_display",
        "sha256",
        "visible_to_citizen",
        "uploaded_by",
        "created_at",
    ]
    readonly_fields = ["size_display"]


@admin.register(Interaction)
class InteractionAdmin(ReferenceSearchMixin, admin.ModelAdmin):
    reference_lookup = "request__reference"
    list_display = [
        "occurred_at",
        "channel",
        "direction",
        "motive",
        "outcome",
        "citizen",
        "request",
        "agent",
        "team",
    ]
    list_filter = ["channel", "direction", "outcome", "team"]
    list_select_related = ["citizen", "request", "agent", "team", "motive"]
    search_fields = ["request__reference"]
    show_full_result_count = False
    autocomplete_fields = ["citizen", "team"]
    raw_id_fields = ["request", "agent"]
    readonly_fields = ["created_at"]


@admin.register(InteractionMotive)
class InteractionMotiveAdmin(admin.ModelAdmin):
    """The list of motives the contact screen offers, in this order. A motive past contacts
    name cannot be deleted (PROTECT): untick « proposé » to stop offering it."""

    list_display = ["label", "position", "is_active"]
    list_editable = ["position", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["label"]
    ordering = ["position", "label"]
    actions = ["deactivate", "activate"]

    @admin.action(description=_("Ne plus proposer les motifs sélectionnés"))
    def deactivate(self, request, queryset):
        queryset.update(is_active=False)

    @admin.action(description=_("Proposer de nouveau les motifs sélectionnés"))
    def activate(self, request, queryset):
        queryset.update(is_active=True)


@admin.register(RoutingRule)
class RoutingRuleAdmin(SimpleHistoryAdmin):
    list_display = ["priority", "name", "procedure", "team", "is_active"]
    list_filter = ["is_active", "team"]
    list_select_related = ["procedure", "team"]
    search_fields = ["name"]
    autocomplete_fields = ["procedure", "team"]


@admin.register(DocumentRequest)
class DocumentRequestAdmin(ReferenceSearchMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Asked and answered through the services, which move the legal dates with them."""

    reference_lookup = "request__reference"
    list_display = ["request", "asked_on", "answer_deadline", "answered_on", "asked_by"]
    list_select_related = ["request", "asked_by"]
    search_fields = ["request__reference"]
    show_full_result_count = False


@admin.register(NotificationSent)
class NotificationSentAdmin(ReferenceSearchMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    reference_lookup = "request__reference"
    list_display = ["request", "kind", "due_on", "days_before", "sent_at"]
    list_filter = ["kind"]
    list_select_related = ["request"]
    search_fields = ["request__reference"]
    show_full_result_count = False


@admin.register(TeamTask)
class TeamTaskAdmin(ReferenceSearchMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    reference_lookup = "request__reference"
    list_display = ["request", "team", "kind", "opened_on", "due_on", "done_at"]
    list_filter = ["kind", "team"]
    list_select_related = ["request", "team"]
    search_fields = ["request__reference"]
    show_full_result_count = False


@admin.register(SatisfactionAnswer)
class SatisfactionAnswerAdmin(ReferenceSearchMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """The citizens' opinions, as they gave them: read only."""

    reference_lookup = "request__reference"
    list_display = ["created_at", "request", "rating", "comment"]
    list_filter = ["rating"]
    list_select_related = ["request"]
    search_fields = ["request__reference"]
    show_full_result_count = False
    ordering = ["-id"]
    fields = ["request", "rating", "comment", "created_at"]


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReferenceSearchMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """The side effects waiting for the worker, done, or given up after a day of attempts
    (service_requests.outbox): a failed row is an email that did not go, to look at and retry
    once its cause is fixed."""

    reference_lookup = "request__reference"
    list_display = ["id", "task", "args", "request", "state", "attempts", "created_at"]
    list_display += ["next_attempt_at", "done_at", "last_error"]
    list_filter = ["state", "task"]
    list_select_related = ["request"]
    search_fields = ["request__reference"]
    show_full_result_count = False
    ordering = ["-id"]
    actions = ["retry"]

    def has_retry_permission(self, request) -> bool:
        return request.user.has_perm("service_requests.change_outboxmessage")

    @admin.action(description=_("Réessayer maintenant"), permissions=["retry"])
    def retry(self, request, queryset):
        from service_requests.outbox import outbox_retry

        count = outbox_retry(ids=queryset.values_list("pk", flat=True))
        self.message_user(request, _("%(count)s message(s) remis à envoyer.") % {"count": count})
