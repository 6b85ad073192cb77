from django.urls import path

from service_requests.views import filing, tracking

app_name = "service_requests"

urlpatterns = [
    path("suivi/", tracking.lookup, name="lookup"),
    path("suivi/nouveau-lien/", tracking.new_link, name="new_link"),
    path("suivi/<str:reference>/", tracking.request_page, name="tracking"),
    path("suivi/<str:reference>/messages/", tracking.post_message, name="post_message"),
    path(
        "suivi/<str:reference>/documents/<int:document_id>/",
        tracking.download_document,
        name="document",
    ),
    path("suivi/<str:reference>/accuse-de-reception/", tracking.receipt, name="receipt"),
    path("suivi/<str:reference>/motifs/", tracking.ask_reasons, name="ask_reasons"),
    path("suivi/<str:reference>/decision/", tracking.decision_document, name="decision_document"),
    path("suivi/<str:reference>/pieces/", tracking.send_documents, name="send_documents"),
    path("suivi/<str:reference>/avis/", tracking.answer_satisfaction, name="satisfaction"),
    path("suivi/<str:reference>/retrait/", tracking.withdraw, name="withdraw"),
    path("suivi/<str:reference>/<str:token>/", tracking.secret_link, name="secret_link"),
    # Filing a démarche: under /demarches/, but forms_builder imports no other app. The fixed
    # steps come before "<page_id>/" (page ids are lower-case letters, digits and "_").
    path("demarches/<slug:slug>/deposer/", filing.start, name="filing_start"),
    path("demarches/<slug:slug>/deposer/verification/", filing.review, name="filing_review"),
    path("demarches/<slug:slug>/deposer/coordonnees/", filing.contact, name="filing_contact"),
    path(
        "demarches/<slug:slug>/deposer/confirmation/<str:reference>/",
        filing.confirmation,
        name="filing_confirmation",
    ),
    path(
        "demarches/<slug:slug>/deposer/a-partir-de/<str:reference>/",
        filing.start_from,
        name="filing_start_from",
    ),
    path("demarches/<slug:slug>/deposer/<slug:page_id>/", filing.page, name="filing_page"),
]
