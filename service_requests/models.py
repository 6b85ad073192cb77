"""The relationship store: requests, their timeline, messages, documents, interactions."""

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from citizens.models import Channel, Citizen, Organisation
from forms_builder.models import FormVersion, Procedure
from gru.models import Team


class Status(models.TextChoices):
    DRAFT = "draft", _("Brouillon")
    SUBMITTED = "submitted", _("Déposée")
    IN_REVIEW = "in_review", _("En instruction")
    AWAITING_CITIZEN = "awaiting_citizen", _("En attente de l'usager")
    ACCEPTED = "accepted", _("Acceptée")
    PARTIALLY_ACCEPTED = "partially_accepted", _("Acceptée en partie")
    REJECTED = "rejected", _("Refusée")
    ACCEPTED_IMPLICITLY = "accepted_implicitly", _("Acceptée implicitement")
    REJECTED_IMPLICITLY = "rejected_implicitly", _("Refusée implicitement")
    CLOSED = "closed", _("Clôturée")
    WITHDRAWN = "withdrawn", _("Retirée par l'usager")


OPEN_STATES = frozenset({Status.SUBMITTED, Status.IN_REVIEW, Status.AWAITING_CITIZEN})
DECIDABLE_STATES = frozenset({Status.SUBMITTED, Status.IN_REVIEW})
DECIDED_STATES = frozenset(
    {
        Status.ACCEPTED,
        Status.PARTIALLY_ACCEPTED,
        Status.REJECTED,
        Status.ACCEPTED_IMPLICITLY,
        Status.REJECTED_IMPLICITLY,
    }
)
FINAL_STATES = frozenset(
    {
        Status.ACCEPTED,
        Status.PARTIALLY_ACCEPTED,
        Status.REJECTED,
        Status.ACCEPTED_IMPLICITLY,
        Status.REJECTED_IMPLICITLY,
        Status.CLOSED,
        Status.WITHDRAWN,
    }
)


class PublicStatus(models.TextChoices):
    """The plain-French statuses a citizen sees."""

    RECEIVED = "received", _("Reçue")
    IN_PROGRESS = "in_progress", _("En cours")
    TO_COMPLETE = "to_complete", _("À compléter")
    ACCEPTED = "accepted", _("Acceptée")
    PARTIALLY_ACCEPTED = "partially_accepted", _("Acceptée en partie")
    REJECTED = "rejected", _("Refusée")
    WITHDRAWN = "withdrawn", _("Retirée")
    FINISHED = "finished", _("Terminée")


PUBLIC_STATUS = {
    Status.SUBMITTED: PublicStatus.RECEIVED,
    Status.IN_REVIEW: PublicStatus.IN_PROGRESS,
    Status.AWAITING_CITIZEN: PublicStatus.TO_COMPLETE,
    Status.ACCEPTED: PublicStatus.ACCEPTED,
    Status.ACCEPTED_IMPLICITLY: PublicStatus.ACCEPTED,
    Status.PARTIALLY_ACCEPTED: PublicStatus.PARTIALLY_ACCEPTED,
    Status.REJECTED: PublicStatus.REJECTED,
    Status.REJECTED_IMPLICITLY: PublicStatus.REJECTED,
    Status.CLOSED: PublicStatus.FINISHED,
    Status.WITHDRAWN: PublicStatus.WITHDRAWN,
}


def _in(field: str, values) -> models.Q:
    return models.Q(**{f"{field}__in": sorted(str(v) for v in values)})


class ServiceRequestQuerySet(models.QuerySet):
    def open(self):
        # Sorted like the partial indexes' predicate, so that the planner matches it as is.
        return self.filter(status__in=sorted(OPEN_STATES))

    def due_before(self, day):
        return self.open().filter(decision_due_on__lte=day)


