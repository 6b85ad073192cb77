"""What the API answers and accepts. Representations only: the views call the services."""

from django.urls import reverse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from citizens.models import Citizen
from forms_builder.models import Procedure
from service_requests.models import Document, Event, ServiceRequest, Status
from service_requests.permissions import DECISIONS, allowed_actions

# The actions the API offers, by the lifecycle's names they go through.
API_ACTIONS = ("message", "ask_documents", *sorted(DECISIONS))


class ProcedureSerializer(serializers.ModelSerializer):
    default_team = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = Procedure
        fields = [
            "slug",
            "title",
            "summary",
            "category",
            "kind",
            "silence_rule",
            "silence_delay",
            "default_team",
            "is_published",
            "updated_at",
        ]


class RequestListSerializer(serializers.ModelSerializer):
    procedure = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    team = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = ServiceRequest
        fields = [
            "id",
            "reference",
            "url",
            "procedure",
            "team",
            "status",
            "channel",
            "received_on",
            "completed_on",
            "decision_due_on",
            "decided_on",
            "submitted_at",
            "updated_at",
        ]

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, obj) -> str:
        path = reverse("api:request-detail", args=[obj.reference])
        return self.context["request"].build_absolute_uri(path)

    def to_representation(self, obj) -> dict:
        """A list row written directly (the declared fields above make the schema, and the
        tests compare both): DRF's field-by-field representation of 50 rows cost more CPU than
        the rest of the request. Rows come from `api.selectors.requests_for_client`, which
        reads only these columns and the slugs."""
        prefix = getattr(self, "_url_prefix", None)
        if prefix is None:  # the detail's URL is the list's plus the reference
            prefix = self.context["request"].build_absolute_uri(reverse("api:request-list"))
            self._url_prefix = prefix
        return _row(obj, f"{prefix}{obj.reference}/", obj.procedure_slug, obj.team_slug)


def _row(obj, url: str, procedure: str, team: str | None) -> dict:
    """The fields a list row and the detail share, in the declared order."""
    return {
        "id": obj.id,
        "reference": obj.reference,
        "url": url,
        "procedure": procedure,
        "team": team,
        "status": obj.status,
        "channel": obj.channel,
        "received_on": _day(obj.received_on),
        "completed_on": _day(obj.completed_on),
        "decision_due_on": _day(obj.decision_due_on),
        "decided_on": _day(obj.decided_on),
        "submitted_at": _instant(obj.submitted_at),
        "updated_at": _instant(obj.updated_at),
    }


def _day(value) -> str | None:
    return value.isoformat() if value is not None else None


def _instant(value) -> str | None:
    """As DRF writes a datetime: in the current time zone, ISO 8601."""
    if value is None:
        return None
    text = timezone.localtime(value).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


class DocumentSerializer(serializers.ModelSerializer):
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Document
        fields = [
            "id",
            "kind",
            "original_name",
            "content_type",
            "size",
            "sha256",
            "visible_to_citizen",
            "message",
            "created_at",
            "download_url",
        ]

    @extend_schema_field(OpenApiTypes.URI)
    def get_download_url(self, obj) -> str:
        path = reverse("api:document-file", args=[self.context["reference"], obj.pk])
        return self.context["request"].build_absolute_uri(path)


class EventSerializer(serializers.ModelSerializer):
    actor = serializers.SerializerMethodField()

    class Meta:
        model = Event
        fields = ["id", "kind", "visibility", "actor", "payload", "created_at"]

    def get_actor(self, obj) -> str | None:
        return str(obj.actor) if obj.actor_id else None


class FeedEventSerializer(EventSerializer):
    request = serializers.SlugRelatedField(slug_field="reference", read_only=True)

    class Meta(EventSerializer.Meta):
        fields = ["id", "request", *EventSerializer.Meta.fields[1:]]


class CitizenSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = Citizen
        fields = ["id", "given_names", "family_name", "usage_name", "email"]


