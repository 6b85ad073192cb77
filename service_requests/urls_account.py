"""The signed-in citizen's space under /compte/ (its home, account_home, is in gru/urls.py)."""

from django.urls import path

from service_requests.views import account

app_name = "account_space"

urlpatterns = [
    path("documents/", account.documents, name="documents"),
    path("demandes/<str:reference>/rattacher/", account.claim, name="claim"),
    path("brouillons/<str:reference>/supprimer/", account.discard_draft, name="discard_draft"),
]
