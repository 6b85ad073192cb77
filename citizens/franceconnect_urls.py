from django.urls import path

from citizens.views import franceconnect

app_name = "franceconnect"
urlpatterns = [
    path("connexion/", franceconnect.Login.as_view(), name="login"),
    path("lier/", franceconnect.Link.as_view(), name="link"),
    path("retour/", franceconnect.Callback.as_view(), name="callback"),
    path("deconnexion/", franceconnect.Logout.as_view(), name="logout"),
    path("deconnexion/retour/", franceconnect.LogoutCallback.as_view(), name="logout_callback"),
]
