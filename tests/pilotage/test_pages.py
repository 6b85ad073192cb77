"""The overview page and its CSVs: French errors with a 400, an out-of-scope team a 404, the
elected official's pages free of any personal data of the dataset, and a query count that does
not grow with the data."""

import csv
import datetime
import io
import re

import pytest
import time_machine
from django.urls import reverse

from gru.models import Membership
from pilotage.refresh import refresh
from service_requests.models import ServiceRequest
from tests.factories import MembershipFactory, UserFactory
from tests.pilotage.known_dataset import SECRETS, _filed, build, paris
from tests.pilotage.org import login_agent

D = datetime.date


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Figures are cached by refresh run and team ids, which a new test database reuses."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


Role = Membership.Role
SLUGS = [
    "demandes-par-canal",
    "demandes-par-demarche",
    "demandes-par-jour",
    "arrivees-semaine-jour",
    "contacts-par-canal",
    "demandes-en-cours-par-anciennete",
    "satisfaction",
]
QUERY = "?periode=custom&debut=2026-01-01&fin=2026-02-28"


@pytest.fixture
def known(db, eager_celery, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        data = build()
    data["official"] = _member(data["voirie"], Role.OFFICIAL, "Maryse", "Lacroix")
    data["manager"] = _member(data["voirie"], Role.TEAM_MANAGER, "Sophie", "Lemaître")
    return data


def _member(team, role, first, last):
    user = UserFactory(first_name=first, last_name=last)
    MembershipFactory(user=user, team=team, role=role)
    return user


@pytest.fixture(autouse=True)
def _on_the_first_of_march():
    with time_machine.travel(paris(2026, 3, 1, 9), tick=False):
        yield


def test_the_official_sees_every_team_and_no_personal_data(client, known):
    login_agent(client, known["official"])
    response = client.get(reverse("backoffice:pilotage") + QUERY)
    assert response.status_code == 200
    pages = [response.content.decode()]
    for slug in SLUGS:
        csv_response = client.get(reverse("backoffice:pilotage_csv", args=[slug]) + QUERY)
        assert csv_response.status_code == 200
        assert csv_response["Content-Type"].startswith("text/csv")
        pages.append(csv_response.content.decode())
    everything = "\n".join(pages)
    references = list(ServiceRequest.objects.values_list("reference", flat=True))
    assert len(references) == 7
    for secret in [*SECRETS, *references]:
        assert secret not in everything, secret
    # …and yet the figures are there: 7 requests received over the two months, all teams.
    rows = list(csv.reader(io.StringIO(pages[1].lstrip("\ufeff")), delimiter=";"))
    assert rows[0] == ["Canal", "Demandes"]
    assert sum(int(n) for _label, n in rows[1:]) == 7
    assert "aucune donnée personnelle" in pages[0]


def test_the_manager_sees_the_team_figures(client, known):
    login_agent(client, known["manager"])
    response = client.get(reverse("backoffice:pilotage_csv", args=["demandes-par-canal"]) + QUERY)
    rows = list(csv.reader(io.StringIO(response.content.decode().lstrip("\ufeff")), delimiter=";"))
    assert sum(int(n) for _label, n in rows[1:]) == 6  # r6 is urbanisme's
    other = "?equipe=urbanisme"
    assert client.get(reverse("backoffice:pilotage") + other).status_code == 404
    assert (
        client.get(reverse("backoffice:pilotage_csv", args=["satisfaction"]) + other).status_code
        == 404
    )
    assert client.get(reverse("backoffice:pilotage_csv", args=["inconnu"])).status_code == 404


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("?periode=custom&debut=2026-13-01&fin=2026-02-01", "debut", "Saisissez une date valide"),
        ("?periode=custom&debut=2026-02-01", "fin", "Indiquez la date de fin."),
        ("?periode=custom&debut=2026-02-10&fin=2026-02-01", "fin", "La date de fin doit suivre"),
        ("?periode=siecle", "periode", "Sélectionnez un choix valide"),
        # The calendar's ends: the charts' weeks and the previous period would overflow (500).
        ("?periode=custom&debut=9999-12-01&fin=9999-12-31", "debut", "entre le 01/01/2000"),
        ("?periode=custom&debut=2026-01-01&fin=9999-12-31", "fin", "entre le 01/01/2000"),
        ("?periode=custom&debut=0001-01-01&fin=0001-01-31", "debut", "entre le 01/01/2000"),
    ],
)
def test_bad_filters_are_a_400_with_the_message_next_to_the_field(
    client, known, query, field, message
):
    login_agent(client, known["manager"])
    response = client.get(reverse("backoffice:pilotage") + query)
    assert response.status_code == 400
    html = response.content.decode()
    assert f'id="id_{field}-error"' in html and message in html
    assert f'aria-describedby="id_{field}-error"' in html
    csv_response = client.get(reverse("backoffice:pilotage_csv", args=["satisfaction"]) + query)
    assert csv_response.status_code == 400


def test_the_summary_counts_the_fields_to_correct(client, known):
    login_agent(client, known["manager"])
    one = client.get(reverse("backoffice:pilotage") + "?periode=custom&debut=2026-02-01")
    assert "1 erreur : corrigez le champ indiqué." in one.content.decode()
    both = "?periode=custom&debut=9999-12-01&fin=9999-12-31"
    two = client.get(reverse("backoffice:pilotage") + both).content.decode()
    assert "2 erreurs : corrigez les champs indiqués." in two


def test_the_query_count_does_not_grow_with_the_data(client, known, django_assert_max_num_queries):
    from django.core.cache import cache

    login_agent(client, known["official"])
    url = reverse("backoffice:pilotage") + "?periode=year"
    cache.clear()
    with django_assert_max_num_queries(26) as first:
        assert client.get(url).status_code == 200
    channels = ["web", "mail", "email", "phone", "counter"]
    for i, channel in enumerate(channels):  # more requests, procedures, channels, days
        _filed(known["voirie"], "acceptance", "P2M", D(2026, 2, 20 + i), channel)
        _filed(known["urbanisme"], "rejection", "P1M", D(2026, 1, 10 + i), channel)
    refresh(full=True, today=D(2026, 3, 1))
    cache.clear()
    with django_assert_max_num_queries(len(first.captured_queries)):
        assert client.get(url).status_code == 200
    with django_assert_max_num_queries(10):  # cached until the next refresh
        assert client.get(url).status_code == 200


def test_the_charts_coordinates_are_numbers_svg_reads_whatever_the_language(client, known):
    """French formats 15.4 as « 15,4 »: in an SVG attribute that is no number, and the browser
    drew each bar's label as its first letter and the axes in a heap."""
    login_agent(client, known["manager"])
    page = client.get(reverse("backoffice:pilotage") + QUERY).content.decode()
    svg = "".join(re.findall(r"<svg.*?</svg>", page, flags=re.S))
    number = r"-?\d+(?:\.\d+)?"
    coordinates = re.findall(r'\s(?:x|y|x1|y1|x2|y2|width|height)="([^"]*)"', svg)
    assert len(coordinates) > 20
    assert all(re.fullmatch(number, value) for value in coordinates), coordinates
    for points in re.findall(r'\spoints="([^"]*)"', svg):  # "x,y x,y …"
        assert re.fullmatch(rf"{number},{number}(?: {number},{number})*", points), points


def test_the_period_shown_in_the_form_is_the_one_the_page_counts(client, known):
    login_agent(client, known["manager"])
    page = client.get(reverse("backoffice:pilotage")).content.decode()
    assert re.search(r'<option value="month"[^>]*selected', page)
