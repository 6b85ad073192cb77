from django.urls import re_path

from open311 import views

app_name = "open311"

FMT = r"\.(?P<fmt>json|xml)$"
urlpatterns = [
    re_path(r"^discovery" + FMT, views.discovery, name="discovery"),
    re_path(r"^services" + FMT, views.services, name="services"),
    re_path(r"^services/(?P<code>[-a-z0-9_]+)" + FMT, views.service_definition, name="service"),
    re_path(r"^requests" + FMT, views.requests_, name="requests"),
    re_path(r"^requests/(?P<reference>[-A-Za-z0-9]+)" + FMT, views.request_detail, name="request"),
]