class ServiceRequest(models.Model):
    """A request ("demande") from filing to decision."""

    reference = models.CharField(_("référence"), max_length=16, unique=True)
    tracking_token = models.CharField(
        _("secret de suivi"), max_length=64, unique=True, editable=False
    )
    idempotency_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    # Not indexed alone: `request_procedure_status_idx` leads with it (one index less to write
    # at each filing).
    procedure = models.ForeignKey(
        Procedure, on_delete=models.PROTECT, related_name="requests", db_index=False
    )
    form_version = models.ForeignKey(FormVersion, on_delete=models.PROTECT, related_name="requests")
    data = models.JSONField(_("réponses"), default=dict, blank=True)
    channel = models.CharField(
        _("canal"), max_length=10, choices=Channel.choices, default=Channel.WEB
    )
    # Not indexed alone: `request_citizen_idx` leads with it.
    citizen = models.ForeignKey(
        Citizen,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="requests",
        db_index=False,
    )
    contact_name = models.CharField(_("nom du contact"), max_length=200, blank=True)
    contact_email = models.EmailField(_("courriel du contact"), blank=True)
    contact_phone = models.CharField(_("téléphone du contact"), max_length=30, blank=True)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="requests"
    )
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, null=True, blank=True, related_name="requests"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_requests",
    )
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="filed_requests",
        help_text=_("L'agent qui a déposé la demande pour le compte de l'usager."),
    )
    status = models.CharField(
        _("statut"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    received_on = models.DateField(_("reçue le"), null=True, blank=True)
    completed_on = models.DateField(_("complète le"), null=True, blank=True)
    decision_due_on = models.DateField(_("décision implicite le"), null=True, blank=True)
    decided_on = models.DateField(_("décidée le"), null=True, blank=True)
    implicit_decision_triggered_at = models.DateTimeField(null=True, blank=True, editable=False)
    submitted_at = models.DateTimeField(_("déposée à"), null=True, blank=True)
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifiée le"), auto_now=True)
    history = HistoricalRecords()

    objects = ServiceRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("demande")
        verbose_name_plural = _("demandes")
        constraints = [
            models.CheckConstraint(
                condition=_in("status", Status.values), name="request_status_valid"
            ),
            models.CheckConstraint(
                condition=_in("channel", Channel.values), name="request_channel_valid"
            ),
            # No constraint that a filed request has a citizen or an email: an anonymous report
            # may be filed without one; which procedures need an email is a rule of their kind
            # (service_requests.drafts.email_required), checked by request_submit.
            models.CheckConstraint(
                condition=models.Q(status="draft") | models.Q(received_on__isnull=False),
                name="request_filed_has_receipt_date",
            ),
            models.CheckConstraint(
                condition=models.Q(decided_on__isnull=True)
                | models.Q(received_on__isnull=False, decided_on__gte=models.F("received_on")),
                name="request_decided_after_received",
            ),
            models.CheckConstraint(
                condition=~_in("status", DECIDED_STATES) | models.Q(decided_on__isnull=False),
                name="request_decision_has_date",
            ),
            models.CheckConstraint(
                condition=models.Q(completed_on__isnull=True)
                | models.Q(received_on__isnull=False, completed_on__gte=models.F("received_on")),
                name="request_completed_after_received",
            ),
            models.CheckConstraint(
                condition=~_in("status", OPEN_STATES) | models.Q(decided_on__isnull=True),
                name="request_open_not_decided",
            ),
            models.CheckConstraint(
                condition=models.Q(tracking_token__regex=r"^[A-Za-z0-9_-]{22,64}$"),  # noqa: S106
                name="request_tracking_token_strong",
            ),
        ]
        indexes = [
            models.Index(
                # A team's queue, newest first: the order the index stores, whatever the status.
                fields=["team", "-submitted_at"],
                condition=_in("status", OPEN_STATES),
                name="request_team_open_idx",
            ),
            # The sweeps' open requests by legal due date; the steering radar counts them per
            # team, assignee and status from the index alone (its included columns, with the id
            # they count).
            models.Index(
                fields=["decision_due_on"],
                include=["team", "status", "assignee", "id"],
                condition=_in("status", OPEN_STATES) & models.Q(decision_due_on__isnull=False),
                name="request_open_due_idx",
            ),
            # A team's queue by legal due date, in the order the page reads it: the first 50
            # without sorting the team's thousands of open requests.
            models.Index(
                fields=["team", "decision_due_on", "-submitted_at", "-id"],
                condition=_in("status", OPEN_STATES),
                name="request_team_due_idx",
            ),
            # What is assigned to an agent, by legal due date (their landing page).
            models.Index(
                fields=["assignee", "decision_due_on", "-submitted_at"],
                condition=_in("status", OPEN_STATES),
                name="request_assignee_due_idx",
            ),
            # The counts of a team's open, unassigned and waiting requests, from the index alone.
            models.Index(
                fields=["team", "status", "assignee"],
                condition=_in("status", OPEN_STATES),
                name="request_team_counts_idx",
            ),
            models.Index(fields=["citizen", "-created_at"], name="request_citizen_idx"),
            models.Index(fields=["procedure", "status"], name="request_procedure_status_idx"),
            models.Index(fields=["submitted_at"], name="request_submitted_at_idx"),
            # A business application's « what changed since » (the API's updated_since), within
            # the teams its client reaches.
            models.Index(fields=["team", "updated_at"], name="request_team_updated_idx"),
            # The implicit decisions a team's radar lists, latest first: a few hundred rows of the
            # team read in order (without it, a bitmap of the team's 75,000 requests, 8 ms).
            models.Index(
                fields=["team", "-implicit_decision_triggered_at"],
                condition=models.Q(implicit_decision_triggered_at__isnull=False),
                name="request_team_implicit_idx",
            ),
            # The nightly purge of drafts past their lifespan.
            models.Index(
                fields=["updated_at"],
                condition=models.Q(status="draft"),
                name="request_draft_updated_idx",
            ),
            # A signed-in citizen's space offers the requests filed anonymously with one of
            # their verified addresses.
            models.Index(
                Lower("contact_email"),
                condition=models.Q(citizen__isnull=True),
                name="request_unclaimed_email_idx",
            ),
            # The nightly catch-up of implicit decisions whose notices did not all go out.
            models.Index(
                fields=["implicit_decision_triggered_at"],
                condition=models.Q(implicit_decision_triggered_at__isnull=False),
                name="request_implicit_triggered_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def public_status(self) -> PublicStatus | None:
        return PUBLIC_STATUS.get(self.status)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATES


class EventKind(models.TextChoices):
    SUBMITTED = "submitted", _("Demande déposée")
    ROUTED = "routed", _("Demande orientée")
    ASSIGNED = "assigned", _("Demande attribuée")
    STATUS_CHANGED = "status_changed", _("Changement de statut")
    MESSAGE = "message", _("Message")
    NOTE = "note", _("Note interne")
    DOCUMENTS_REQUESTED = "documents_requested", _("Pièces demandées")
    DOCUMENTS_RECEIVED = "documents_received", _("Pièces reçues")
    DUE_DATE_CHANGED = "due_date_changed", _("Échéance modifiée")
    REMINDER = "reminder", _("Rappel d'échéance")
    DECISION = "decision", _("Décision")
    IMPLICIT_DECISION = "implicit_decision", _("Décision implicite")
    WITHDRAWN = "withdrawn", _("Retrait de la demande")
    COMPLETED = "completed", _("Dossier complet")
    DOCUMENTS_OVERDUE = "documents_overdue", _("Délai d'envoi des pièces dépassé")
    REASONS_REQUESTED = "reasons_requested", _("Motifs demandés")
    LINKED_TO_ACCOUNT = "linked_to_account", _("Rattachée à un compte")
    TRANSFERRED = "transferred", _("Transférée à une autre équipe")
    CLOSED = "closed", _("Demande clôturée")
    REOPENED = "reopened", _("Demande rouverte")


class EventVisibility(models.TextChoices):
    CITIZEN = "citizen", _("Visible par l'usager")
    INTERNAL = "internal", _("Interne")


class Event(models.Model):
    """One entry of a request's timeline. Append-only: a database trigger refuses updates and
    deletes, and it is written in the same transaction as the change it records."""

    Kind = EventKind
    Visibility = EventVisibility

    request = models.ForeignKey(ServiceRequest, on_delete=models.PROTECT, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(_("type"), max_length=25, choices=EventKind.choices)
    visibility = models.CharField(
        _("visibilité"), max_length=10, choices=Visibility.choices, default=Visibility.INTERNAL
    )
    payload = models.JSONField(_("détails"), default=dict, blank=True)
    created_at = models.DateTimeField(_("date"), auto_now_add=True)

    class Meta:
        verbose_name = _("événement")
        verbose_name_plural = _("événements")
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=_in("kind", EventKind.values), name="event_kind_valid"
            ),
            models.CheckConstraint(
                condition=_in("visibility", EventVisibility.values), name="event_visibility_valid"
            ),
        ]
        indexes = [models.Index(fields=["request", "created_at"], name="event_request_time_idx")]

    def __str__(self) -> str:
        return f"{self.request} · {self.get_kind_display()}"


class MessageDirection(models.TextChoices):
    FROM_CITIZEN = "from_citizen", _("De l'usager")
    TO_CITIZEN = "to_citizen", _("À l'usager")


class Message(models.Model):
    """A message between the citizen and the agents about a request."""

    Direction = MessageDirection

    request = models.ForeignKey(ServiceRequest, on_delete=models.PROTECT, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    direction = models.CharField(_("sens"), max_length=15, choices=Direction.choices)
    body = models.TextField(_("message"))
    read_at = models.DateTimeField(_("lu le"), null=True, blank=True)
    created_at = models.DateTimeField(_("envoyé le"), auto_now_add=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(body=""), name="message_body_not_empty"),
            models.CheckConstraint(
                condition=_in("direction", MessageDirection.values), name="message_direction_valid"
            ),
        ]
        indexes = [models.Index(fields=["request", "created_at"], name="message_request_time_idx")]

    def __str__(self) -> str:
        return f"{self.request} · {self.get_direction_display()}"


class DocumentKind(models.TextChoices):
    UPLOAD = "upload", _("Pièce jointe")
    RECEIPT = "receipt", _("Accusé de réception")
    DECISION = "decision", _("Décision")
    ATTESTATION = "attestation", _("Attestation d'acceptation implicite")
    REJECTION_NOTICE = "rejection_notice", _("Avis de rejet implicite")
    LETTER = "letter", _("Courrier")


class Document(models.Model):
    """An uploaded file or a generated PDF, stored privately (never under a public URL)."""

    Kind = DocumentKind

    request = models.ForeignKey(ServiceRequest, on_delete=models.PROTECT, related_name="documents")
    message = models.ForeignKey(
        Message, on_delete=models.PROTECT, null=True, blank=True, related_name="documents"
    )
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices, default=Kind.UPLOAD)
    file = models.FileField(_("fichier"), upload_to="documents/%Y/%m/")
    original_name = models.CharField(_("nom du fichier"), max_length=255)
    content_type = models.CharField(_("type de contenu"), max_length=100)
    size = models.PositiveBigIntegerField(_("taille (octets)"))
    sha256 = models.CharField(max_length=64)
    visible_to_citizen = models.BooleanField(_("visible par l'usager"), default=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("ajouté le"), auto_now_add=True)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=_in("kind", DocumentKind.values), name="document_kind_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(sha256__regex=r"^[0-9a-f]{64}$"), name="document_sha256_format"
            ),
        ]
        indexes = [models.Index(fields=["request", "kind"], name="document_request_kind_idx")]

    def __str__(self) -> str:
        return self.original_name


