import pytest
from django.utils import translation


@pytest.mark.django_db
def test_pages_are_served_in_french_with_django_catalogues(client):
    # The login page (allauth's, in our layout) with an empty form: Django's own message.
    response = client.post("/compte/login/", {})
    assert response["Content-Language"] == "fr"
    html = response.content.decode()
    assert '<html lang="fr"' in html
    assert "Ce champ est obligatoire." in html  # Django's own catalogue, through gettext


def test_validation_messages_are_french():
    from django import forms

    with translation.override("fr-fr"):
        form = forms.Form(data={})
        form.fields["email"] = forms.EmailField()
        assert form.errors["email"] == ["Ce champ est obligatoire."]
