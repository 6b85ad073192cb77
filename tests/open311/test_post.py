"""Filing through Open311: the same filing service as the web (events, routing, receipt), an
API client's key with `requests:write`, the location as an address or a position, attributes
checked by the forms engine with French errors naming them, media_url refused, nothing written
on an error, a rate limit per key."""

from xml.etree import ElementTree

import pytest

from api.models import ApiCall
from open311.models import GeoReport
from service_requests.models import Event, ServiceRequest
from tests.open311.conftest import validate

pytestmark = pytest.mark.django_db

URL = "/open311/v2/requests.json"
GOOD = {
    "service_code": "signalement-voirie",
    "attribute[nature]": "eclairage",
    "description": "Lampadaire éteint depuis trois jours.",
    "address_string": "8 rue des Tilleuls, 00000 Démo",
}


def post(client, token, url=URL, **params):
    return client.post(url, {"api_key": token, **GOOD, **params})


def test_an_anonymous_report_is_filed_as_the_web_files_it(client, writer):
    api_client, token = writer
    response = post(client, token, device_id="iphone-42")
    assert response.status_code == 201, response.content
    body = response.json()
    validate("post_response", body)
    request = ServiceRequest.objects.get(reference=body[0]["service_request_id"])
    assert request.status == "submitted" and request.channel == "web"
    assert request.filed_by == api_client.user
    assert request.contact_email == "" and request.citizen is None
    assert request.data == {
        "nature": "eclairage",
        "adresse": {"street": "8 rue des Tilleuls", "postcode": "00000", "city": "Démo"},
        "description": "Lampadaire éteint depuis trois jours.",
    }
    assert list(Event.objects.filter(request=request).values_list("kind", flat=True)) == [
        "submitted",
        "routed",
    ]
    geo = GeoReport.objects.get(request=request)
    assert (geo.client, geo.lat, geo.address_string) == (
        api_client,
        None,
        "8 rue des Tilleuls, 00000 Démo",
    )
    assert geo.device_id == "iphone-42"
    call = ApiCall.objects.get()  # in the API's call log
    assert (call.client, call.method, call.status) == (api_client, "POST", 201)
    assert call.view_name == "open311:requests"
    # Then found by the search.
    found = client.get(f"/open311/v2/requests/{request.reference}.json").json()
    assert found[0]["address"] == "8 rue des Tilleuls, 00000 Démo"


def test_a_report_with_a_position_and_an_email(client, writer, mailoutbox):
    _, token = writer
    params = {k: v for k, v in GOOD.items() if k != "address_string"}
    response = client.post(
        URL,
        {
            "api_key": token,
            **params,
            "lat": "48.8566",
            "long": "2.3522",
            "email": "lea.durand@exemple.fr",
            "first_name": "Léa",
            "last_name": "Durand",
        },
    )
    assert response.status_code == 201, response.content
    request = ServiceRequest.objects.get()
    assert (request.contact_email, request.contact_name) == ("lea.durand@exemple.fr", "Léa Durand")
    assert request.data["adresse"] == {
        "street": "Position GPS 48.856600, 2.352200",
        "postcode": "00000",
        "city": "Démo",
    }
    found = client.get(f"/open311/v2/requests/{request.reference}.json").json()[0]
    assert (found["lat"], found["long"]) == (48.8566, 2.3522)
    assert "lea.durand" not in str(found)


def test_the_answer_in_xml(client, writer):
    _, token = writer
    response = post(client, token, url="/open311/v2/requests.xml")
    assert response.status_code == 201
    root = ElementTree.fromstring(response.content)  # noqa: S314 - our own answer
    assert root.tag == "service_requests"
    (item,) = list(root)
    assert item.tag == "request"
    assert item.findtext("service_request_id") == ServiceRequest.objects.get().reference


