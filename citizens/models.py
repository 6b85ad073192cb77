"""The identity store: citizens ("tiers"), the organisations they act for, their links."""

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.db.models.functions import Concat, Lower
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Channel(models.TextChoices):
    """Contact channels, shared by citizens' preferences, requests and interactions."""

    WEB = "web", _("En ligne")
    COUNTER = "counter", _("Accueil physique")
    PHONE = "phone", _("Téléphone")
    EMAIL = "email", _("Courriel")
    MAIL = "mail", _("Courrier postal")
    SMS = "sms", _("SMS")
    SOCIAL = "social", _("Réseau social")


class Unaccent(models.Func):
    """`gru_unaccent(text)`: PostgreSQL's `unaccent` with its dictionary named, which makes it
    immutable, so generated columns and indexes may use it (migration citizens 0004)."""

    function = "gru_unaccent"
    output_field = models.TextField()


def _searchable(*fields: str) -> models.Func:
    """Lower-case, accent-free words of `fields`, one space apart: what trigram search reads."""
    parts = []
    for name in fields:
        parts += [models.F(name), models.Value(" ")]
    return Lower(Unaccent(Concat(*parts[:-1], output_field=models.TextField())))


class Citizen(models.Model):
    """A person the authority deals with, with or without an account.

    A record merged into another (`citizens.merging`) stays as a tombstone: `merged_into`
    names the record that took its place; searches and lists leave it out."""

    class Sex(models.TextChoices):
        FEMALE = "female", _("Femme")
        MALE = "male", _("Homme")
        UNSPECIFIED = "", _("Non renseigné")

    class IdentityAssurance(models.TextChoices):
        DECLARED = "declared", _("Déclarée par l'usager")
        FRANCECONNECT = "franceconnect", _("Certifiée par FranceConnect")
        COUNTER = "counter", _("Vérifiée au guichet")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="citizen",
        verbose_name=_("compte"),
    )
    given_names = models.CharField(_("prénoms"), max_length=200)
    family_name = models.CharField(_("nom de naissance"), max_length=200)
    usage_name = models.CharField(_("nom d'usage"), max_length=200, blank=True)
    birth_date = models.DateField(_("date de naissance"), null=True, blank=True)
    birth_place = models.CharField(
        _("lieu de naissance"), max_length=200, blank=True, help_text=_("Code INSEE ou commune.")
    )
    birth_country = models.CharField(_("pays de naissance"), max_length=200, blank=True)
    sex = models.CharField(_("sexe"), max_length=10, choices=Sex.choices, blank=True)
    email = models.EmailField(_("adresse électronique"), blank=True)
    phone = models.CharField(_("téléphone"), max_length=30, blank=True)
    street = models.CharField(_("adresse"), max_length=255, blank=True)
    postcode = models.CharField(_("code postal"), max_length=5, blank=True)
    city = models.CharField(_("commune"), max_length=150, blank=True)
    preferred_channel = models.CharField(
        _("canal préféré"), max_length=10, choices=Channel.choices, default=Channel.EMAIL
    )
    needs_assistance = models.BooleanField(
        _("a besoin d'accompagnement"),
        default=False,
        help_text=_("L'usager préfère être accompagné par un agent pour ses démarches."),
    )
    # Receipts, documents requests and decisions are always sent: they have legal effects.
    email_updates = models.BooleanField(
        _("courriel à chaque étape"),
        default=True,
        help_text=_(
            "Recevoir un courriel quand une demande change d'étape ou qu'un agent écrit un message."
        ),
    )
    identity_assurance = models.CharField(
        _("niveau d'identité"),
        max_length=15,
        choices=IdentityAssurance.choices,
        default=IdentityAssurance.DECLARED,
    )
    franceconnect_sub = models.CharField(
        _("identifiant FranceConnect (sub)"), max_length=255, null=True, blank=True, unique=True
    )
    # The key of the form an agent created the record with: a double click creates one record.
    creation_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_records",
        verbose_name=_("fusionnée dans"),
    )
    # What the search matches names and addresses against (pg_trgm), kept by PostgreSQL.
    search_name = models.GeneratedField(
        expression=_searchable("given_names", "family_name", "usage_name"),
        output_field=models.TextField(),
        db_persist=True,
    )
    search_address = models.GeneratedField(
        expression=_searchable("street", "postcode", "city"),
        output_field=models.TextField(),
        db_persist=True,
    )
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["search_name", "search_address"])

    class Meta:
        verbose_name = _("usager")
        verbose_name_plural = _("usagers")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(franceconnect_sub=""), name="citizen_fc_sub_not_empty"
            ),
            models.CheckConstraint(
                condition=models.Q(postcode="") | models.Q(postcode__regex=r"^[0-9]{5}$"),
                name="citizen_postcode_format",
            ),
            models.CheckConstraint(
                condition=models.Q(identity_assurance__in=["declared", "franceconnect", "counter"]),
                name="citizen_identity_assurance_valid",
            ),
        ]
        indexes = [
            GinIndex(
                fields=["search_name"], name="citizen_search_name_trgm", opclasses=["gin_trgm_ops"]
            ),
            GinIndex(
                fields=["search_address"],
                name="citizen_search_address_trgm",
                opclasses=["gin_trgm_ops"],
            ),
            models.Index(Lower("email"), name="citizen_email_lower_idx"),
            models.Index(fields=["phone"], name="citizen_phone_idx"),
            models.Index(fields=["birth_date"], name="citizen_birth_date_idx"),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        name = self.usage_name or self.family_name
        return f"{self.given_names} {name}".strip()


class Organisation(models.Model):
    """A company (SIREN/SIRET), an association (RNA) or another body a citizen acts for."""

    class Kind(models.TextChoices):
        COMPANY = "company", _("Entreprise")
        ASSOCIATION = "association", _("Association")
        OTHER = "other", _("Autre organisme")

    kind = models.CharField(_("type"), max_length=15, choices=Kind.choices)
    name = models.CharField(_("dénomination"), max_length=255)
    siret = models.CharField(_("SIRET"), max_length=14, null=True, blank=True, unique=True)
    rna = models.CharField(_("numéro RNA"), max_length=10, null=True, blank=True, unique=True)
    email = models.EmailField(_("adresse électronique"), blank=True)
    phone = models.CharField(_("téléphone"), max_length=30, blank=True)
    street = models.CharField(_("adresse"), max_length=255, blank=True)
    postcode = models.CharField(_("code postal"), max_length=5, blank=True)
    city = models.CharField(_("commune"), max_length=150, blank=True)
    members = models.ManyToManyField(
        Citizen, through="Representation", related_name="organisations"
    )
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(siret__isnull=True) | models.Q(siret__regex=r"^[0-9]{14}$"),
                name="organisation_siret_format",
            ),
            models.CheckConstraint(
                condition=models.Q(rna__isnull=True) | models.Q(rna__regex=r"^W[0-9A-Z]{9}$"),
                name="organisation_rna_format",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="company") | models.Q(siret__isnull=False),
                name="organisation_company_has_siret",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Representation(models.Model):
    """A citizen acts for an organisation, with a role."""

    class Role(models.TextChoices):
        LEGAL_REPRESENTATIVE = "legal_representative", _("Représentant légal")
        OFFICER = "officer", _("Membre du bureau")
        EMPLOYEE = "employee", _("Salarié ou mandataire")

    citizen = models.ForeignKey(Citizen, on_delete=models.CASCADE, related_name="representations")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="representations"
    )
    role = models.CharField(_("rôle"), max_length=25, choices=Role.choices)
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)

    class Meta:
        verbose_name = _("représentation")
        verbose_name_plural = _("représentations")
        constraints = [
            models.UniqueConstraint(
                fields=["citizen", "organisation"], name="representation_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.citizen} · {self.organisation} ({self.get_role_display()})"


class Relationship(models.Model):
    """A household link: `from_citizen` is the parent or guardian of `to_citizen`."""

    class Kind(models.TextChoices):
        PARENT = "parent", _("Parent")
        GUARDIAN = "guardian", _("Tuteur ou curateur")

    from_citizen = models.ForeignKey(
        Citizen, on_delete=models.CASCADE, related_name="relationships_from"
    )
    to_citizen = models.ForeignKey(
        Citizen, on_delete=models.CASCADE, related_name="relationships_to"
    )
    kind = models.CharField(_("lien"), max_length=10, choices=Kind.choices)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)

    class Meta:
        verbose_name = _("lien entre usagers")
        verbose_name_plural = _("liens entre usagers")
        constraints = [
            models.UniqueConstraint(
                fields=["from_citizen", "to_citizen", "kind"], name="relationship_unique"
            ),
            models.CheckConstraint(
                condition=~models.Q(from_citizen=models.F("to_citizen")),
                name="relationship_not_self",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_citizen} → {self.to_citizen} ({self.get_kind_display()})"


class CitizenMerge(models.Model):
    """One merge of a duplicate record (`merged`) into the record kept (`kept`), undoable for
    30 days: what it moved and what it overwrote are kept here (`citizens.merging`)."""

    kept = models.ForeignKey(
        Citizen, on_delete=models.PROTECT, related_name="merges_kept", verbose_name=_("conservée")
    )
    merged = models.ForeignKey(
        Citizen, on_delete=models.PROTECT, related_name="merges_merged", verbose_name=_("fusionnée")
    )
    # The kept record's values the merge replaced ({field: value before}), as JSON.
    replaced_values = models.JSONField(_("valeurs remplacées"), default=dict, blank=True)
    # The rows re-pointed from `merged` to `kept`: {"app_label.model.field": [pk, ...]}.
    moved = models.JSONField(_("lignes rattachées"), default=dict, blank=True)
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    merged_at = models.DateTimeField(_("fusionnée le"), auto_now_add=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    undone_at = models.DateTimeField(_("annulée le"), null=True, blank=True)

    class Meta:
        verbose_name = _("fusion d'usagers")
        verbose_name_plural = _("fusions d'usagers")
        ordering = ["-merged_at"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kept=models.F("merged")), name="citizenmerge_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.merged_id} → {self.kept_id}"
