from django.urls import path

from backoffice.views import (
    cases,
    citizen_record,
    exports,
    home,
    interactions,
    merges,
    on_behalf,
    preferences,
    queues,
    search,
)
from backoffice.views.pilotage import forecast as pilotage_forecast
from backoffice.views.pilotage import overview as pilotage_overview
from backoffice.views.pilotage import radar as pilotage_radar
from backoffice.views.pilotage import report as pilotage_report

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
    path("equipes/<slug:slug>/exporter/", exports.start, name="queue_export"),
    path("exports/", exports.index, name="exports"),
    path("exports/<int:pk>/", exports.detail, name="export"),
    path("exports/<int:pk>/etat/", exports.state, name="export_state"),
    path("exports/<int:pk>/telecharger/", exports.download, name="export_download"),
    path("preferences/", preferences.preferences, name="preferences"),  # agents' emails
    path("demandes/<str:reference>/", cases.case, name="case"),
    path("demandes/<str:reference>/actions/<slug:action>/", cases.act, name="case_action"),
    path(
        "demandes/<str:reference>/documents/<int:document_id>/",
        cases.download_document,
        name="case_document",
    ),
    # The one-stop shop (issue 11)
    path("usagers/", search.search, name="citizen_search"),
    path("usagers/nouveau/", on_behalf.new_citizen, name="citizen_new"),
    path("usagers/doublons/", merges.duplicates, name="duplicates"),
    path("usagers/<int:pk>/", citizen_record.record, name="citizen"),
    path("usagers/<int:pk>/modifier/", citizen_record.edit, name="citizen_edit"),
    path(
        "usagers/<int:pk>/organisations/ajouter/",
        citizen_record.add_representation,
        name="citizen_representation",
    ),
    path(
        "usagers/<int:pk>/liens/ajouter/",
        citizen_record.add_relationship,
        name="citizen_relationship",
    ),
    path("usagers/<int:pk>/contact/", interactions.log_contact, name="citizen_contact"),
    path("usagers/<int:pk>/deposer/", on_behalf.choose_procedure, name="file_choose"),
    path("usagers/<int:pk>/deposer/<slug:slug>/", on_behalf.fill, name="file_fill"),
    path("demandes/<str:reference>/depot/", on_behalf.filed, name="file_done"),
    path(
        "demandes/<str:reference>/depot/accuse-reception/",
        on_behalf.receipt,
        name="file_receipt",
    ),
    path("usagers/<int:pk>/fusionner/<int:other>/", merges.merge, name="citizen_merge"),
    path("fusions/<int:merge_id>/annuler/", merges.undo, name="merge_undo"),
    path("contacts/nouveau/", interactions.log_anonymous_contact, name="contact_anonymous"),
    path("organisations/<int:pk>/", citizen_record.organisation, name="organisation"),
    # Steering dashboards (issue 14)
    path("pilotage/", pilotage_overview.overview, name="pilotage"),
    path("pilotage/csv/<slug:slug>/", pilotage_overview.chart_csv, name="pilotage_csv"),
    path("pilotage/charge/", pilotage_forecast.forecast, name="pilotage_forecast"),
    path(
        "pilotage/charge/<slug:slug>/csv/",
        pilotage_forecast.forecast_csv,
        name="pilotage_forecast_csv",
    ),
    path("pilotage/radar/", pilotage_radar.radar, name="pilotage_radar"),
    path("pilotage/rapport/", pilotage_report.report, name="pilotage_report"),
    path("pilotage/rapport/pdf/", pilotage_report.report_pdf, name="pilotage_report_pdf"),
]
