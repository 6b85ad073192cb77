"""What an Open311 client sent beside the form's answers: the position and the free-text
address, and which API client filed the report."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class GeoReport(models.Model):
    request = models.OneToOneField(
        "service_requests.ServiceRequest",
        on_delete=models.PROTECT,
        related_name="georeport",
        verbose_name=_("demande"),
    )
    client = models.ForeignKey(
        "api.ApiClient", on_delete=models.PROTECT, related_name="+", verbose_name=_("client")
    )
    lat = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True)
    long = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True)
    address_string = models.CharField(_("adresse donnée"), max_length=250, blank=True)
    device_id = models.CharField(_("appareil"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("reçu le"), auto_now_add=True)

    class Meta:
        verbose_name = _("signalement Open311")
        verbose_name_plural = _("signalements Open311")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(lat__isnull=True, long__isnull=True)
                | models.Q(lat__gte=-90, lat__lte=90, long__gte=-180, long__lte=180),
                name="georeport_position_valid",
            ),
        ]

    def __str__(self) -> str:
        return str(self.request_id)
