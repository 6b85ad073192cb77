"""The Monday radar email: one per team manager with their teams' radar, none when nothing is at
risk, never twice in a week, sent by the beat at 7:30 Paris time on Mondays."""

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.core import mail

from backoffice.models import RadarEmail
from pilotage.radar_emails import radar_email_send, radar_emails_enqueue, week_of
from tests.factories import TeamFactory
from tests.pilotage.conftest import TODAY, D, Role, agent, at

pytestmark = pytest.mark.django_db


def test_the_beat_sends_it_on_mondays_at_half_past_seven():
    entry = settings.CELERY_BEAT_SCHEDULE["enqueue-radar-emails"]
    assert entry["task"] == "pilotage.tasks.enqueue_radar_emails"
    assert entry["schedule"] == crontab(hour=7, minute=30, day_of_week="mon")
    assert settings.CELERY_TIMEZONE == "Europe/Paris"


def test_week_of_is_the_monday():
    assert week_of(D(2026, 3, 2)) == D(2026, 3, 2)
    assert week_of(D(2026, 3, 8)) == D(2026, 3, 2)
    assert week_of(D(2026, 3, 9)) == D(2026, 3, 9)


def test_one_email_per_manager_with_their_teams_radar_and_never_twice(dataset, eager_celery):
    urbanisme_manager = agent(dataset["urbanisme"], Role.TEAM_MANAGER, first_name="Paul")
    idle_manager = agent(TeamFactory(name="État civil", slug="etat-civil"), Role.TEAM_MANAGER)
    mail.outbox.clear()
    with at(TODAY, 7):
        assert radar_emails_enqueue() == 3  # the three managers; the idle one gets nothing
    by_recipient = {message.to[0]: message for message in mail.outbox}
    assert set(by_recipient) == {dataset["manager"].email, urbanisme_manager.email}
    assert idle_manager.email not in by_recipient

    voirie = by_recipient[dataset["manager"].email]
    assert voirie.subject == (
        "Radar des décisions implicites : 3 demandes à risque dans vos équipes"
    )
    text = voirie.body
    assert text.startswith("Bonjour Sophie,")
    assert (
        "Voirie : 3 demandes à risque (1 sous 7 jours, 1 de 8 à 15 jours, 1 de 16 à 30 jours), "
        "dont 2 non attribuées et 1 en attente de l'usager" in text
    )
    a1, a3 = dataset["a1"], dataset["a3"]
    assert (
        f"- {a1.reference} (Voirie, « {a1.procedure.title} ») : acceptation implicite le " in text
    )
    assert f"{settings.SITE_URL}/agents/demandes/{a1.reference}/\n" in text
    assert (
        f"{a3.reference} (Voirie, « {a3.procedure.title} ») : rejet implicite le 1er avril" in text
    )
    assert "attribuée à Inès Da Silva" in text
    assert f"{a3.reference} (Voirie" in text and "en attente de l'usager" in text
    assert dataset["b1"].reference not in text  # another team's
    html = voirie.alternatives[0][0]
    assert f'/agents/demandes/{a1.reference}/">{a1.reference}</a>' in html
    assert "/agents/pilotage/radar/" in html

    urbanisme = by_recipient[urbanisme_manager.email]
    assert dataset["b1"].reference in urbanisme.body and a1.reference not in urbanisme.body
    assert RadarEmail.objects.filter(week=TODAY).count() == 2

    mail.outbox.clear()
    with at(TODAY, 9):  # the beat runs again the same week
        assert radar_emails_enqueue() == 1  # only the idle manager is tried again
        assert radar_email_send(user_id=dataset["manager"].pk, week=TODAY) is False
    assert mail.outbox == []


def test_a_failed_send_leaves_no_record_so_the_retry_sends(dataset, settings):
    settings.EMAIL_BACKEND = "tests.pilotage.test_radar_emails.BrokenBackend"
    with at(TODAY, 7), pytest.raises(OSError):
        radar_email_send(user_id=dataset["manager"].pk, week=TODAY)
    assert not RadarEmail.objects.exists()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with at(TODAY, 7):
        assert radar_email_send(user_id=dataset["manager"].pk, week=TODAY) is True
    assert RadarEmail.objects.get().request_count == 3


class BrokenBackend:
    """A mail server that does not answer (outside our code: the one thing mocked)."""

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise OSError("connection refused")
