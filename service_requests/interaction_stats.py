"""Contacts counted for the dashboards: how many, on which channel, in which direction, with
which outcome, over a period. Aggregates only: no citizen, no summary."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Count
from django.utils import timezone

from citizens.models import Channel
from gru.models import Team
from service_requests.models import Interaction, InteractionDirection, InteractionOutcome

# The channels a contact is logged on, in the order the screens list them; the web (a request
# filed online) is counted when a contact names it, never listed empty.
CONTACT_CHANNELS = (
    Channel.COUNTER,
    Channel.PHONE,
    Channel.EMAIL,
    Channel.MAIL,
    Channel.SMS,
    Channel.SOCIAL,
)


@dataclass(frozen=True)
class ContactCounts:
    by_channel: dict[str, int] = field(default_factory=dict)
    by_direction: dict[str, int] = field(default_factory=dict)
    by_outcome: dict[str, int] = field(default_factory=dict)  # "" : no outcome given
    # (channel, direction) → count, for a table of inbound and outbound per channel.
    by_channel_and_direction: dict[tuple[str, str], int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.by_channel.values())

    def channel_rows(self) -> list[tuple[str, str, int]]:
        """(channel, its French label, count) for every contact channel, zeros included, then
        any other channel that has contacts."""
        labels = dict(Channel.choices)
        shown = [c.value for c in CONTACT_CHANNELS]
        shown += [c for c in self.by_channel if c not in shown]
        return [(c, labels.get(c, c), self.by_channel.get(c, 0)) for c in shown]


def contacts_by_channel(
    *, since: datetime, until: datetime, team: Team | None = None
) -> ContactCounts:
    """The contacts that occurred in [since, until), of `team` or of every team, counted per
    channel, per direction and per outcome: one query."""
    contacts = Interaction.objects.filter(occurred_at__gte=since, occurred_at__lt=until)
    if team is not None:
        contacts = contacts.filter(team=team)
    rows = (
        contacts.order_by().values_list("channel", "direction", "outcome").annotate(n=Count("id"))
    )
    by_channel: dict[str, int] = {}
    by_direction = dict.fromkeys(InteractionDirection.values, 0)
    by_outcome = dict.fromkeys(["", *InteractionOutcome.values], 0)
    pairs: dict[tuple[str, str], int] = {}
    for channel, direction, outcome, n in rows:
        by_channel[channel] = by_channel.get(channel, 0) + n
        by_direction[direction] = by_direction.get(direction, 0) + n
        by_outcome[outcome] = by_outcome.get(outcome, 0) + n
        pairs[(channel, direction)] = pairs.get((channel, direction), 0) + n
    return ContactCounts(
        by_channel=by_channel,
        by_direction=by_direction,
        by_outcome=by_outcome,
        by_channel_and_direction=pairs,
    )


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """The first instant of `day` and of the next, in the authority's time zone (Europe/Paris):
    `contacts_by_channel(since=…, until=…)` for one day."""
    start = timezone.make_aware(datetime.combine(day, time.min))
    end = timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))
    return start, end
