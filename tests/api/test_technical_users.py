"""An API client's technical user holds memberships for its reach, but is no colleague: it is
not offered as an assignee nor told of citizens' messages."""

import pytest

from service_requests.cases import team_members
from service_requests.models import Event, Message
from service_requests.services.agent_notifications import agents_notify_of_event
from tests.factories import EventFactory, MembershipFactory, ServiceRequestFactory

pytestmark = pytest.mark.django_db


def test_not_a_colleague(api, team):
    instructor = MembershipFactory(team=team).user
    assert team_members(team.pk) == [instructor]


def test_not_told_of_a_citizen_message(api, team, version):
    instructor = MembershipFactory(team=team).user
    request = ServiceRequestFactory(form_version=version, assignee=None)
    event = EventFactory(
        request=request,
        kind=Event.Kind.MESSAGE,
        payload={"direction": Message.Direction.FROM_CITIZEN},
    )
    told = {notification.user_id for notification in agents_notify_of_event(event)}
    assert told == {instructor.pk}
