"""The API's clients (scoped, hashed tokens) and the log of their calls."""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _

from gru.models import Team

# The scopes a client may be granted: what its token may call (the teams say on what).
REQUESTS_READ = "requests:read"
REQUESTS_WRITE = "requests:write"
CITIZENS_READ = "citizens:read"
EVENTS_READ = "events:read"


class Scope(models.TextChoices):
    REQUESTS_READ = REQUESTS_READ, _("Lire les demandes et les démarches")
    REQUESTS_WRITE = REQUESTS_WRITE, _("Agir sur les demandes (messages, pièces, décisions)")
    CITIZENS_READ = CITIZENS_READ, _("Lire et rechercher les usagers")
    EVENTS_READ = EVENTS_READ, _("Lire les événements")


class ApiClient(models.Model):
    """A business application calling the API with a token.

    The client acts through a technical user of its own (`user`: a `gru.User` with an unusable
    password, never signed in) who holds an instructor's membership in each of the client's
    teams, so the back office's permissions (`service_requests.permissions`) give it an agent's
    reach over those teams; the scopes then narrow what the token may call. The token is shown
    once; only its prefix (for the lookup) and the SHA-256 of the whole token are stored.
    """

    name = models.CharField(_("nom"), max_length=150, unique=True)
    teams = models.ManyToManyField(Team, related_name="api_clients", verbose_name=_("équipes"))
    scopes = ArrayField(
        models.CharField(max_length=30, choices=Scope.choices),
        verbose_name=_("droits"),
        default=list,
        blank=True,
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="api_client",
        verbose_name=_("utilisateur technique"),
    )
    token_prefix = models.CharField(_("préfixe du jeton"), max_length=16, unique=True)
    token_hash = models.CharField(_("empreinte du jeton (SHA-256)"), max_length=64)
    requests_per_minute = models.PositiveIntegerField(
        _("appels par minute"),
        default=600,
        help_text=_("Au-delà, l'API répond 429 avec Retry-After jusqu'à la minute suivante."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("créé par"),
    )
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("révoqué le"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("dernier appel"), null=True, blank=True)

    class Meta:
        verbose_name = _("client de l'API")
        verbose_name_plural = _("clients de l'API")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    scopes__contained_by=[REQUESTS_READ, REQUESTS_WRITE, CITIZENS_READ, EVENTS_READ]
                ),
                name="api_client_scopes_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes


class ApiCall(models.Model):
    """One call to the API: written with a single INSERT, purged after API_CALL_RETENTION_DAYS."""

    client = models.ForeignKey(
        ApiClient, on_delete=models.CASCADE, related_name="calls", null=True, blank=True
    )
    view_name = models.CharField(_("route"), max_length=100)
    path = models.CharField(_("chemin"), max_length=300)
    method = models.CharField(_("méthode"), max_length=10)
    status = models.PositiveSmallIntegerField(_("statut"))
    duration_ms = models.PositiveIntegerField(_("durée (ms)"))
    at = models.DateTimeField(_("date"), db_index=True)

    class Meta:
        verbose_name = _("appel à l'API")
        verbose_name_plural = _("appels à l'API")
        ordering = ["-at"]
        indexes = [models.Index(fields=["client", "-at"], name="api_call_client_at_idx")]

    def __str__(self) -> str:
        return f"{self.method} {self.path} → {self.status}"
