from django.urls import path

from api.views import actions, docs, reads, requests

app_name = "api"

urlpatterns = [
    path("procedures/", reads.ProcedureList.as_view(), name="procedure-list"),
    path("procedures/<slug:slug>/", reads.ProcedureDetail.as_view(), name="procedure-detail"),
    path("requests/", requests.RequestList.as_view(), name="request-list"),
    path("requests/<str:reference>/", requests.RequestDetail.as_view(), name="request-detail"),
    path(
        "requests/<str:reference>/documents/<int:document_id>/file/",
        requests.DocumentFile.as_view(),
        name="document-file",
    ),
    path(
        "requests/<str:reference>/messages/",
        actions.PostMessage.as_view(),
        name="request-messages",
    ),
    path(
        "requests/<str:reference>/documents/",
        actions.AddDocument.as_view(),
        name="request-documents",
    ),
    path(
        "requests/<str:reference>/ask-documents/",
        actions.AskDocuments.as_view(),
        name="request-ask-documents",
    ),
    path("requests/<str:reference>/decision/", actions.Decide.as_view(), name="request-decide"),
    path("events/", reads.EventList.as_view(), name="event-list"),
    path("citizens/", reads.CitizenSearch.as_view(), name="citizen-search"),
    path("citizens/<int:citizen_id>/", reads.CitizenDetail.as_view(), name="citizen-detail"),
    path("schema/", docs.Schema.as_view(), name="schema"),
    path("docs/", docs.Documentation.as_view(), name="docs"),
]
