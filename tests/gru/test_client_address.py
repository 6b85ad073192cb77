"""Which address the rate limits count (issue 13, item 6): 40 wrong tracking lookups with a new
X-Forwarded-For each went unthrottled, while allauth counted REMOTE_ADDR. One setting,
TRUSTED_PROXY_COUNT (0 by default), for both; a body announced too large is refused unread
(item 8)."""

import pytest
from allauth.account.adapter import get_adapter
from django.test import RequestFactory
from django.urls import reverse

from gru.ratelimit import client_ip
from tests.gru.accounts_support import _empty_cache  # noqa: F401

CLIENT = "203.0.113.7"
PROXY = "10.0.0.2"


@pytest.mark.parametrize(
    ("trusted", "forwarded", "remote", "expected"),
    [
        (0, None, CLIENT, CLIENT),
        (0, "198.51.100.1", CLIENT, CLIENT),  # no proxy of ours: the header is the client's
        (1, CLIENT, PROXY, CLIENT),  # our proxy wrote it
        (1, f"198.51.100.1, {CLIENT}", PROXY, CLIENT),  # a forged hop on the left is ignored
        (1, None, PROXY, PROXY),  # did not come through the proxy
        (2, f"198.51.100.1, {CLIENT}, 10.0.0.9", PROXY, CLIENT),
        (2, CLIENT, PROXY, PROXY),  # fewer hops than proxies: not through them
        (1, " , ", PROXY, PROXY),
    ],
)
def test_the_client_address(settings, trusted, forwarded, remote, expected):
    settings.TRUSTED_PROXY_COUNT = trusted
    headers = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    request = RequestFactory().get("/", **headers)
    assert client_ip(request) == expected
    # allauth's rate limits count the same address.
    assert get_adapter(request).get_client_ip(request) == expected


def test_the_setting_is_allauths_too(settings):
    from django.conf import settings as live

    assert live.ALLAUTH_TRUSTED_PROXY_COUNT == live.TRUSTED_PROXY_COUNT == 0


@pytest.mark.django_db
def test_a_new_forwarded_header_each_time_does_not_escape_the_tracking_limit(client):
    statuses = [
        client.post(
            reverse("service_requests:lookup"),
            {"reference": "K7QM-2X4P", "email": "lea@exemple.fr"},
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n}",
        ).status_code
        for n in range(40)
    ]
    assert statuses[:10] == [400] * 10
    assert statuses[10:] == [429] * 30


@pytest.mark.django_db
def test_a_body_announced_too_large_is_refused_before_it_is_read(client, settings):
    settings.MAX_REQUEST_BODY_BYTES = 1024 * 1024
    response = client.post(
        reverse("service_requests:lookup"),
        data=b"x" * 10,
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(400 * 1024 * 1024),
    )
    assert response.status_code == 413
    assert "au plus 1 Mo par envoi" in response.content.decode()


@pytest.mark.django_db
def test_a_body_within_the_bound_goes_through(client):
    response = client.post(
        reverse("service_requests:lookup"), {"reference": "K7QM-2X4P", "email": "a@exemple.fr"}
    )
    assert response.status_code == 400  # not found: the view answered
