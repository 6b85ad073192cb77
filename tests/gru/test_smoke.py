import pytest

from tests.factories import ServiceRequestFactory


@pytest.mark.django_db
def test_a_filed_request_can_be_made(client):
    request = ServiceRequestFactory()
    assert request.public_status.label == "Reçue"
    assert client.get("/healthz").status_code == 200
