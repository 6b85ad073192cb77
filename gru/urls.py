from django.contrib import admin
from django.urls import include, path

from gru.views import health, pages
from service_requests.views import account

urlpatterns = [
    path("", pages.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("etre-accompagne/", pages.assistance, name="assistance"),
    path("accessibilite/", pages.site_page, {"slug": "accessibilite"}, name="accessibility"),
    path("mentions-legales/", pages.site_page, {"slug": "mentions-legales"}, name="legal_notice"),
    path(
        "donnees-personnelles/",
        pages.site_page,
        {"slug": "donnees-personnelles"},
        name="personal_data",
    ),
    path("demarches/", include("forms_builder.urls")),
    path("", include("service_requests.urls")),
    # The citizen's space and sign-in (allauth, FranceConnect); ProConnect for agents.
    path("compte/", account.home, name="account_home"),
    path("compte/profil/", include("citizens.urls")),
    path("compte/franceconnect/", include("citizens.franceconnect_urls")),
    path("compte/", include("service_requests.urls_account")),
    path("compte/", include("allauth.urls")),
    path("agents/proconnect/", include("gru.proconnect_urls")),
    path("agents/", include("backoffice.urls")),
    path("api/v1/", include("api.urls")),
    path("open311/v2/", include("open311.urls")),
    path("admin/", admin.site.urls),
]

handler400 = "gru.views.errors.bad_request"
handler403 = "gru.views.errors.permission_denied"
handler404 = "gru.views.errors.page_not_found"
handler500 = "gru.views.errors.server_error"
