"""The permission matrix of the back office: role, own team or other team, action, state.

The expected table is written out here, by hand, from DESIGN.md's roles table; the code's one
place that says who may do what (service_requests.permissions, with the lifecycle's `who`) is
checked against it exhaustively. Then the HTTP answers: out of reach is a 404 (never a 403 that
would confirm the reference exists), an action the role does not allow on a request in reach is
a 403, and an anonymous visitor is sent to the login.
"""

import itertools

import pytest
from django.urls import reverse

from forms_builder.models import Procedure, SilenceRule
from gru.models import Membership
from service_requests.models import Status
from service_requests.permissions import ACTIONS, allowed_actions, visible_requests
from tests.factories import (
    FormVersionFactory,
    MembershipFactory,
    ProcedureFactory,
    ServiceRequestFactory,
    TeamFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

Role = Membership.Role
ROLES = ["front_desk", "instructor", "team_manager", "administrator", "dpo", "official"]
STATES = [s for s in Status if s != Status.DRAFT]

WORK = {"take", "transfer", "reroute", "message", "note", "withdraw"}
DECIDE = {"accept", "accept_partially", "reject"}
# What an instructor of the request's team may do, by state, on an unassigned request of a
# procedure calling for a decision (SVA); `close` replaces the decisions for a report.
INSTRUCTOR = {
    Status.SUBMITTED: WORK | DECIDE | {"start_review", "ask_documents", "mark_complete"},
    Status.IN_REVIEW: WORK | DECIDE | {"ask_documents", "mark_complete"},
    Status.AWAITING_CITIZEN: WORK | DECIDE | {"receive_documents", "mark_complete"},
    Status.ACCEPTED: {"message", "note"},
    Status.PARTIALLY_ACCEPTED: {"message", "note"},
    Status.REJECTED: {"message", "note"},
    Status.ACCEPTED_IMPLICITLY: {"message", "note"},
    Status.REJECTED_IMPLICITLY: {"message", "note"},
    Status.CLOSED: {"message", "note"},
    Status.WITHDRAWN: {"note"},
}
OPEN = {Status.SUBMITTED, Status.IN_REVIEW, Status.AWAITING_CITIZEN}
REOPENABLE = {Status.CLOSED, Status.REJECTED, Status.REJECTED_IMPLICITLY}


def expected(role: str, own_team: bool, status: str, kind: str, assigned_to: str) -> set[str]:
    """The table: what `role` may do. `assigned_to` is "nobody", "me" or "colleague"."""
    if role not in ("instructor", "team_manager", "front_desk") or not own_team:
        return set()  # front desk elsewhere: read-only; the others: no case at all
    if role == "front_desk":  # answers their own team's requests, decides nothing
        allowed = INSTRUCTOR[status] & {"take", "transfer", "message", "note"}
        if kind == Procedure.Kind.REPORT and status in OPEN:
            allowed |= {"close"}
        if assigned_to == "me":
            allowed = (allowed - {"take"}) | ({"unassign"} if status in OPEN else set())
        return allowed
    allowed = set(INSTRUCTOR[status])
    if role == "team_manager":
        if status in OPEN:
            allowed.add("assign")
        if status in REOPENABLE:
            allowed.add("reopen")
    if kind == Procedure.Kind.REPORT and status in OPEN:
        # Answered, not decided; no pieces asked under L114-5 for a decision to come.
        allowed = (allowed - DECIDE - {"ask_documents", "mark_complete"}) | {"close"}
    if assigned_to == "me":
        allowed.discard("take")
    if status in OPEN and (
        assigned_to == "me" or (assigned_to == "colleague" and role == "team_manager")
    ):
        allowed.add("unassign")
    return allowed


@pytest.fixture
def world():
    own, other = TeamFactory(slug="voirie"), TeamFactory(slug="etat-civil")
    users = {}
    for role in ROLES:
        user = UserFactory(email=f"{role}@ville-demo.invalid")
        # Everyone in `own`: the team alone gives no case to the DPO, the official or the
        # administrator, and the front desk answers its own team's requests only.
        MembershipFactory(user=user, team=own, role=role)
        users[role] = user
    colleague = UserFactory(email="collegue@ville-demo.invalid")
    MembershipFactory(user=colleague, team=own, role=Role.INSTRUCTOR)
    MembershipFactory(user=colleague, team=other, role=Role.INSTRUCTOR)
    decision = ProcedureFactory(default_team=own, kind=Procedure.Kind.DECISION)
    report = ProcedureFactory(
        default_team=own, kind=Procedure.Kind.REPORT, silence_rule=SilenceRule.NONE,
        silence_delay="",
    )  # fmt: skip
    versions = {
        Procedure.Kind.DECISION: FormVersionFactory(procedure=decision),
        Procedure.Kind.REPORT: FormVersionFactory(procedure=report),
    }
    return {"own": own, "other": other, "users": users, "colleague": colleague, "v": versions}


def _request(world, *, team, status, kind, assignee):
    decided = status in {
        Status.ACCEPTED,
        Status.PARTIALLY_ACCEPTED,
        Status.REJECTED,
        Status.ACCEPTED_IMPLICITLY,
        Status.REJECTED_IMPLICITLY,
    }
    received = ServiceRequestFactory.received_on.function()
    return ServiceRequestFactory(
        form_version=world["v"][kind],
        team=team,
        status=status,
        assignee=assignee,
        decided_on=received if decided else None,
    )


def test_the_matrix_covers_every_action():
    assert set(ACTIONS) == set().union(*INSTRUCTOR.values()) | {
        "assign",
        "unassign",
        "reopen",
        "close",
    }


@pytest.mark.parametrize("kind", [Procedure.Kind.DECISION, Procedure.Kind.REPORT])
def test_allowed_actions_match_the_table_for_every_role_team_state_and_assignment(world, kind):
    mismatches = []
    for role, own_team, status, assigned_to in itertools.product(
        ROLES, (True, False), STATES, ("nobody", "me", "colleague")
    ):
        user = world["users"][role]
        if kind == Procedure.Kind.REPORT and status in {
            Status.ACCEPTED,
            Status.PARTIALLY_ACCEPTED,
            Status.REJECTED,
            Status.ACCEPTED_IMPLICITLY,
            Status.REJECTED_IMPLICITLY,
        }:
            continue  # a report is never decided
        if status not in OPEN and assigned_to != "nobody":
            continue  # the assignee of a closed request changes nothing
        assignee = {"nobody": None, "me": user, "colleague": world["colleague"]}[assigned_to]
        team = world["own"] if own_team else world["other"]
        request = _request(world, team=team, status=status, kind=kind, assignee=assignee)
        user = type(user).objects.get(pk=user.pk)  # a fresh scope
        got = set(allowed_actions(user, request))
        want = expected(role, own_team, status, kind, assigned_to)
        if got != want:
            mismatches.append(
                (role, own_team, status, assigned_to, sorted(got - want), sorted(want - got))
            )
    assert not mismatches, "\n".join(map(str, mismatches))


@pytest.mark.parametrize(
    ("role", "sees_own", "sees_other"),
    [
        ("front_desk", True, True),  # every team, read-only beyond its own
        ("instructor", True, False),
        ("team_manager", True, False),
        ("administrator", False, False),
        ("dpo", False, False),
        ("official", False, False),
    ],
)
def test_visible_requests_by_role(world, role, sees_own, sees_other):
    own = _request(
        world, team=world["own"], status=Status.IN_REVIEW, kind="decision", assignee=None
    )
    other = _request(
        world, team=world["other"], status=Status.IN_REVIEW, kind="decision", assignee=None
    )
    draft = _request(world, team=world["own"], status=Status.DRAFT, kind="decision", assignee=None)
    visible = set(visible_requests(world["users"][role]))
    assert (own in visible, other in visible, draft in visible) == (sees_own, sees_other, False)


# --- HTTP ----------------------------------------------------------------------------------

# role → (GET own, GET other, POST a note on own, POST a note on other)
HTTP = {
    "front_desk": (200, 200, 302, 403),
    "instructor": (200, 404, 302, 404),
    "team_manager": (200, 404, 302, 404),
    "administrator": (404, 404, 404, 404),
    "dpo": (404, 404, 404, 404),
    "official": (404, 404, 404, 404),
    "citizen": (404, 404, 404, 404),
}


def _login(client, user):
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    TOTP.activate(user, generate_totp_secret())
    client.force_login(user)


@pytest.mark.parametrize("role", list(HTTP))
def test_case_screen_and_action_answers_by_role(client, world, role):
    if role == "citizen":
        user = UserFactory(email="usager@exemple.fr")
        client.force_login(user)
    else:
        _login(client, world["users"][role])
    own = _request(
        world, team=world["own"], status=Status.IN_REVIEW, kind="decision", assignee=None
    )
    other = _request(
        world, team=world["other"], status=Status.IN_REVIEW, kind="decision", assignee=None
    )
    got = []
    for request in (own, other):
        got.append(client.get(reverse("backoffice:case", args=[request.reference])).status_code)
    for request in (own, other):
        url = reverse("backoffice:case_action", args=[request.reference, "note"])
        seen = request.events.order_by("-id").values_list("id", flat=True).first() or 0
        data = {"note-text": "Appelé ce matin.", "note-seen_event_id": seen}
        got.append(client.post(url, data).status_code)
    assert tuple(got) == HTTP[role]
    notes = own.events.filter(kind="note").count() + other.events.filter(kind="note").count()
    assert notes == sum(1 for status in HTTP[role][2:] if status == 302)


def test_an_unknown_reference_is_the_same_404(client, world):
    _login(client, world["users"]["instructor"])
    assert client.get(reverse("backoffice:case", args=["ZZZZ-ZZZZ"])).status_code == 404
    assert client.get(reverse("backoffice:case", args=["pas-une-reference"])).status_code == 404


@pytest.mark.parametrize(
    "name", ["backoffice:home", "backoffice:queue", "backoffice:case", "backoffice:case_document"]
)
def test_anonymous_visitors_are_sent_to_the_login(client, world, name):
    args = {
        "backoffice:home": [],
        "backoffice:queue": ["voirie"],
        "backoffice:case": ["ABCD-EFGH"],
        "backoffice:case_document": ["ABCD-EFGH", 1],
    }[name]
    response = client.get(reverse(name, args=args))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize(("role", "status"), [("front_desk", 200), ("instructor", 200)])
def test_queue_of_own_team(client, world, role, status):
    _login(client, world["users"][role])
    assert client.get(reverse("backoffice:queue", args=["voirie"])).status_code == status


@pytest.mark.parametrize(
    ("role", "status"),
    [("front_desk", 200), ("instructor", 404), ("team_manager", 404), ("official", 404)],
)
def test_queue_of_another_team(client, world, role, status):
    _login(client, world["users"][role])
    assert client.get(reverse("backoffice:queue", args=["etat-civil"])).status_code == status
