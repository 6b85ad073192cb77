"""Requests: the list (filters, cursor pages), one request with its answers, documents and
events, and a document's file."""

from django.http import FileResponse, Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response

from api.models import REQUESTS_READ
from api.selectors import request_for_client, requests_for_client
from api.serializers import RequestDetailSerializer, RequestFilterSerializer, RequestListSerializer
from api.views.base import ApiView
from gru.models import AccessLog
from gru.services import access_log_record


class RequestList(ApiView):
    scopes = {"GET": REQUESTS_READ}
    serializer_class = RequestListSerializer

    @extend_schema(
        operation_id="requests_list",
        parameters=[RequestFilterSerializer],
        summary="Les demandes des équipes du client",
        responses=RequestListSerializer(many=True),
    )
    def get(self, request):
        filters = RequestFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        queryset = requests_for_client(request.user, filters.validated_data)
        page = self.paginate_queryset(queryset)
        serializer = self.get_serializer(page, many=True)
        return self.get_paginated_response(serializer.data)


class RequestDetail(ApiView):
    scopes = {"GET": REQUESTS_READ}
    serializer_class = RequestDetailSerializer

    @extend_schema(operation_id="requests_retrieve", summary="Une demande")
    def get(self, request, reference: str):
        service_request = request_for_client(request.user, reference)
        access_log_record(
            user=request.user,
            action=AccessLog.Action.VIEW_REQUEST,
            request_reference=service_request.reference,
            citizen_id=service_request.citizen_id,
        )
        return Response(self.get_serializer(service_request).data)


class AnyFileRenderer(BaseRenderer):
    """Lets any Accept through to a file (the errors are still JSON)."""

    media_type = "*/*"
    format = "file"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return JSONRenderer().render(data, "application/json", renderer_context)


class DocumentFile(ApiView):
    scopes = {"GET": REQUESTS_READ}
    renderer_classes = [JSONRenderer, AnyFileRenderer]

    @extend_schema(
        operation_id="requests_documents_file",
        summary="Le fichier d'un document",
        responses={
            (200, "application/octet-stream"): OpenApiResponse(
                OpenApiTypes.BINARY, description="Le fichier."
            )
        },
    )
    def get(self, request, reference: str, document_id: int):
        service_request = request_for_client(request.user, reference, detail=False)
        document = service_request.documents.filter(pk=document_id).first()
        if document is None:
            raise Http404
        access_log_record(
            user=request.user,
            action=AccessLog.Action.DOWNLOAD_DOCUMENT,
            request_reference=service_request.reference,
            citizen_id=service_request.citizen_id,
            document_id=document.pk,
        )
        response = FileResponse(
            document.file.open("rb"),
            as_attachment=True,
            filename=document.original_name,
            content_type=document.content_type,
        )
        response["X-Content-Type-Options"] = "nosniff"
        return response
