"""The citizen's forms: public sign-up (allauth) and the profile.

A local account made by sign-up is always a citizen's account. Agents get their accounts from
an administrator (Django admin), never from the sign-up form.
"""

import re

from allauth.account.forms import SignupForm
from django import forms
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from citizens.models import Channel, Citizen
from citizens.selectors import CERTIFIED_FIELDS
from citizens.services import citizen_create_for_signup
from gru.phones import clean_phone


class CitizenSignupForm(SignupForm):
    """allauth's sign-up form (email, password twice) plus the citizen's name.

    The citizen record is created with the account, in the same transaction, with a declared
    identity. An existing citizen record with the same email (filed at the counter, or
    anonymously) is not linked on that email alone: the address is not verified yet
    (DESIGN.md, Identity); matching records are a duplicate to merge later."""

    given_names = forms.CharField(
        label=_("Prénoms"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    family_name = forms.CharField(
        label=_("Nom de naissance"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )
    usage_name = forms.CharField(
        label=_("Nom d'usage"),
        max_length=200,
        required=False,
        help_text=_("Par exemple le nom d'époux ou d'épouse, s'il est différent."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    field_order = ["given_names", "family_name", "usage_name", "email", "password1", "password2"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].label = _("Adresse électronique")
        self.fields["email"].help_text = _(
            "Un lien vous sera envoyé à cette adresse pour la confirmer."
        )
        self.fields["password1"].label = _("Mot de passe")
        self.fields["password1"].help_text = _(
            "Au moins 12 caractères, pas uniquement des chiffres, ni un mot de passe courant."
        )
        self.fields["password2"].label = _("Confirmation du mot de passe")
        for field in self.fields.values():
            # The label says it; a placeholder repeating it only clutters the field.
            field.widget.attrs.pop("placeholder", None)
        self.order_fields(self.field_order)

    def save(self, request):
        with transaction.atomic():
            return super().save(request)

    def signup(self, request, user) -> None:
        """Called by allauth once the user is saved: the citizen record that goes with it."""
        data = self.cleaned_data
        citizen_create_for_signup(
            user=user,
            given_names=data["given_names"],
            family_name=data["family_name"],
            usage_name=data["usage_name"],
        )


# --- The citizen's profile (/compte/profil/) -------------------------------------------------

POSTCODE_INVALID = _("Saisissez un code postal à 5 chiffres, par exemple 75001.")


# Channels a citizen may prefer for being contacted (a social network is not one).
PREFERRED_CHANNELS = [(value, label) for value, label in Channel.choices if value != Channel.SOCIAL]


class CitizenDetailsForm(forms.Form):
    """How every form of a citizen's details reads a phone, a postcode and a birth date: the
    citizen's profile, an agent's edit of a record and a record created at the counter."""

    def clean_phone(self) -> str:
        return clean_phone(self.cleaned_data["phone"])

    def clean_postcode(self) -> str:
        postcode = re.sub(r"\s", "", self.cleaned_data["postcode"])
        if postcode and not re.fullmatch(r"[0-9]{5}", postcode):
            raise forms.ValidationError(POSTCODE_INVALID)
        return postcode

    def clean_birth_date(self):
        day = self.cleaned_data["birth_date"]
        if day is not None and day > timezone.localdate():
            raise forms.ValidationError(_("La date de naissance ne peut pas être dans le futur."))
        if day is not None and day.year < 1900:
            raise forms.ValidationError(_("Vérifiez l'année de naissance."))
        return day


class ProfileForm(CitizenDetailsForm):
    """What a citizen edits of their record. Built without the identity fields FranceConnect
    certified (`certified`): their values in a POST are then never read (and the service,
    citizens.services.citizen_update_profile, ignores them anyway)."""

    IDENTITY_FIELDS = CERTIFIED_FIELDS

    given_names = forms.CharField(
        label=_("Prénoms"),
        max_length=200,
        error_messages={"required": _("Indiquez vos prénoms.")},
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    family_name = forms.CharField(
        label=_("Nom de naissance"),
        max_length=200,
        error_messages={"required": _("Indiquez votre nom de naissance.")},
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )
    usage_name = forms.CharField(
        label=_("Nom d'usage"),
        help_text=_("Par exemple le nom d'époux ou d'épouse, s'il diffère du nom de naissance."),
        max_length=200,
        required=False,
    )
    birth_date = forms.DateField(
        label=_("Date de naissance"),
        required=False,
        error_messages={"invalid": _("Saisissez une date valide, par exemple 14/07/1985.")},
        widget=forms.DateInput(attrs={"type": "date", "autocomplete": "bday"}, format="%Y-%m-%d"),
    )
    birth_place = forms.CharField(label=_("Commune de naissance"), max_length=200, required=False)
    birth_country = forms.CharField(label=_("Pays de naissance"), max_length=200, required=False)
    sex = forms.ChoiceField(
        label=_("Sexe"),
        choices=[
            (Citizen.Sex.FEMALE, Citizen.Sex.FEMALE.label),
            (Citizen.Sex.MALE, Citizen.Sex.MALE.label),
            ("", _("Je ne souhaite pas le préciser")),
        ],
        required=False,
        widget=forms.RadioSelect,
    )
    phone = forms.CharField(
        label=_("Téléphone"),
        help_text=_("Un numéro français, par exemple 06 12 34 56 78."),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    street = forms.CharField(
        label=_("Numéro et voie"),
        max_length=255,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )
    postcode = forms.CharField(
        label=_("Code postal"),
        max_length=10,
        required=False,
        widget=forms.TextInput(
            attrs={"autocomplete": "postal-code", "inputmode": "numeric", "class": "input--short"}
        ),
    )
    city = forms.CharField(
        label=_("Commune"),
        max_length=150,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "address-level2"}),
    )
    preferred_channel = forms.ChoiceField(
        label=_("Comment préférez-vous être contacté ?"),
        choices=PREFERRED_CHANNELS,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choisissez comment vous préférez être contacté.")},
    )
    email_updates = forms.BooleanField(
        label=_("Recevoir un courriel à chaque étape de mes demandes"),
        help_text=_(
            "Les accusés de réception, les demandes de pièces et les décisions vous sont "
            "toujours envoyés."
        ),
        required=False,
    )

    def __init__(self, *args, certified: frozenset[str] = frozenset(), **kwargs):
        super().__init__(*args, **kwargs)
        for name in certified:
            self.fields.pop(name, None)

    @classmethod
    def initial_from(cls, citizen: Citizen) -> dict:
        return {name: getattr(citizen, name) for name in cls.base_fields}

    @property
    def identity_fields(self):
        return [self[name] for name in self.IDENTITY_FIELDS if name in self.fields]

    def clean(self):
        cleaned = super().clean()
        street, postcode, city = (cleaned.get(k) for k in ("street", "postcode", "city"))
        if street and not postcode and "postcode" not in self.errors:
            self.add_error("postcode", _("Indiquez le code postal de votre adresse."))
        if (street or postcode) and not city and "city" not in self.errors:
            self.add_error("city", _("Indiquez la commune de votre adresse."))
        return cleaned
