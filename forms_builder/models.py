"""Démarches (procedures) and their versioned, immutable form schemas."""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from gru.models import Team

# The catalogue's full-text search: French stemming, accents ignored (migration 0002's config).
SEARCH_CONFIG = "fr_unaccent"

# ISO 8601 durations the legal texts use: days, weeks or months ("P2M", "P30D", "P8W").
DELAY_PATTERN = r"^P[1-9][0-9]{0,2}[DWM]$"
delay_validator = RegexValidator(
    DELAY_PATTERN, _("Indiquez une durée ISO 8601 en jours, semaines ou mois, par exemple P2M.")
)


class Audience(models.TextChoices):
    INDIVIDUALS = "individuals", _("Particuliers")
    PROFESSIONALS = "professionals", _("Professionnels")
    ASSOCIATIONS = "associations", _("Associations")


class SilenceRule(models.TextChoices):
    NONE = "none", _("Pas de décision implicite")
    ACCEPTANCE = "acceptance", _("Le silence vaut acceptation")
    REJECTION = "rejection", _("Le silence vaut rejet")


def _silence_constraint(prefix: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=(models.Q(silence_rule="none") & models.Q(silence_delay=""))
        | (
            models.Q(silence_rule__in=["acceptance", "rejection"])
            & models.Q(silence_delay__regex=DELAY_PATTERN)
        ),
        name=f"{prefix}_silence_rule_has_delay",
    )


class Procedure(models.Model):
    """A démarche: what a citizen can ask for, and the legal frame of the answer."""

    class Kind(models.TextChoices):
        INFORMATION = "information", _("Demande d'information")
        REPORT = "report", _("Signalement")
        DECISION = "decision", _("Décision administrative")
        GRANT = "grant", _("Subvention")
        COMPLAINT = "complaint", _("Réclamation")

    class Identification(models.TextChoices):
        NONE = "none", _("Sans compte (anonyme possible)")
        ACCOUNT = "account", _("Compte requis")
        FRANCECONNECT = "franceconnect", _("FranceConnect requis")

    slug = models.SlugField(_("identifiant"), max_length=80, unique=True)
    title = models.CharField(_("intitulé"), max_length=200)
    summary = models.CharField(_("résumé"), max_length=300)
    description = models.TextField(_("présentation"), blank=True)
    category = models.CharField(_("catégorie"), max_length=80)
    audiences = ArrayField(
        models.CharField(max_length=15, choices=Audience.choices),
        verbose_name=_("publics"),
        default=list,
    )
    kind = models.CharField(_("nature"), max_length=15, choices=Kind.choices)
    identification = models.CharField(
        _("identification"),
        max_length=15,
        choices=Identification.choices,
        default=Identification.NONE,
    )
    silence_rule = models.CharField(
        _("règle du silence"), max_length=10, choices=SilenceRule.choices, default=SilenceRule.NONE
    )
    silence_delay = models.CharField(
        _("délai"),
        max_length=6,
        blank=True,
        validators=[delay_validator],
        help_text=_("Durée ISO 8601 : P2M pour deux mois, P30D pour trente jours."),
    )
    default_team = models.ForeignKey(
        Team,
        on_delete=models.PROTECT,
        related_name="procedures",
        verbose_name=_("équipe par défaut"),
    )
    required_documents = models.JSONField(
        _("pièces à fournir"), default=list, blank=True, help_text=_("Liste de libellés.")
    )
    retention_months = models.PositiveSmallIntegerField(
        _("durée de conservation après clôture (mois)"), default=60
    )
    is_published = models.BooleanField(_("publiée"), default=False)
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifiée le"), auto_now=True)
    # What the catalogue's search matches and ranks, kept by PostgreSQL as the row is written:
    # computed per search over 200 démarches, it was 9 ms of each search (forms_builder.selectors).
    search_vector = models.GeneratedField(
        expression=SearchVector("title", weight="A", config=SEARCH_CONFIG)
        + SearchVector("summary", "category", "description", weight="B", config=SEARCH_CONFIG),
        output_field=SearchVectorField(),
        db_persist=True,
    )
    history = HistoricalRecords(excluded_fields=["search_vector"])

    class Meta:
        verbose_name = _("démarche")
        verbose_name_plural = _("démarches")
        ordering = ["title"]
        constraints = [
            _silence_constraint("procedure"),
            models.CheckConstraint(
                condition=models.Q(
                    kind__in=["information", "report", "decision", "grant", "complaint"]
                ),
                name="procedure_kind_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(identification__in=["none", "account", "franceconnect"]),
                name="procedure_identification_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["is_published", "category"], name="procedure_catalogue_idx")
        ]

    def __str__(self) -> str:
        return self.title


class FormVersion(models.Model):
    """A form schema. Once published it never changes (a database trigger refuses it); a request
    pins the version it was filed under, with the silence rule and delay in force then."""

    procedure = models.ForeignKey(Procedure, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    schema = models.JSONField(_("schéma"), default=dict)
    silence_rule = models.CharField(
        _("règle du silence"), max_length=10, choices=SilenceRule.choices, default=SilenceRule.NONE
    )
    silence_delay = models.CharField(
        _("délai"), max_length=6, blank=True, validators=[delay_validator]
    )
    published_at = models.DateTimeField(_("publiée le"), null=True, blank=True)
    # Set by `forms_builder.services.form_version_publish`, the only way to publish.
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("publiée par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)

    class Meta:
        verbose_name = _("version de formulaire")
        verbose_name_plural = _("versions de formulaire")
        ordering = ["procedure", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["procedure", "number"], name="formversion_number_unique"
            ),
            # Target of the composite foreign key tying a request's version to its procedure.
            models.UniqueConstraint(
                fields=["id", "procedure"], name="formversion_id_procedure_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(number__gte=1), name="formversion_number_positive"
            ),
            _silence_constraint("formversion"),
        ]
        indexes = [
            models.Index(
                fields=["procedure", "-number"],
                condition=models.Q(published_at__isnull=False),
                name="formversion_published_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.procedure} · v{self.number}"

    @property
    def is_published(self) -> bool:
        return self.published_at is not None