class RequestDetailSerializer(RequestListSerializer):
    answers = serializers.JSONField(source="data", read_only=True)
    form_version = serializers.IntegerField(source="form_version.number", read_only=True)
    assignee = serializers.SerializerMethodField()
    citizen = CitizenSummarySerializer(read_only=True, allow_null=True)
    documents = serializers.SerializerMethodField()
    events = serializers.SerializerMethodField()
    actions = serializers.SerializerMethodField()

    class Meta(RequestListSerializer.Meta):
        fields = [
            *RequestListSerializer.Meta.fields,
            "form_version",
            "answers",
            "contact_name",
            "contact_email",
            "contact_phone",
            "citizen",
            "assignee",
            "documents",
            "events",
            "actions",
        ]

    def to_representation(self, obj) -> dict:
        """Written directly, as the list's rows: DRF built some 23 fields per request (the
        nested documents' and events' serializers included), a third of the request's CPU. The
        declared fields make the schema; `tests/api/test_requests.py` compares this with DRF's
        field-by-field representation. `obj` comes from `api.selectors.request_for_client`."""
        request = self.context["request"]
        url = request.build_absolute_uri(reverse("api:request-detail", args=[obj.reference]))
        citizen = obj.citizen
        team = obj.team.slug if obj.team_id else None
        return {
            **_row(obj, url, obj.procedure.slug, team),
            "form_version": obj.form_version.number,
            "answers": obj.data,
            "contact_name": obj.contact_name,
            "contact_email": obj.contact_email,
            "contact_phone": obj.contact_phone,
            "citizen": None
            if citizen is None
            else {name: getattr(citizen, name) for name in CitizenSummarySerializer.Meta.fields},
            "assignee": self.get_assignee(obj),
            "documents": [
                {
                    "id": document.id,
                    "kind": document.kind,
                    "original_name": document.original_name,
                    "content_type": document.content_type,
                    "size": document.size,
                    "sha256": document.sha256,
                    "visible_to_citizen": document.visible_to_citizen,
                    "message": document.message_id,
                    "created_at": _instant(document.created_at),
                    "download_url": f"{url}documents/{document.id}/file/",
                }
                for document in obj.api_documents
            ],
            "events": [
                {
                    "id": event.id,
                    "kind": event.kind,
                    "visibility": event.visibility,
                    "actor": str(event.actor) if event.actor_id else None,
                    "payload": event.payload,
                    "created_at": _instant(event.created_at),
                }
                for event in obj.api_events
            ],
            "actions": self.get_actions(obj),
        }

    def get_assignee(self, obj) -> str | None:
        return str(obj.assignee) if obj.assignee_id else None

    @extend_schema_field(DocumentSerializer(many=True))
    def get_documents(self, obj):
        context = {**self.context, "reference": obj.reference}
        return DocumentSerializer(obj.api_documents, many=True, context=context).data

    @extend_schema_field(EventSerializer(many=True))
    def get_events(self, obj):
        return EventSerializer(obj.api_events, many=True).data

    @extend_schema_field(
        serializers.ListField(child=serializers.ChoiceField(choices=list(API_ACTIONS)))
    )
    def get_actions(self, obj) -> list[str]:
        """The actions this client may take now (its role and the request's state)."""
        allowed = allowed_actions(self.context["request"].user, obj)
        return [name for name in API_ACTIONS if name in allowed]


# --- Filters and actions' input -------------------------------------------------------------


class RequestFilterSerializer(serializers.Serializer):
    team = serializers.SlugField(required=False, help_text="Identifiant (slug) d'une équipe.")
    status = serializers.ChoiceField(
        choices=[s for s in Status.values if s != Status.DRAFT], required=False
    )
    procedure = serializers.SlugField(required=False, help_text="Identifiant d'une démarche.")
    received_from = serializers.DateField(required=False, help_text="Reçues ce jour ou après.")
    received_to = serializers.DateField(required=False, help_text="Reçues ce jour ou avant.")
    updated_since = serializers.DateTimeField(
        required=False, help_text="Modifiées à cet instant ou après (ISO 8601)."
    )

    def validate(self, attrs):
        start, end = attrs.get("received_from"), attrs.get("received_to")
        if start and end and start > end:
            raise serializers.ValidationError(
                {"received_to": "La date de fin précède la date de début."}
            )
        return attrs


class EventFilterSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Event.Kind.choices, required=False)
    request = serializers.CharField(required=False, max_length=20, help_text="Référence.")
    created_since = serializers.DateTimeField(required=False)


class CitizenSearchSerializer(serializers.Serializer):
    q = serializers.CharField(max_length=200, help_text="Nom, courriel, téléphone, date…")


class CitizenHitSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    display_name = serializers.CharField()
    birth_name = serializers.CharField()
    birth_date = serializers.DateField(allow_null=True)
    city = serializers.CharField()


class CitizenSerializer(serializers.ModelSerializer):
    class Meta:
        model = Citizen
        fields = [
            "id",
            "given_names",
            "family_name",
            "usage_name",
            "birth_date",
            "email",
            "phone",
            "street",
            "postcode",
            "city",
            "preferred_channel",
            "identity_assurance",
        ]


class TextField(serializers.CharField):
    """A JSON string, and nothing else: DRF's CharField turns 123 or true into the text « 123 »
    or « True », which would then be sent to the citizen as a message or a motive."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class MessageInputSerializer(serializers.Serializer):
    body = TextField(max_length=5000, trim_whitespace=True)
    files = serializers.ListField(
        child=serializers.FileField(), required=False, max_length=5, allow_empty=True
    )


class DocumentInputSerializer(serializers.Serializer):
    file = serializers.FileField()
    message = TextField(
        max_length=5000, help_text="Le message à l'usager qui accompagne le document."
    )


class AskDocumentsInputSerializer(serializers.Serializer):
    pieces = serializers.ListField(child=TextField(max_length=200), min_length=1, max_length=10)
    answer_deadline = serializers.DateField()
    seen_event_id = serializers.IntegerField(required=False, allow_null=True, min_value=0)


class DecisionInputSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=sorted(DECISIONS))
    motive = TextField(max_length=5000, required=False, allow_blank=True, default="")
    seen_event_id = serializers.IntegerField(required=False, allow_null=True, min_value=0)