@pytest.mark.parametrize(
    ("params", "status", "says"),
    [
        ({"service_code": "demande-information"}, 404, "Aucun service"),
        ({"service_code": "inconnu"}, 404, "Aucun service"),
        ({"address_string": ""}, 400, "lat et long, ou address_string"),
        ({"address_string": "", "lat": "91", "long": "2"}, 400, "entre -90 et 90"),
        ({"lat": "nord", "long": "2"}, 400, "des nombres"),
        ({"attribute[nature]": "volcan"}, 400, "attribute[nature] (Nature du problème)"),
        ({"attribute[nature]": ""}, 400, "Choisissez une réponse."),
        ({"attribute[nature]": "autre"}, 400, "attribute[nature_precision]"),
        ({"description": ""}, 400, "description (Décrivez le problème)"),
        ({"description": "x" * 2001}, 400, "2000"),
        ({"media_url": "http://169.254.169.254/photo.jpg"}, 400, "media_url n'est pas accepté"),
        ({"email": "pas-une-adresse"}, 400, "n'est pas valide"),
        ({"address_string": "Rue sans code postal, 1234 Ville" + "x" * 300}, 400, "200"),
        # Not finite: Decimal reads them, the range check then raised (a 500).
        ({"lat": "NaN", "long": "2"}, 400, "des nombres"),
        ({"lat": "48", "long": "Infinity"}, 400, "des nombres"),
        # A NUL byte cannot be stored (a 500); other control characters broke the XML feed and
        # the queue's XLSX export once stored.
        ({"first_name": "Jean\x00"}, 400, "first_name : caractère de contrôle refusé"),
        ({"device_id": "abc\x00"}, 400, "device_id : caractère de contrôle refusé"),
        ({"address_string": "1 rue des Lilas\x01, 00000 Démo"}, 400, "address_string : caract"),
        ({"service_code": "a\x01b"}, 400, "service_code : caractère de contrôle refusé"),
        ({"email": "a\x1bb@exemple.invalid"}, 400, "email : caractère de contrôle refusé"),
    ],
)
def test_bad_input_is_a_french_error_and_nothing_is_written(client, writer, params, status, says):
    _, token = writer
    response = post(client, token, **params)
    assert response.status_code == status, response.content
    body = response.json()
    validate("errors", body)
    assert body[0]["code"] == status
    assert any(says in error["description"] for error in body), body
    assert not ServiceRequest.objects.exists()
    assert not GeoReport.objects.exists()


def test_a_conditional_attribute_when_asked(client, writer):
    _, token = writer
    response = post(
        client,
        token,
        **{"attribute[nature]": "autre", "attribute[nature_precision]": "Banc cassé"},
    )
    assert response.status_code == 201
    assert ServiceRequest.objects.get().data["nature_precision"] == "Banc cassé"


@pytest.mark.parametrize("key", ["", "gru_000000000000_inconnu", "n'importe quoi"])
def test_filing_needs_a_known_key(client, writer, key):
    response = post(client, key)
    assert response.status_code == 403
    validate("errors", response.json())
    assert not ServiceRequest.objects.exists()


def test_a_read_only_key_cannot_file(client, reader):
    read_only, token = reader
    response = post(client, token)
    assert response.status_code == 403
    assert ApiCall.objects.get().client == read_only
    assert "requests:write" in response.json()[0]["description"]
    assert not ServiceRequest.objects.exists()


def test_a_revoked_key_cannot_file(client, writer):
    from api.services import api_client_revoke

    api_client, token = writer
    api_client_revoke(client=api_client, actor=None)
    assert post(client, token).status_code == 403


def test_the_posts_are_rate_limited_per_key(client, writer, reader, settings):
    from api.models import REQUESTS_WRITE
    from api.services import api_client_create

    settings.OPEN311_POSTS_PER_MINUTE = 2
    _, token = writer
    assert post(client, token).status_code == 201
    assert post(client, token).status_code == 201
    refused = post(client, token)
    assert refused.status_code == 429
    assert refused["Retry-After"] == "60"
    validate("errors", refused.json())
    assert ServiceRequest.objects.count() == 2
    # Another key is counted apart.
    _, other = api_client_create(name="Autre appli", teams=[], scopes=[REQUESTS_WRITE], actor=None)
    assert post(client, other).status_code == 201


def test_other_methods_are_refused(client, writer):
    assert client.put(URL).status_code == 405
    assert client.delete("/open311/v2/services.json").status_code == 405
