"""Open311 reading endpoints: discovery, services, a service's definition, the requests and one
request, each in JSON (validated against the GeoReport v2 schemas) and in XML (the same
structure); the search filters, the 90-day window, the 1,000 cap, nothing personal."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from open311 import selectors
from service_requests.models import ServiceRequest, Status
from tests.open311.conftest import same_in_xml, validate
from tests.service_requests.test_submit import SIGNALEMENT, demo_version, submit

pytestmark = pytest.mark.django_db

BASE = "/open311/v2"


def file_report(**answers):
    return submit(demo_version("signalement-voirie"), {**SIGNALEMENT, **answers}).request


def get_json(client, url, **params):
    response = client.get(url, params)
    assert response["Content-Type"].startswith("application/json")
    return response, response.json()


def test_discovery(client, voirie):
    response, body = get_json(client, f"{BASE}/discovery.json")
    assert response.status_code == 200
    validate("discovery", body)
    assert body["endpoints"][0]["url"] == "http://testserver/open311/v2"
    same_in_xml(client, f"{BASE}/discovery.json", body, "discovery")


def test_services_are_the_report_procedures(client, voirie):
    response, body = get_json(client, f"{BASE}/services.json")
    assert response.status_code == 200
    validate("services", body)
    assert [s["service_code"] for s in body] == ["signalement-voirie"]
    assert body[0]["service_name"] == voirie.procedure.title
    same_in_xml(client, f"{BASE}/services.json", body, "services")


def test_a_service_definition_lists_the_forms_fields(client, voirie):
    response, body = get_json(client, f"{BASE}/services/signalement-voirie.json")
    assert response.status_code == 200
    validate("service_definition", body)
    by_code = {a["code"]: a for a in body["attributes"]}
    # The address, the description and the photos are the spec's own parameters.
    assert set(by_code) == {"nature", "nature_precision"}
    nature = by_code["nature"]
    assert (nature["datatype"], nature["required"], nature["order"]) == ("singlevaluelist", True, 1)
    assert {"key": "eclairage", "name": "Éclairage public"} in nature["values"]
    assert by_code["nature_precision"]["required"] is False  # asked only for « Autre »
    assert by_code["nature_precision"]["datatype"] == "string"
    same_in_xml(client, f"{BASE}/services/signalement-voirie.json", body, "service_definition")


@pytest.mark.parametrize("code", ["demande-information", "inconnu"])
def test_only_report_services_have_a_definition(client, voirie, code):
    response, body = get_json(client, f"{BASE}/services/{code}.json")
    assert response.status_code == 404
    validate("errors", body)
    xml = client.get(f"{BASE}/services/{code}.xml")
    assert xml.status_code == 404 and b"<errors><error><code>404</code>" in xml.content


def test_the_requests_show_no_personal_data(client, voirie, django_assert_max_num_queries):
    reports = [file_report() for _ in range(3)]
    with django_assert_max_num_queries(1):
        response, body = get_json(client, f"{BASE}/requests.json")
    assert response.status_code == 200
    validate("requests", body)
    assert [r["service_request_id"] for r in body] == [r.reference for r in reversed(reports)]
    first = body[0]
    assert first["status"] == "open" and first["status_notes"] == "Reçue"
    assert first["address"] == "12 rue de la République, 00000 Démo"
    assert first["zipcode"] == "00000"
    assert first["agency_responsible"] == reports[0].team.name
    assert first["description"] is None  # the citizen's own words stay in GRU
    text = response.content.decode()
    assert "lea.durand" not in text and "trou profond" not in text
    same_in_xml(client, f"{BASE}/requests.json", body, "service_requests")


def test_the_query_count_does_not_grow(client, voirie, django_assert_max_num_queries):
    for _ in range(12):
        file_report()
    with django_assert_max_num_queries(1):
        assert len(client.get(f"{BASE}/requests.json").json()) == 12


def test_the_search_filters(client, voirie):
    open_one, closed_one = file_report(), file_report()
    ServiceRequest.objects.filter(pk=closed_one.pk).update(status=Status.CLOSED)
    question = submit(
        demo_version("demande-information"),
        {
            "sujet": "autre",
            "objet": "Horaires",
            "question": "Quels horaires ?",
            "nom": "Léa Durand",
            "canal_reponse": "email",
            "email": "lea.durand@exemple.fr",
        },
    ).request

    def ids(**params):
        _, body = get_json(client, f"{BASE}/requests.json", **params)
        validate("requests", body)
        return {r["service_request_id"] for r in body}

    assert ids() == {open_one.reference, closed_one.reference}  # no question
    assert ids(status="open") == {open_one.reference}
    assert ids(status="closed") == {closed_one.reference}
    assert ids(service_code="signalement-voirie", status="open,closed") == ids()
    assert ids(service_code="demande-information") == set()
    assert ids(service_request_id=f"{closed_one.reference},{question.reference}") == {
        closed_one.reference
    }
    assert ids(service_request_id=closed_one.reference.lower()) == {closed_one.reference}
    response = client.get(f"{BASE}/requests.json", {"status": "fermé"})
    assert response.status_code == 400
    validate("errors", response.json())
    response = client.get(f"{BASE}/requests.json", {"start_date": "hier"})
    assert response.status_code == 400
    assert "start_date" in response.json()[0]["description"]
    # The calendar's ends: the 90-day window added to them overflowed (a 500).
    for name, moment in (("start_date", "9999-12-31T00:00:00Z"), ("end_date", "0001-01-01")):
        response = client.get(f"{BASE}/requests.json", {name: moment})
        assert response.status_code == 400
        validate("errors", response.json())
        assert f"{name} : une date entre 1900 et 2100." in response.json()[0]["description"]


def test_the_default_window_is_90_days(client, voirie):
    now = timezone.now()
    with time_machine.travel(now - timedelta(days=200)):
        old = file_report()
    with time_machine.travel(now - timedelta(days=80)):
        recent = file_report()

    def ids(**params):
        return {r["service_request_id"] for r in client.get(f"{BASE}/requests.json", params).json()}

    def ago(days):
        return (now - timedelta(days=days)).isoformat()

    assert ids() == {recent.reference}  # the last 90 days
    assert ids(start_date=ago(210)) == {old.reference}  # 90 days from the start
    assert ids(end_date=ago(150)) == {old.reference}  # 90 days up to the end
    assert ids(end_date=ago(60)) == {recent.reference}
    assert ids(start_date=ago(210), end_date=now.isoformat()) == {old.reference, recent.reference}
    reversed_dates = {"start_date": now.isoformat(), "end_date": ago(210)}
    assert client.get(f"{BASE}/requests.json", reversed_dates).status_code == 400


def test_at_most_the_cap(client, voirie, monkeypatch):
    monkeypatch.setattr(selectors, "MAX_REQUESTS", 2)
    for _ in range(3):
        file_report()
    assert len(client.get(f"{BASE}/requests.json").json()) == 2


def test_one_request(client, voirie):
    report = file_report()
    response, body = get_json(client, f"{BASE}/requests/{report.reference}.json")
    assert response.status_code == 200
    validate("request", body)
    assert body[0]["service_request_id"] == report.reference
    same_in_xml(client, f"{BASE}/requests/{report.reference}.json", body, "service_requests")
    missing = client.get(f"{BASE}/requests/ABCD-1234.json")
    assert missing.status_code == 404
    validate("errors", missing.json())
