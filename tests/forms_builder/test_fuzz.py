"""A bounded fuzz of every demo form (issue 13, bar): whatever a page's POST holds, the engine
answers with values or French errors, never an exception, and keeps nothing it should refuse:
each stored answer is one `clean` accepts again as is, with no control character, storable in
PostgreSQL's JSONB (which refuses U+0000). Through the filing view too: no 500, and the draft
saved in the database holds only such answers.

Hypothesis draws the answers of each page in turn (valid-looking values, free Unicode text and a
list of hostile strings), so later pages are reached with their conditions met or not.
Derandomised: the same examples on every run, so that CI is repeatable."""

from __future__ import annotations

import json
import unicodedata
from datetime import date
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from demo import procedures as demo_data
from forms_builder.engine import FormRun
from forms_builder.fields import clean, field_type
from forms_builder.fields.base import _CONTROL
from forms_builder.models import Procedure
from service_requests import drafts
from service_requests.models import ServiceRequest, Status
from tests.factories import CitizenFactory, UserFactory
from tests.service_requests.test_submit import demo_version

HOSTILE = [
    "\x00",
    "a\x00b",
    "\x07\x1b[31m",
    "' OR '1'='1' --",
    "<script>alert(1)</script>",
    "{{ settings.SECRET_KEY }}",
    "9" * 400,
    "-1",
    "1e309",
    "NaN",
    "Infinity",
    "0x10",
    "1,5",
    "12 345,67",
    "2026-02-30",
    "0000-01-01",
    "9999-12-31",
    "31/12/2026",
    "\u202eevil",
    "\u200b",
    "\uff11\uff12\uff13",  # full-width digits
    " ",
    "oui\x00",
    "FR76 3000 6000 0112 3456 7890 189",
    "732 829 320 00074",
    "W751234567",
    "é" * 5000,
]
FREE_TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=60)
ANY_TEXT = st.one_of(FREE_TEXT, st.sampled_from(HOSTILE))
DEMO = [p["slug"] for p in demo_data.procedures()]
SCHEMAS = {p["slug"]: p["schema"] for p in demo_data.procedures()}


def _valid_looking(field: dict) -> st.SearchStrategy[str]:
    kind = field["type"]
    if kind == "choice" or kind == "multichoice":
        return st.sampled_from([option["value"] for option in field["options"]])
    if kind == "yesno":
        return st.sampled_from(["oui", "non", "Oui", "NON"])
    if kind == "date":
        days = st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31))
        return days.map(date.isoformat)
    if kind == "integer":
        return st.integers(-(10**15), 10**15).map(str)
    if kind == "decimal":
        return st.decimals(-(10**9), 10**9, places=2, allow_nan=False).map(str)
    if kind == "email":
        return st.emails().map(str)
    return FREE_TEXT


def _raw(field: dict) -> st.SearchStrategy[list[str]]:
    """The values a POST may hold under a field's name (a list, as a QueryDict has)."""
    one = st.one_of(_valid_looking(field), ANY_TEXT)
    if field["type"] == "multichoice":
        return st.lists(one, max_size=4)
    return st.lists(one, min_size=0, max_size=2)


def _post(draw, fields: list[dict]) -> dict[str, list[str]]:
    data = {}
    for field in fields:
        kind = field["type"]
        if kind in ("info", "section", "file"):
            continue
        if kind == "address":
            for part in ("street", "postcode", "city"):
                data[f"{field['id']}-{part}"] = draw(st.lists(ANY_TEXT, max_size=1))
            continue
        data[field["id"]] = draw(_raw(field))
    return data


def _strings(value: Any):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)


def _assert_storable(answers: dict) -> None:
    """What PostgreSQL's JSONB and a later page accept: JSON, no U+0000, no control or bidi
    character in any string (the raw answers refused and kept as typed included)."""
    json.dumps(answers)
    for text in _strings(answers):
        assert "\x00" not in text, answers
        assert not _CONTROL.search(text), text


def _assert_page_kept_only_valid(run: FormRun, page: dict, result) -> None:
    for field in page["fields"]:
        field_id, kind = field["id"], field_type(field)
        if not kind.has_value or field_id in result.hidden or kind.name == "file":
            continue
        # Every question shown gets a value or an error, never both, never silence.
        assert (field_id in result.values) != (field_id in result.errors), field_id
        for error in result.errors.get(field_id, []):
            assert error.message and unicodedata.is_normalized("NFC", error.message)
        value = result.values.get(field_id)
        if value is None:
            continue
        # A stored value is one the field accepts again as it is (bounds, options, formats).
        assert clean(field, kind.to_raw(field, value)) == value, (field_id, value)
        for text in _strings(value):
            assert not _CONTROL.search(text), (field_id, text)
            if kind.name != "textarea":
                assert "\n" not in text and "\r" not in text, (field_id, text)


@pytest.mark.parametrize("slug", DEMO)
@settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],  # a failure is reported as found, not shrunk
    suppress_health_check=[HealthCheck.too_slow],
)
@given(data=st.data())
def test_every_page_of_a_demo_form_keeps_only_what_it_accepts(slug, data):
    schema = SCHEMAS[slug]
    run = FormRun(schema, {})
    for page in schema["pages"]:
        if not run.is_page_visible(page["id"]):
            continue
        post = _post(data.draw, page["fields"])
        result = run.validate_page(page["id"], post, {})
        _assert_page_kept_only_valid(run, page, result)
        answers = drafts.with_refused(run.apply(result), schema, result)
        _assert_storable(answers)
        run = FormRun(schema, answers)
    run.errors()  # the review's check of every page, whatever was kept
    if not run.errors():
        _assert_storable(run.cleaned_data())


# --- Through the filing view, as a signed-in citizen whose draft is in the database ---------


@pytest.fixture
def signed_in(client):
    user = UserFactory(email="fuzz@exemple.fr")
    CitizenFactory(user=user, email="fuzz@exemple.fr")
    client.force_login(user)
    return user


@pytest.mark.django_db
@pytest.mark.parametrize("slug", DEMO)
@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],  # a failure is reported as found, not shrunk
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_the_filing_view_answers_hostile_posts_without_a_server_error(
    client, signed_in, slug, data
):
    version = demo_version(slug)
    Procedure.objects.filter(pk=version.procedure_id).update(identification="account")
    schema = version.schema
    for page in schema["pages"]:
        post = _post(data.draw, page["fields"])
        post["action"] = [data.draw(st.sampled_from(["next", "save", "leave", "previous"]))]
        response = client.post(f"/demarches/{slug}/deposer/{page['id']}/", post)
        assert response.status_code in (204, 302, 400), (page["id"], response.status_code)
    draft = ServiceRequest.objects.get(
        procedure_id=version.procedure_id, citizen__user=signed_in, status=Status.DRAFT
    )
    _assert_storable(draft.data)
    run = FormRun(schema, draft.data)
    for field_id, value in draft.data.items():
        if field_id == drafts.REFUSED_KEY or field_type(run.fields[field_id]).name == "file":
            continue
        field = run.fields[field_id]
        assert clean(field, field_type(field).to_raw(field, value)) == value, field_id
