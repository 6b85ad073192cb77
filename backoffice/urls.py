from django.urls import path

from backoffice.views import cases, home, preferences, queues

app_name = "backoffice"

urlpatterns = [
    path("", home.home, name="home"),
    path("equipes/<slug:slug>/", queues.queue, name="queue"),
    path("equipes/<slug:slug>/actions/", queues.bulk, name="queue_bulk"),
    path("equipes/<slug:slug>/vues/", queues.save_view, name="queue_save_view"),
    path(
        "equipes/<slug:slug>/vues/<int:view_id>/supprimer/",
        queues.delete_view,
        name="queue_delete_view",
    ),
    path("preferences/", preferences.preferences, name="preferences"),  # agents' emails
    path("demandes/<str:reference>/", cases.case, name="case"),
    path("demandes/<str:reference>/actions/<slug:action>/", cases.act, name="case_action"),
    path(
        "demandes/<str:reference>/documents/<int:document_id>/",
        cases.download_document,
        name="case_document",
    ),
]
