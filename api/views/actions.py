"""The actions a business application takes on a request: a message to the citizen, a document
(sent to the citizen with a message), pieces asked for, a decision. Each goes through
`allowed_actions` and the back office's services, so the same lifecycle, guards, events and
legal dates apply; an action the request's state refuses is a 409."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, status
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.response import Response

from api.errors import Conflict
from api.models import REQUESTS_WRITE
from api.selectors import request_for_client
from api.serializers import (
    AskDocumentsInputSerializer,
    DecisionInputSerializer,
    DocumentInputSerializer,
    MessageInputSerializer,
    RequestDetailSerializer,
)
from api.views.base import ApiView
from service_requests import services
from service_requests.permissions import allowed_actions
from service_requests.services.messages import UploadsRefused, message_post_from_agent

DECISION_OUTCOMES = {
    "accept": "accepted",
    "accept_partially": "partially_accepted",
    "reject": "rejected",
}


def _field_error(field: str, error: DjangoValidationError) -> exceptions.ValidationError:
    """A service's refusal of the input, named after the field it concerns."""
    if isinstance(error, UploadsRefused):
        return exceptions.ValidationError({field: error.by_field.get("files", error.messages)})
    return exceptions.ValidationError({field: error.messages})


class RequestAction(ApiView):
    scopes = {"POST": REQUESTS_WRITE}
    action_name = ""
    input_serializer = None
    created = False
    serializer_class = RequestDetailSerializer

    def post(self, request, reference: str):
        service_request = request_for_client(request.user, reference, detail=False)
        data = self.input_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        names = self.lifecycle_names(data.validated_data)
        if not set(names) & allowed_actions(request.user, service_request):
            raise Conflict(
                f"Cette action n'est pas possible sur la demande {service_request.reference} "
                f"dans son état actuel ({service_request.get_status_display().lower()}).",
                code="action_not_allowed",
            )
        self.perform(service_request, request.user, data.validated_data)
        fresh = request_for_client(request.user, service_request.reference)
        return Response(
            self.get_serializer(fresh).data,
            status=status.HTTP_201_CREATED if self.created else status.HTTP_200_OK,
        )

    def lifecycle_names(self, data) -> tuple[str, ...]:
        return (self.action_name,)

    def perform(self, service_request, user, data) -> None:
        raise NotImplementedError


class PostMessage(RequestAction):
    action_name = "message"
    input_serializer = MessageInputSerializer
    parser_classes = [JSONParser, MultiPartParser]
    created = True

    @extend_schema(
        operation_id="requests_messages_create",
        summary="Écrire à l'usager",
        request={
            "application/json": MessageInputSerializer,
            "multipart/form-data": MessageInputSerializer,
        },
        responses={201: RequestDetailSerializer},
    )
    def post(self, request, reference: str):
        return super().post(request, reference)

    def perform(self, service_request, user, data):
        try:
            message_post_from_agent(service_request, user, data["body"], data.get("files") or [])
        except UploadsRefused as refused:
            raise _field_error("files", refused) from None


class AddDocument(RequestAction):
    action_name = "message"
    input_serializer = DocumentInputSerializer
    parser_classes = [MultiPartParser]
    created = True

    @extend_schema(
        operation_id="requests_documents_create",
        summary="Envoyer un document à l'usager",
        request={"multipart/form-data": DocumentInputSerializer},
        responses={201: RequestDetailSerializer},
    )
    def post(self, request, reference: str):
        return super().post(request, reference)

    def perform(self, service_request, user, data):
        try:
            message_post_from_agent(service_request, user, data["message"], [data["file"]])
        except UploadsRefused as refused:
            raise _field_error("file", refused) from None


class AskDocuments(RequestAction):
    action_name = "ask_documents"
    input_serializer = AskDocumentsInputSerializer

    @extend_schema(
        operation_id="requests_ask_documents",
        summary="Demander des pièces à l'usager",
        request=AskDocumentsInputSerializer,
        responses={200: RequestDetailSerializer},
    )
    def post(self, request, reference: str):
        return super().post(request, reference)

    def perform(self, service_request, user, data):
        try:
            services.request_ask_documents(
                request=service_request,
                actor=user,
                pieces=data["pieces"],
                answer_deadline=data["answer_deadline"],
                seen_event_id=data.get("seen_event_id"),
            )
        except DjangoValidationError as invalid:
            raise _field_error("answer_deadline", invalid) from None


class Decide(RequestAction):
    input_serializer = DecisionInputSerializer

    @extend_schema(
        operation_id="requests_decide",
        summary="Décider (accepter, accepter en partie, refuser avec motifs)",
        request=DecisionInputSerializer,
        responses={200: RequestDetailSerializer},
    )
    def post(self, request, reference: str):
        return super().post(request, reference)

    def lifecycle_names(self, data):
        return (data["outcome"],)

    def perform(self, service_request, user, data):
        try:
            with transaction.atomic():
                services.request_decide(
                    request=service_request,
                    actor=user,
                    outcome=DECISION_OUTCOMES[data["outcome"]],
                    motive=data["motive"],
                    seen_event_id=data.get("seen_event_id"),
                )
        except DjangoValidationError as invalid:
            raise _field_error("motive", invalid) from None
