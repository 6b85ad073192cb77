"""The platform's own nouns: users, and the authority's organisation (teams, memberships)."""

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email: str, password: str | None = None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in: a citizen, an agent, or both. Login by email."""

    email = models.EmailField(_("adresse électronique"), max_length=254, unique=True)
    first_name = models.CharField(_("prénom"), max_length=150, blank=True)
    last_name = models.CharField(_("nom"), max_length=150, blank=True)
    job_title = models.CharField(
        _("fonction"),
        max_length=150,
        blank=True,
        help_text=_("Mentionnée dans les courriers aux usagers (article L111-2 du CRPA)."),
    )
    is_staff = models.BooleanField(
        _("accès à l'administration"),
        default=False,
        help_text=_("Peut se connecter à l'interface d'administration."),
    )
    is_active = models.BooleanField(_("actif"), default=True)
    # ProConnect's `sub` for this agent (gru.proconnect): the account key once linked.
    proconnect_sub = models.CharField(
        _("identifiant ProConnect (sub)"), max_length=255, null=True, blank=True, unique=True
    )
    date_joined = models.DateTimeField(_("date d'inscription"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("utilisateur")
        verbose_name_plural = _("utilisateurs")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
            models.CheckConstraint(
                condition=~models.Q(proconnect_sub=""), name="user_proconnect_sub_not_empty"
            ),
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    def clean(self) -> None:
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()

    def get_full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self) -> str:
        return self.first_name or self.email


class Team(models.Model):
    """A business service or the one-stop shop. Its contacts appear on receipts (R112-5)."""

    class Kind(models.TextChoices):
        ONE_STOP_SHOP = "one_stop_shop", _("Guichet unique")
        BUSINESS = "business", _("Service métier")

    name = models.CharField(_("nom"), max_length=150, unique=True)
    slug = models.SlugField(_("identifiant"), max_length=80, unique=True)
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices, default=Kind.BUSINESS)
    email = models.EmailField(_("adresse électronique"))
    phone = models.CharField(_("téléphone"), max_length=30)
    postal_address = models.TextField(_("adresse postale"))
    is_active = models.BooleanField(_("active"), default=True)
    members = models.ManyToManyField(User, through="Membership", related_name="teams")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("équipe")
        verbose_name_plural = _("équipes")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=["one_stop_shop", "business"]), name="team_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """An agent's role in a team."""

    class Role(models.TextChoices):
        FRONT_DESK = "front_desk", _("Agent d'accueil (guichet unique)")
        INSTRUCTOR = "instructor", _("Instructeur")
        TEAM_MANAGER = "team_manager", _("Responsable d'équipe")
        ADMINISTRATOR = "administrator", _("Administrateur")
        DATA_PROTECTION_OFFICER = "dpo", _("Délégué à la protection des données")
        OFFICIAL = "official", _("Élu")
        DIRECTOR = "director", _("Direction générale")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("rôle"), max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("appartenance à une équipe")
        verbose_name_plural = _("appartenances aux équipes")
        constraints = [
            models.UniqueConstraint(fields=["user", "team"], name="membership_user_team_unique"),
            models.CheckConstraint(
                condition=models.Q(
                    role__in=[
                        "front_desk",
                        "instructor",
                        "team_manager",
                        "administrator",
                        "dpo",
                        "official",
                        "director",
                    ]
                ),
                name="membership_role_valid",
            ),
        ]
        indexes = [models.Index(fields=["team", "role"], name="membership_team_role_idx")]

    def __str__(self) -> str:
        return f"{self.user} · {self.team} · {self.get_role_display()}"


class SitePage(models.Model):
    """Pages the authority writes itself: accessibility statement, legal notice, privacy."""

    class Slug(models.TextChoices):
        ACCESSIBILITY = "accessibilite", _("Accessibilité")
        LEGAL_NOTICE = "mentions-legales", _("Mentions légales")
        PERSONAL_DATA = "donnees-personnelles", _("Données personnelles")

    slug = models.CharField(_("page"), max_length=40, choices=Slug.choices, unique=True)
    title = models.CharField(_("titre"), max_length=200)
    body = models.TextField(
        _("contenu"), help_text=_("Texte brut ; une ligne vide sépare deux paragraphes.")
    )
    updated_at = models.DateTimeField(_("mise à jour"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("page d'information")
        verbose_name_plural = _("pages d'information")

    def __str__(self) -> str:
        return self.title


class AccessLog(models.Model):
    """One read of personal data by an agent: a case opened, a citizen's record, a document
    downloaded (CNIL's guidance on logging). Append-only: the database refuses updates, and
    deletes of entries younger than six months (the least the guidance keeps them).

    Citizens and requests are named by id and reference rather than by foreign key: the log
    outlives what it names (a merged citizen, an anonymised request), and `gru` depends on no
    other app."""

    class Action(models.TextChoices):
        VIEW_REQUEST = "view_request", _("Consultation d'une demande")
        VIEW_CITIZEN = "view_citizen", _("Consultation d'une fiche usager")
        DOWNLOAD_DOCUMENT = "download_document", _("Téléchargement d'un document")
        SEARCH = "search", _("Recherche de personnes")

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    request_reference = models.CharField(_("demande"), max_length=16, blank=True)
    citizen_id = models.BigIntegerField(_("usager (identifiant)"), null=True, blank=True)
    document_id = models.BigIntegerField(_("document (identifiant)"), null=True, blank=True)
    # What was searched (a name typed in a queue's search box): a search reads who matches.
    detail = models.CharField(_("recherche"), max_length=200, blank=True)
    at = models.DateTimeField(_("date"), auto_now_add=True)

    class Meta:
        verbose_name = _("accès d'un agent")
        verbose_name_plural = _("journal des accès des agents")
        ordering = ["-at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    action__in=["download_document", "search", "view_citizen", "view_request"]
                ),
                name="accesslog_action_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["user", "-at"], name="accesslog_user_idx"),
            models.Index(fields=["citizen_id", "-at"], name="accesslog_citizen_idx"),
            models.Index(fields=["request_reference", "-at"], name="accesslog_request_idx"),
            models.Index(fields=["at"], name="accesslog_at_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_action_display()} · {self.at:%d/%m/%Y %H:%M}"


class CacheEntry(models.Model):
    """The cache while Redis is unreachable (gru/cache.py): the table Django's database cache
    expects (`createcachetable`'s columns), declared here so that a migration makes it."""

    cache_key = models.CharField(max_length=255, primary_key=True)
    value = models.TextField()
    expires = models.DateTimeField(db_index=True)

    class Meta:
        db_table = "gru_cache_fallback"
        verbose_name = _("entrée du cache de secours")
        verbose_name_plural = _("cache de secours")

    def __str__(self) -> str:
        return self.cache_key
