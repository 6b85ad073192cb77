"""What the agent screens keep for their users: saved views of a queue."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from gru.models import Team, User


class SavedView(models.Model):
    """A named set of filters of a team's queue, one agent's own."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="saved_views")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("nom"), max_length=80)
    query = models.CharField(_("filtres"), max_length=1000, blank=True)
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)

    class Meta:
        verbose_name = _("vue enregistrée")
        verbose_name_plural = _("vues enregistrées")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "team", "name"], name="savedview_user_team_name_unique"
            ),
            models.CheckConstraint(condition=~models.Q(name=""), name="savedview_name_not_empty"),
        ]

    def __str__(self) -> str:
        return self.name


class ExportFormat(models.TextChoices):
    CSV = "csv", "CSV"
    XLSX = "xlsx", "XLSX (Excel)"


class ExportStatus(models.TextChoices):
    PENDING = "pending", _("En attente")
    RUNNING = "running", _("En cours")
    DONE = "done", _("Prêt")
    FAILED = "failed", _("Échec")
    EXPIRED = "expired", _("Expiré")


class Export(models.Model):
    """A filtered list of requests written to a file by a Celery task (pilotage.exports), kept
    in the private storage and offered to its requester alone for `LIFESPAN` days."""

    Format = ExportFormat
    Status = ExportStatus

    requester = models.ForeignKey(User, on_delete=models.CASCADE, related_name="exports")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    format = models.CharField(_("format"), max_length=4, choices=Format.choices)
    # The queue's filters as its form checked them (service_requests.queues.QueueFilters).
    filters = models.JSONField(_("filtres"), default=dict, blank=True)
    # The same as a query string, to go back to the queue as it was.
    query = models.CharField(_("filtres (adresse)"), max_length=1000, blank=True)
    state = models.CharField(
        _("état"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    progress = models.PositiveSmallIntegerField(_("avancement (%)"), default=0)
    row_count = models.PositiveIntegerField(_("lignes"), null=True, blank=True)
    file = models.FileField(_("fichier"), upload_to="exports/%Y/%m/", blank=True)
    created_at = models.DateTimeField(_("demandé le"), auto_now_add=True)
    finished_at = models.DateTimeField(_("terminé le"), null=True, blank=True)
    expires_at = models.DateTimeField(_("disponible jusqu'au"))

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(format__in=["csv", "xlsx"]), name="export_format_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(state__in=["pending", "running", "done", "failed", "expired"]),
                name="export_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(progress__lte=100), name="export_progress_percent"
            ),
            models.CheckConstraint(
                condition=~models.Q(state="done") | ~models.Q(file=""),
                name="export_done_has_file",
            ),
            models.CheckConstraint(
                condition=~models.Q(state="expired") | models.Q(file=""),
                name="export_expired_has_no_file",
            ),
        ]
        indexes = [
            models.Index(fields=["requester", "-created_at"], name="export_requester_idx"),
            # The nightly deletion of expired files.
            models.Index(
                fields=["expires_at"], condition=~models.Q(file=""), name="export_expiry_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"Export {self.get_format_display()} n°{self.pk}"


class RadarEmail(models.Model):
    """The Monday radar email of a team manager, once a week: the row is written in the
    transaction that sends it, so a second run of the beat task that week finds it."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    week = models.DateField(_("semaine du"))  # the Monday
    request_count = models.PositiveIntegerField(_("demandes à risque"))
    sent_at = models.DateTimeField(_("envoyé le"), auto_now_add=True)

    class Meta:
        verbose_name = _("radar envoyé")
        verbose_name_plural = _("radars envoyés")
        constraints = [
            models.UniqueConstraint(fields=["user", "week"], name="radaremail_once_a_week"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.week:%d/%m/%Y}"
