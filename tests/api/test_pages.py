"""Cursor pages stay stable while rows are inserted, are capped at 100, and cost a constant
number of queries whatever the number of rows (list and detail)."""

import pytest
from django.core.files.base import ContentFile

from service_requests.models import Document
from tests.factories import EventFactory, ServiceRequestFactory

pytestmark = pytest.mark.django_db


def _walk(http, url, *, between=None):
    seen, pages = [], 0
    while url:
        body = http.get(url).json()
        seen += [row["reference"] for row in body["results"]]
        url = body["next"]
        pages += 1
        if between:
            between(pages)
    return seen


def test_nothing_skipped_nor_repeated_under_concurrent_inserts(api, version):
    before = [ServiceRequestFactory(form_version=version).reference for _ in range(7)]
    inserted = []

    def insert(page):
        if page < 3:  # after each of the first two pages, another system files a request
            inserted.append(ServiceRequestFactory(form_version=version).reference)

    seen = _walk(api, "/api/v1/requests/?page_size=3", between=insert)
    assert len(seen) == len(set(seen))  # nothing repeated
    assert len(inserted) == 2
    assert seen == before + inserted  # nothing skipped, oldest first, new ones at the end


def test_pages_are_capped_at_100(api, version):
    ServiceRequestFactory.create_batch(101, form_version=version)
    body = api.get("/api/v1/requests/?page_size=500").json()
    assert len(body["results"]) == 100 and body["next"]
    assert len(api.get("/api/v1/requests/").json()["results"]) == 50


def test_a_bad_cursor_is_a_404_in_json(api):
    response = api.get("/api/v1/requests/?cursor=pas-un-curseur")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


# Authentication (client and user), the scope's memberships, the page, the call log (in
# production, its INSERT goes with a SET LOCAL in a transaction of its own: one more).
LIST_QUERIES = 4
# The same, the request, its documents, its events, the access log.
DETAIL_QUERIES = 7


@pytest.mark.parametrize("rows", [1, 30])
def test_the_list_costs_a_constant_number_of_queries(api, version, rows, django_assert_num_queries):
    ServiceRequestFactory.create_batch(rows, form_version=version)
    api.get("/api/v1/requests/")  # last_used_at is written at most once a minute
    with django_assert_num_queries(LIST_QUERIES):
        response = api.get("/api/v1/requests/")
    assert len(response.json()["results"]) == rows


@pytest.mark.parametrize("rows", [1, 20])
def test_the_detail_costs_a_constant_number_of_queries(
    api, version, rows, django_assert_num_queries
):
    request = ServiceRequestFactory(form_version=version)
    for i in range(rows):
        EventFactory(request=request)
        Document.objects.create(
            request=request,
            file=ContentFile(b"x", name=f"{i}.pdf"),
            original_name=f"{i}.pdf",
            content_type="application/pdf",
            size=1,
            sha256="0" * 64,
        )
    api.get("/api/v1/procedures/")
    with django_assert_num_queries(DETAIL_QUERIES):
        response = api.get(f"/api/v1/requests/{request.reference}/")
    assert len(response.json()["events"]) == rows
    assert len(response.json()["documents"]) == rows


@pytest.mark.parametrize("rows", [1, 30])
def test_the_event_feed_costs_a_constant_number_of_queries(
    api, version, rows, django_assert_num_queries
):
    for _ in range(rows):
        EventFactory(request=ServiceRequestFactory(form_version=version))
    api.get("/api/v1/procedures/")
    with django_assert_num_queries(LIST_QUERIES):
        response = api.get("/api/v1/events/")
    assert len(response.json()["results"]) == rows
