"""No control character in an email address (issue 13, item 14): Django accepts
`"a\\x01b"@example.org` (a quoted local part may hold one), and the address went raw into the
`To:` of the receipt. Every form that asks an address refuses it, in French, next to the field."""

import pytest
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from backoffice.citizen_forms import CitizenEditForm
from backoffice.on_behalf_forms import NewCitizenForm
from citizens.models import Citizen
from forms_builder.fields import FieldInvalid, clean
from gru.forms import CONTROL_CHARACTERS, validate_email_address
from gru.models import User
from service_requests.views.filing import ContactForm
from service_requests.views.tracking import LookupForm

HOSTILE = [
    '"a\x01b"@example.org',
    '"a\x00b"@example.org',
    '"a\rb"@example.org',
    '"line\nBcc: x@evil.example"@example.org',
    '"a\x7fb"@example.org',
]
FRENCH = "Saisissez une adresse électronique valide, par exemple nom@exemple.fr."


@pytest.mark.parametrize("address", HOSTILE)
def test_django_alone_would_take_some_and_ours_takes_none(address):
    with pytest.raises(ValidationError) as refused:
        validate_email_address(address)
    assert refused.value.messages == [FRENCH]


def test_the_premise_django_accepts_a_control_character_in_a_quoted_local_part():
    validate_email('"a\x01b"@example.org')  # does not raise: hence our validator


@pytest.mark.parametrize("address", ["lea.martin@exemple.fr", "o'brien@exemple.fr"])
def test_ordinary_addresses_still_pass(address):
    validate_email_address(address)


@pytest.mark.parametrize(
    "form_class",
    [ContactForm, LookupForm, NewCitizenForm, CitizenEditForm],
    ids=lambda c: c.__name__,
)
@pytest.mark.parametrize("address", HOSTILE[:2])
def test_every_form_asking_an_address_refuses_them(form_class, address):
    with pytest.raises(ValidationError) as refused:
        form_class.base_fields["email"].clean(address)
    assert FRENCH in refused.value.messages


@pytest.mark.parametrize("address", HOSTILE)
def test_the_forms_engine_never_stores_one(address):
    # Its text cleaning drops invisible characters; what is left must still be an address.
    try:
        stored = clean({"id": "email", "type": "email", "label": "Adresse électronique"}, address)
    except FieldInvalid:
        return
    assert not CONTROL_CHARACTERS.search(stored)
    validate_email_address(stored)


@pytest.mark.django_db
def test_sign_up_refuses_them_next_to_the_field(client):
    response = client.post(
        "/compte/signup/",
        {
            "email": '"a\x01b"@example.org',
            "password1": "un mot de passe solide 2026",
            "password2": "un mot de passe solide 2026",
        },
    )
    assert response.status_code == 200
    assert FRENCH.replace("'", "&#x27;") in response.content.decode()
    assert not User.objects.exists()
    assert not Citizen.objects.exists()
