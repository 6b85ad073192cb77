"""Procedures, the event feed and citizens' records (for the clients granted them)."""

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from api.models import CITIZENS_READ, EVENTS_READ, REQUESTS_READ
from api.selectors import citizen_for_client, events_for_client
from api.serializers import (
    CitizenHitSerializer,
    CitizenSearchSerializer,
    CitizenSerializer,
    EventFilterSerializer,
    FeedEventSerializer,
    ProcedureSerializer,
)
from api.views.base import ApiView
from citizens.search import search_citizens
from forms_builder.models import Procedure
from gru.models import AccessLog
from gru.services import access_log_record
from service_requests.citizen_search import citizens_by_reference
from service_requests.permissions import may


class ProcedureList(ApiView):
    scopes = {"GET": REQUESTS_READ}
    serializer_class = ProcedureSerializer

    @extend_schema(
        operation_id="procedures_list",
        summary="Les démarches",
        responses=ProcedureSerializer(many=True),
    )
    def get(self, request):
        queryset = Procedure.objects.select_related("default_team")
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class ProcedureDetail(ApiView):
    scopes = {"GET": REQUESTS_READ}
    serializer_class = ProcedureSerializer

    @extend_schema(operation_id="procedures_retrieve", summary="Une démarche")
    def get(self, request, slug: str):
        found = list(Procedure.objects.select_related("default_team").filter(slug=slug)[:1])
        if not found:
            raise Http404
        return Response(self.get_serializer(found[0]).data)


class EventList(ApiView):
    scopes = {"GET": EVENTS_READ}
    serializer_class = FeedEventSerializer

    @extend_schema(
        operation_id="events_list",
        parameters=[EventFilterSerializer],
        summary="Les événements des demandes du client, dans l'ordre où ils sont écrits",
        responses=FeedEventSerializer(many=True),
    )
    def get(self, request):
        filters = EventFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        page = self.paginate_queryset(events_for_client(request.user, filters.validated_data))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


def _may_find(user) -> None:
    """The technical user's role must let it find citizens, as an agent's would."""
    if not may(user, "find"):
        raise Http404


class CitizenSearch(ApiView):
    scopes = {"GET": CITIZENS_READ}
    serializer_class = CitizenHitSerializer
    pagination_class = None

    @extend_schema(
        operation_id="citizens_search",
        parameters=[CitizenSearchSerializer],
        summary="Rechercher des usagers (25 au plus, les plus proches d'abord)",
        responses={200: CitizenHitSerializer(many=True)},
    )
    def get(self, request):
        _may_find(request.user)
        query = CitizenSearchSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        text = query.validated_data["q"]
        results = search_citizens(text, by_reference=citizens_by_reference)
        access_log_record(user=request.user, action=AccessLog.Action.SEARCH, detail=text)
        return Response(self.get_serializer(results.citizens, many=True).data)


class CitizenDetail(ApiView):
    scopes = {"GET": CITIZENS_READ}
    serializer_class = CitizenSerializer

    @extend_schema(operation_id="citizens_retrieve", summary="La fiche d'un usager")
    def get(self, request, citizen_id: int):
        _may_find(request.user)
        citizen = citizen_for_client(citizen_id)
        access_log_record(
            user=request.user, action=AccessLog.Action.VIEW_CITIZEN, citizen_id=citizen.pk
        )
        return Response(self.get_serializer(citizen).data)
