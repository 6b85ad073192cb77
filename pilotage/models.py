"""The summary tables of the dashboards, refreshed by `pilotage.refresh` (Celery beat), never
written by hand: the pages read these, never the requests table (issue 14, items 1 and 8).

Their foreign keys carry no database constraint: a refresh writes a million rows, and checking
two keys per row at commit doubled its time; teams and procedures are never deleted (their
requests protect them), and the rows are rebuilt from the requests anyway.

Figures are per team, procedure and channel; no table names an agent (item 5: no ranking of
individual agents), and none holds a citizen's name, a reference or a request's content, so an
elected official's pages, which read nothing else, hold no personal data."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from citizens.models import Channel
from forms_builder.models import Procedure
from gru.models import Team


class RequestFact(models.Model):
    """One filed request, as the dashboards count it. `processing_days` (decided requests only)
    is the days from receipt to decision minus `waiting_days`, the days spent waiting for the
    citizen's pieces (pilotage.facts). `within_delay`: decided expressly before the day its
    implicit decision would have been born; None without a silence rule."""

    request_id = models.BigIntegerField(primary_key=True)  # no foreign key: a fact outlives it
    team = models.ForeignKey(
        Team, on_delete=models.DO_NOTHING, null=True, related_name="+", db_constraint=False
    )
    procedure = models.ForeignKey(
        Procedure, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False
    )
    channel = models.CharField(max_length=10, choices=Channel.choices)
    status = models.CharField(max_length=20)
    received_on = models.DateField()
    decided_on = models.DateField(null=True)
    implicit = models.BooleanField(default=False)
    accepted = models.BooleanField(null=True)  # the outcome, for decided requests
    waiting_days = models.PositiveIntegerField(default=0)
    processing_days = models.PositiveIntegerField(null=True)
    within_delay = models.BooleanField(null=True)

    class Meta:
        verbose_name = _("demande (chiffres du pilotage)")
        verbose_name_plural = _("demandes (chiffres du pilotage)")
        indexes = [
            models.Index(
                fields=["decided_on", "team", "procedure"],
                condition=models.Q(decided_on__isnull=False),
                name="pilotage_fact_decided_idx",
            ),
            models.Index(
                fields=["team", "procedure", "received_on"],
                condition=models.Q(decided_on__isnull=True),
                name="pilotage_fact_open_idx",
            ),
            models.Index(fields=["received_on"], name="pilotage_fact_received_idx"),
        ]

    def __str__(self) -> str:
        return f"demande {self.request_id}"


class DailyArrivals(models.Model):
    """Requests received on a day, per team, procedure and channel."""

    day = models.DateField()
    team = models.ForeignKey(
        Team, on_delete=models.DO_NOTHING, null=True, related_name="+", db_constraint=False
    )
    procedure = models.ForeignKey(
        Procedure, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False
    )
    channel = models.CharField(max_length=10, choices=Channel.choices)
    count = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("demandes reçues par jour")
        verbose_name_plural = _("demandes reçues par jour")
        indexes = [models.Index(fields=["day", "team", "procedure"], name="pilotage_arrivals_idx")]

    def __str__(self) -> str:
        return f"{self.day} · {self.count}"


class DailyInteractions(models.Model):
    """Contacts of a day (Europe/Paris), per team and channel; `answered`: answered on the spot
    (outcome « réponse donnée sur le moment »), the one-stop shop's first-contact resolution."""

    day = models.DateField()
    team = models.ForeignKey(
        Team, on_delete=models.DO_NOTHING, null=True, related_name="+", db_constraint=False
    )
    channel = models.CharField(max_length=10, choices=Channel.choices)
    count = models.PositiveIntegerField()
    answered = models.PositiveIntegerField()
    inbound = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("contacts par jour")
        verbose_name_plural = _("contacts par jour")
        indexes = [models.Index(fields=["day", "team"], name="pilotage_contacts_idx")]

    def __str__(self) -> str:
        return f"{self.day} · {self.count}"


class DailySatisfaction(models.Model):
    """Satisfaction answers of a day, per team, procedure and rating (1 to 5). No comment:
    a comment is free text, which may name someone."""

    day = models.DateField()
    team = models.ForeignKey(
        Team, on_delete=models.DO_NOTHING, null=True, related_name="+", db_constraint=False
    )
    procedure = models.ForeignKey(
        Procedure, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False
    )
    rating = models.PositiveSmallIntegerField()
    count = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("avis de satisfaction par jour")
        verbose_name_plural = _("avis de satisfaction par jour")
        indexes = [models.Index(fields=["day", "team"], name="pilotage_satisfaction_idx")]

    def __str__(self) -> str:
        return f"{self.day} · {self.rating}/5 · {self.count}"


class BacklogSnapshot(models.Model):
    """The open requests on a day (taken at each refresh, the day's last one wins), per team,
    procedure and age bucket (days since receipt): the backlog's history."""

    day = models.DateField()
    team = models.ForeignKey(
        Team, on_delete=models.DO_NOTHING, null=True, related_name="+", db_constraint=False
    )
    procedure = models.ForeignKey(
        Procedure, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False
    )
    bucket = models.PositiveSmallIntegerField()  # index in pilotage.facts.AGE_BUCKETS
    count = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("demandes en cours (instantané)")
        verbose_name_plural = _("demandes en cours (instantanés)")
        indexes = [models.Index(fields=["day", "team"], name="pilotage_backlog_idx")]

    def __str__(self) -> str:
        return f"{self.day} · {self.count}"


class RefreshRun(models.Model):
    """One refresh of the tables: when, how (full or since the previous run), how long, what."""

    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True)
    full = models.BooleanField(default=False)
    seconds = models.FloatField(null=True)
    counts = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("mise à jour des chiffres")
        verbose_name_plural = _("mises à jour des chiffres")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.started_at:%d/%m/%Y %H:%M}"
