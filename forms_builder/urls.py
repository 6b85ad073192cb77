from django.urls import path

from forms_builder import views

app_name = "forms_builder"

urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("<slug:slug>/", views.procedure_detail, name="procedure"),
]
