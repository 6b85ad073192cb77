from django.urls import path

from gru.views import proconnect

app_name = "proconnect"
urlpatterns = [
    path("connexion/", proconnect.Login.as_view(), name="login"),
    path("retour/", proconnect.Callback.as_view(), name="callback"),
    path("deconnexion/", proconnect.Logout.as_view(), name="logout"),
    path("deconnexion/retour/", proconnect.LogoutCallback.as_view(), name="logout_callback"),
]
