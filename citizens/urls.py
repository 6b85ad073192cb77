from django.urls import path

from citizens.views import profile

app_name = "citizens"
urlpatterns = [
    path("", profile.profile, name="profile"),
]