class InteractionDirection(models.TextChoices):
    INBOUND = "inbound", _("Entrant")
    OUTBOUND = "outbound", _("Sortant")


class InteractionMotive(models.Model):
    """Why people get in touch, from a list the administrator edits (« état civil »,
    « déchets », « facture de cantine »…): a motive no longer used is deactivated, not deleted,
    as past contacts name it."""

    label = models.CharField(_("motif"), max_length=100, unique=True)
    position = models.PositiveSmallIntegerField(_("ordre"), default=100)
    is_active = models.BooleanField(_("proposé"), default=True)

    class Meta:
        verbose_name = _("motif de contact")
        verbose_name_plural = _("motifs de contact")
        ordering = ["position", "label"]

    def __str__(self) -> str:
        return self.label


class InteractionOutcome(models.TextChoices):
    ANSWERED = "answered", _("Réponse donnée sur le moment")
    REQUEST_FILED = "request_filed", _("Demande déposée")
    REDIRECTED = "redirected", _("Orienté vers un service")
    APPOINTMENT = "appointment", _("Rendez-vous pris")


class Interaction(models.Model):
    """One contact with a citizen on any channel, with or without a request. A caller who stays
    anonymous has no citizen (`caller` may say how they introduced themselves)."""

    Direction = InteractionDirection
    Outcome = InteractionOutcome

    citizen = models.ForeignKey(
        Citizen, on_delete=models.PROTECT, null=True, blank=True, related_name="interactions"
    )
    request = models.ForeignKey(
        ServiceRequest, on_delete=models.PROTECT, null=True, blank=True, related_name="interactions"
    )
    channel = models.CharField(_("canal"), max_length=10, choices=Channel.choices)
    direction = models.CharField(_("sens"), max_length=10, choices=Direction.choices)
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="interactions",
    )
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    occurred_at = models.DateTimeField(_("date"))
    summary = models.TextField(_("résumé"))
    motive = models.ForeignKey(
        InteractionMotive,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("motif"),
    )
    outcome = models.CharField(
        _("suite donnée"), max_length=15, choices=Outcome.choices, blank=True
    )
    duration_minutes = models.PositiveSmallIntegerField(_("durée (minutes)"), null=True, blank=True)
    caller = models.CharField(_("interlocuteur"), max_length=200, blank=True)
    # The key the contact form carries: a double click or a replayed POST logs one contact.
    idempotency_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    created_at = models.DateTimeField(_("saisi le"), auto_now_add=True)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["-occurred_at"]
        constraints = [
            models.CheckConstraint(
                condition=_in("channel", Channel.values), name="interaction_channel_valid"
            ),
            models.CheckConstraint(
                condition=_in("direction", InteractionDirection.values),
                name="interaction_direction_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(summary=""), name="interaction_summary_not_empty"
            ),
            models.CheckConstraint(
                condition=models.Q(outcome="") | _in("outcome", InteractionOutcome.values),
                name="interaction_outcome_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["citizen", "-occurred_at"], name="interaction_citizen_idx"),
            models.Index(fields=["request", "-occurred_at"], name="interaction_request_idx"),
            models.Index(fields=["-occurred_at"], name="interaction_time_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} · {self.occurred_at:%d/%m/%Y}"


class RoutingRule(models.Model):
    """Sends a request to a team: first active rule that matches (lowest priority number) wins,
    else the procedure's default team."""

    name = models.CharField(_("nom"), max_length=150)
    procedure = models.ForeignKey(
        Procedure,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="routing_rules",
        help_text=_("Vide : toutes les démarches."),
    )
    priority = models.PositiveIntegerField(_("ordre"), default=100)
    answer_conditions = models.JSONField(
        _("conditions sur les réponses"),
        default=dict,
        blank=True,
        help_text=_('Champ → valeur attendue, par exemple {"nature": "nid-de-poule"}.'),
    )
    postcode_prefixes = models.JSONField(
        _("codes postaux"), default=list, blank=True, help_text=_('Préfixes, par exemple ["750"].')
    )
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="routing_rules")
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("règle d'orientation")
        verbose_name_plural = _("règles d'orientation")
        ordering = ["priority", "id"]
        indexes = [
            models.Index(
                fields=["procedure", "priority"],
                condition=models.Q(is_active=True),
                name="routingrule_active_idx",
            )
        ]

    def __str__(self) -> str:
        return self.name


class DocumentRequest(models.Model):
    """Missing pieces asked of the citizen, with the deadline to send them (L114-5). Feeds the
    decision date: an acceptance delay restarts when the pieces arrive, a rejection delay is
    suspended meanwhile (service_requests.deadlines). At most one is open at a time."""

    request = models.ForeignKey(
        ServiceRequest, on_delete=models.PROTECT, related_name="document_requests"
    )
    asked_on = models.DateField(_("demandées le"))
    answer_deadline = models.DateField(_("à fournir avant le"))
    answered_on = models.DateField(_("reçues le"), null=True, blank=True)
    pieces = models.JSONField(_("pièces demandées"), default=list, help_text=_("Libellés."))
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # Set once the agent has been told that the deadline passed, so that it is told once.
    overdue_alerted_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)

    class Meta:
        verbose_name = _("demande de pièces")
        verbose_name_plural = _("demandes de pièces")
        ordering = ["asked_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(answer_deadline__gte=models.F("asked_on")),
                name="documentrequest_deadline_after_asked",
            ),
            models.CheckConstraint(
                condition=models.Q(answered_on__isnull=True)
                | models.Q(answered_on__gte=models.F("asked_on")),
                name="documentrequest_answered_after_asked",
            ),
            models.UniqueConstraint(
                fields=["request"],
                condition=models.Q(answered_on__isnull=True),
                name="documentrequest_one_open_per_request",
            ),
        ]
        indexes = [
            # The nightly look for deadlines passed and not yet alerted.
            models.Index(
                fields=["answer_deadline"],
                condition=models.Q(answered_on__isnull=True, overdue_alerted_at__isnull=True),
                name="documentrequest_overdue_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.request} · {self.asked_on:%d/%m/%Y}"

    def as_deadline_input(self) -> tuple:
        """`(asked_on, answered_on or None, answer_deadline)`, as deadlines.py takes it."""
        return (self.asked_on, self.answered_on, self.answer_deadline)


class NotificationKind(models.TextChoices):
    DECISION_REMINDER = "decision_reminder", _("Rappel d'échéance à l'équipe")
    IMPLICIT_DECISION_CITIZEN = "implicit_citizen", _("Décision implicite : usager")
    IMPLICIT_DECISION_TEAM = "implicit_team", _("Décision implicite : équipe")
    REASONS_REQUESTED = "reasons_requested", _("Motifs demandés : équipe")
    DRAFT_EXPIRY = "draft_expiry", _("Suppression prochaine du brouillon : usager")
    # Told to the citizen about one event of their request's timeline (service_requests.services
    # .notifications): keyed on the event, since a request may change status twice a day.
    STATUS_CHANGED = "status_citizen", _("Changement de statut : usager")
    AGENT_MESSAGE = "message_citizen", _("Message d'un agent : usager")
    DOCUMENTS_REQUESTED = "documents_citizen", _("Pièces demandées : usager")
    DECISION = "decision_citizen", _("Décision : usager")


class NotificationSent(models.Model):
    """One notification that went out. The unique key makes a second send a no-op: a reminder
    for a decision due on a given day, N days before, is sent once; a new due day is a new
    reminder. Cascades with its request: only drafts are ever deleted, and their stamps go
    with them."""

    Kind = NotificationKind

    request = models.ForeignKey(
        ServiceRequest, on_delete=models.CASCADE, related_name="notifications_sent"
    )
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    due_on = models.DateField(_("échéance concernée"))
    days_before = models.PositiveSmallIntegerField(_("jours avant l'échéance"), default=0)
    # The timeline entry told, for what is sent once per event rather than once per date.
    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    sent_at = models.DateTimeField(_("envoyée le"), auto_now_add=True)

    class Meta:
        verbose_name = _("notification envoyée")
        verbose_name_plural = _("notifications envoyées")
        constraints = [
            models.UniqueConstraint(
                fields=["request", "kind", "due_on", "days_before"],
                condition=models.Q(event__isnull=True),
                name="notificationsent_once",
            ),
            models.UniqueConstraint(
                fields=["event", "kind"],
                condition=models.Q(event__isnull=False),
                name="notificationsent_once_per_event",
            ),
            models.CheckConstraint(
                condition=_in("kind", NotificationKind.values), name="notificationsent_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.request} · {self.get_kind_display()} · {self.due_on:%d/%m/%Y}"


class TaskKind(models.TextChoices):
    REASONS_REQUESTED = "reasons_requested", _("Communiquer les motifs d'un rejet implicite")


class TeamTask(models.Model):
    """Work owed by a team by a date, such as the reasons of an implicit rejection the citizen
    asked for (L232-4: within one month)."""

    Kind = TaskKind

    request = models.ForeignKey(ServiceRequest, on_delete=models.PROTECT, related_name="tasks")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="tasks")
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    opened_on = models.DateField(_("ouverte le"))
    due_on = models.DateField(_("à faire avant le"))
    done_at = models.DateTimeField(_("faite le"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)

    class Meta:
        verbose_name = _("tâche d'équipe")
        verbose_name_plural = _("tâches d'équipe")
        ordering = ["due_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=_in("kind", TaskKind.values), name="teamtask_kind_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(due_on__gte=models.F("opened_on")),
                name="teamtask_due_after_opened",
            ),
            # The reasons are owed once, however many times the citizen asks.
            models.UniqueConstraint(
                fields=["request", "kind"],
                condition=models.Q(kind="reasons_requested"),
                name="teamtask_reasons_once",
            ),
        ]
        indexes = [
            models.Index(
                fields=["team", "due_on"],
                condition=models.Q(done_at__isnull=True),
                name="teamtask_team_open_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.request} · {self.get_kind_display()}"


class SatisfactionAnswer(models.Model):
    """The citizen's opinion on how their request was handled, asked once it is closed: a mark
    from 1 to 5 and an optional comment, given once. Anonymous: it records no author."""

    COMMENT_MAX_LENGTH = 1000

    request = models.ForeignKey(
        ServiceRequest, on_delete=models.CASCADE, related_name="satisfaction_answers"
    )
    rating = models.PositiveSmallIntegerField(_("note (1 à 5)"))
    comment = models.CharField(_("commentaire"), max_length=COMMENT_MAX_LENGTH, blank=True)
    created_at = models.DateTimeField(_("répondu le"), auto_now_add=True)

    class Meta:
        verbose_name = _("avis de satisfaction")
        verbose_name_plural = _("avis de satisfaction")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["request"], name="satisfaction_once_per_request"),
            models.CheckConstraint(
                condition=models.Q(rating__gte=1, rating__lte=5), name="satisfaction_rating_1_to_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.request} · {self.rating}/5"


# --- Agents' notifications (issue 10, point 11; service_requests.services.agent_notifications) --


class AgentNotificationKind(models.TextChoices):
    ASSIGNED = "assigned", _("Une demande m'est attribuée")
    CITIZEN_REPLIED = "citizen_replied", _("L'usager écrit ou envoie les pièces demandées")
    IMPLICIT_DECISION_TOMORROW = "implicit_tomorrow", _("Une décision implicite naît demain")


class AgentNotificationDelivery(models.TextChoices):
    IMMEDIATE = "immediate", _("Tout de suite, un courriel à chaque fois")
    DIGEST = "digest", _("Dans le récapitulatif du matin")
    NEVER = "never", _("Jamais")


class AgentNotificationPreference(models.Model):
    """How an agent wants to be told of one kind of news. No row: at once (the default)."""

    Kind = AgentNotificationKind
    Delivery = AgentNotificationDelivery

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    delivery = models.CharField(
        _("envoi"), max_length=10, choices=Delivery.choices, default=Delivery.IMMEDIATE
    )
    updated_at = models.DateTimeField(_("modifiée le"), auto_now=True)

    class Meta:
        verbose_name = _("préférence de notification d'un agent")
        verbose_name_plural = _("préférences de notification des agents")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="agentpref_once_per_kind"),
            models.CheckConstraint(
                condition=_in("kind", AgentNotificationKind.values), name="agentpref_kind_valid"
            ),
            models.CheckConstraint(
                condition=_in("delivery", AgentNotificationDelivery.values),
                name="agentpref_delivery_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_kind_display()} · {self.get_delivery_display()}"


class AgentNotificationState(models.TextChoices):
    PENDING = "pending", _("À envoyer")
    SENT = "sent", _("Envoyée")
    DROPPED = "dropped", _("Sans objet au moment de l'envoi")


class AgentNotification(models.Model):
    """One piece of news owed to one agent, written in the transaction of what it tells: a
    rolled-back action leaves none. Sent at once or gathered in the morning digest, then
    stamped (`state`) in the transaction that sends it, so that it goes once. The unique keys
    make a second recording of the same news a no-op."""

    Kind = AgentNotificationKind
    Delivery = AgentNotificationDelivery
    State = AgentNotificationState

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="agent_notifications"
    )
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    delivery = models.CharField(_("envoi"), max_length=10, choices=Delivery.choices)
    request = models.ForeignKey(
        ServiceRequest, on_delete=models.CASCADE, related_name="agent_notifications"
    )
    # The timeline entry told (an assignment, a citizen's message); none for a date's alert.
    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    # The implicit decision date an alert is about: a new date is a new alert.
    due_on = models.DateField(_("échéance concernée"), null=True, blank=True)
    state = models.CharField(_("état"), max_length=10, choices=State.choices, default=State.PENDING)
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    handled_at = models.DateTimeField(_("traitée le"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification d'un agent")
        verbose_name_plural = _("notifications des agents")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind", "event"],
                condition=models.Q(event__isnull=False),
                name="agentnotification_once_per_event",
            ),
            models.UniqueConstraint(
                fields=["user", "kind", "request", "due_on"],
                condition=models.Q(event__isnull=True),
                name="agentnotification_once_per_date",
            ),
            models.CheckConstraint(
                condition=models.Q(event__isnull=False) | models.Q(due_on__isnull=False),
                name="agentnotification_has_event_or_date",
            ),
            models.CheckConstraint(
                condition=_in("kind", AgentNotificationKind.values),
                name="agentnotification_kind_valid",
            ),
            models.CheckConstraint(
                condition=_in("delivery", ["digest", "immediate"]),
                name="agentnotification_delivery_sent",
            ),
            models.CheckConstraint(
                condition=_in("state", AgentNotificationState.values),
                name="agentnotification_state_valid",
            ),
        ]
        indexes = [
            # The morning digest's look for what each agent is owed.
            models.Index(
                fields=["user", "created_at"],
                condition=models.Q(state="pending"),
                name="agentnotification_pending_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.request} · {self.get_kind_display()}"


class OutboxState(models.TextChoices):
    PENDING = "pending", _("À envoyer")
    DONE = "done", _("Fait")
    FAILED = "failed", _("Abandonné")


class OutboxMessage(models.Model):
    """A side effect of a write (an email to send, a document to make), written in the write's
    transaction and run by the worker: handed to the broker once the transaction commits, and
    found again by the catch-up every minute until the task succeeds (service_requests.outbox).
    A broker down or frozen delays it; it never loses it. Done rows are the record that the
    email went; failed ones (retried for a day) wait for someone in the admin."""

    State = OutboxState

    task = models.CharField(_("tâche"), max_length=120)
    args = models.JSONField(_("arguments"), default=list, blank=True)
    # The request it concerns, for the admin and the citizen record; none for an agent's digest.
    request = models.ForeignKey(
        ServiceRequest,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="outbox_messages",
    )
    state = models.CharField(
        _("état"), max_length=10, choices=OutboxState.choices, default=OutboxState.PENDING
    )
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    # When the catch-up hands it to the broker again if it is still pending.
    next_attempt_at = models.DateTimeField(_("prochain essai"))
    # A worker runs it until then; past it, the worker is presumed dead (killed, lost).
    running_until = models.DateTimeField(_("en cours jusqu'à"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("essais"), default=0)
    last_error = models.TextField(_("dernière erreur"), blank=True)
    done_at = models.DateTimeField(_("fait le"), null=True, blank=True)

    class Meta:
        verbose_name = _("message à envoyer")
        verbose_name_plural = _("messages à envoyer")
        constraints = [
            models.CheckConstraint(
                condition=_in("state", OutboxState.values), name="outboxmessage_state_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(state="done", done_at__isnull=False) | ~models.Q(state="done"),
                name="outboxmessage_done_has_date",
            ),
        ]
        indexes = [
            # The catch-up's look for what is due.
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(state="pending"),
                name="outboxmessage_pending_idx",
            ),
            models.Index(fields=["task", "state"], name="outboxmessage_task_state_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.task}{tuple(self.args)} · {self.get_state_display()}"
