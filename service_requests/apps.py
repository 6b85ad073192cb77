from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _forget_tracking_grants(sender, request, **kwargs) -> None:
    from service_requests.tracking import forget_grants

    if request is not None and hasattr(request, "session"):
        forget_grants(request.session)


class ServiceRequestsConfig(AppConfig):
    name = "service_requests"
    verbose_name = _("Demandes et contacts")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in, user_logged_out

        # A shared computer: the next person to sign in does not inherit what the previous
        # visitor's secret link opened (issue 13, item 7).
        user_logged_in.connect(_forget_tracking_grants, dispatch_uid="tracking_grants_login")
        user_logged_out.connect(_forget_tracking_grants, dispatch_uid="tracking_grants_logout")
