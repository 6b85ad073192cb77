"""The Monday radar email (issue 14, item 3): each team manager gets their teams' SVA risk radar.

One email per manager, covering every team they manage. Nothing is sent to a manager with
nothing to tell: no request at risk within 30 days and no implicit decision born in the last
seven days. Once a week: a `backoffice.RadarEmail` row, unique per manager and week, is written
in the transaction that sends the email; a second run of the beat task that week finds it (and a
run racing this one waits on the unique index, then skips), and a failed send rolls it back so
that the retry sends.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from backoffice.models import RadarEmail
from gru.models import Membership, User
from pilotage import radar
from service_requests.models import ServiceRequest, Status

EMAIL_LIMIT = 50  # requests listed in an email; the page has the rest
BORN_DAYS = 7  # implicit decisions born since the last email


def week_of(day: date) -> date:
    """The Monday of `day`'s week."""
    return day - timedelta(days=day.weekday())


def _managed_team_ids(user_id: int) -> list[int]:
    return sorted(
        Membership.objects.filter(
            user_id=user_id, role=Membership.Role.TEAM_MANAGER, team__is_active=True
        ).values_list("team_id", flat=True)
    )


def _managers() -> list[int]:
    return sorted(
        set(
            Membership.objects.filter(
                role=Membership.Role.TEAM_MANAGER, team__is_active=True, user__is_active=True
            ).values_list("user_id", flat=True)
        )
    )


def radar_emails_enqueue(*, today: date | None = None) -> int:
    """Enqueue the radar email of every team manager not yet sent this week; return how many."""
    from pilotage import tasks

    week = week_of(today or timezone.localdate())
    sent = set(RadarEmail.objects.filter(week=week).values_list("user_id", flat=True))
    user_ids = [user_id for user_id in _managers() if user_id not in sent]
    for user_id in user_ids:
        tasks.send_radar_email.delay(user_id, week.isoformat())
    return len(user_ids)


def _message(context: dict, to: str) -> EmailMultiAlternatives:
    context = {
        "authority_name": settings.AUTHORITY_NAME,
        "authority_address": settings.AUTHORITY_ADDRESS,
        "site_url": settings.SITE_URL,
        **context,
    }
    with translation.override("fr"):
        subject = " ".join(render_to_string("emails/radar_subject.txt", context).split())
        text = render_to_string("emails/radar.txt", context)
        html = render_to_string("emails/radar.html", context)
    message = EmailMultiAlternatives(subject=subject, body=text, to=[to])
    message.attach_alternative(html, "text/html")
    return message


def radar_email_send(*, user_id: int, week: date, today: date | None = None) -> bool:
    """Send the manager's radar of `week`, once; return whether it went."""
    today = today or timezone.localdate()
    user = User.objects.filter(pk=user_id, is_active=True).first()
    team_ids = _managed_team_ids(user_id) if user else []
    if not team_ids or RadarEmail.objects.filter(user_id=user_id, week=week).exists():
        return False
    requests = ServiceRequest.objects.exclude(status=Status.DRAFT).filter(team_id__in=team_ids)
    data = radar.radar(requests, today=today, period_days=BORN_DAYS, limit=EMAIL_LIMIT)
    born = data.total.accepted_implicitly + data.total.rejected_implicitly
    if not data.total.at_risk and not born:
        return False
    context = {
        "user": user,
        "radar": data,
        "born_count": born,
        "site_rows": [{"row": row, "url": settings.SITE_URL + row.url} for row in data.rows],
        "radar_url": settings.SITE_URL + reverse("backoffice:pilotage_radar"),
    }
    message = _message(context, user.email)
    try:
        with transaction.atomic():
            RadarEmail.objects.create(user=user, week=week, request_count=data.total.at_risk)
            message.send()
    except IntegrityError:
        return False  # another run sent it meanwhile
    return True
