from django.urls import path

from service_requests.views import tracking

app_name = "service_requests"

urlpatterns = [
    path("suivi/", tracking.lookup, name="lookup"),
    path("suivi/<str:reference>/", tracking.request_page, name="tracking"),
    path("suivi/<str:reference>/messages/", tracking.post_message, name="post_message"),
    path(
        "suivi/<str:reference>/documents/<int:document_id>/",
        tracking.download_document,
        name="document",
    ),
    path("suivi/<str:reference>/<str:token>/", tracking.secret_link, name="secret_link"),
]
