"""The forms of filing on a citizen's behalf: the record of a new citizen, and what the agent adds
to the démarche's own form (channel, date of receipt, organisation, how the receipt reaches the
citizen). They check the input; the services check the rules."""

from __future__ import annotations

import hashlib
import re
import uuid
from datetime import date, datetime, timedelta

from django import forms
from django.utils import formats, timezone

from citizens.forms import PREFERRED_CHANNELS, CitizenDetailsForm
from citizens.models import Channel, Citizen, Organisation
from gru.forms import EmailAddressField
from gru.phones import normalise_phone
from service_requests.services.messages import MAX_ATTACHMENTS, check_files
from service_requests.views.tracking import FilesField

# The example is the day itself (`FilingForm`): a date of receipt is never in the future.
DATE_INVALID = "Saisissez une date valide, par exemple {today}."
DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d%m%Y", "%d-%m-%Y", "%d.%m.%Y"]
# How far back a date of receipt may go: a letter found late is still entered, a typo in the
# year (2025 for 2026) is caught.
RECEIPT_MAX_AGE_DAYS = 365


# --- A new citizen's record -------------------------------------------------------------------


def prefill_from_query(q: str) -> dict[str, str]:
    """What the search box's words give a new record: a name when they look like one (letters,
    spaces, hyphens, apostrophes), or an email, a phone number, a birth date. A word in capitals
    is the family name, as people write it on forms (« DUPONT Marie »); otherwise one word is a
    family name, and of several the first is the given name."""
    q = " ".join((q or "").split())[:200]
    if not q:
        return {}
    if re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", q):
        return {"email": q}
    if normalise_phone(q):
        return {"phone": normalise_phone(q)}
    for fmt in DATE_FORMATS:
        try:
            day = datetime.strptime(q, fmt).date()
        except ValueError:
            continue
        return {"birth_date": day.isoformat()}
    if not re.fullmatch(r"[^\W\d_]+(?:[ '\u2019-][^\W\d_]+)*", q):
        return {}
    words = q.split(" ")
    capitals = [w for w in words if len(w) > 1 and w.isupper()]
    if capitals and len(capitals) < len(words):
        family = " ".join(capitals)
        given = " ".join(w for w in words if w not in capitals)
        return {"given_names": given, "family_name": family.title()}
    if len(words) == 1:
        return {"family_name": q}
    return {"given_names": words[0], "family_name": " ".join(words[1:])}


class NewCitizenForm(CitizenDetailsForm):
    """A citizen's record as the agent types it at the counter or on the phone."""

    given_names = forms.CharField(
        label="Prénoms",
        max_length=200,
        error_messages={"required": "Indiquez les prénoms de l'usager."},
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    family_name = forms.CharField(
        label="Nom de naissance",
        max_length=200,
        error_messages={"required": "Indiquez le nom de naissance de l'usager."},
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    usage_name = forms.CharField(
        label="Nom d'usage",
        help_text="Par exemple le nom d'époux ou d'épouse, s'il diffère du nom de naissance.",
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    birth_date = forms.DateField(
        label="Date de naissance",
        help_text="Format jj/mm/aaaa. Elle aide à distinguer les homonymes.",
        required=False,
        input_formats=DATE_FORMATS,
        error_messages={"invalid": "Saisissez une date valide, par exemple 14/07/1985."},
        widget=forms.DateInput(attrs={"type": "date", "autocomplete": "off"}, format="%Y-%m-%d"),
    )
    email = EmailAddressField(
        label="Adresse électronique",
        max_length=254,
        required=False,
        error_messages={
            "invalid": "Saisissez une adresse électronique valide, par exemple nom@exemple.fr."
        },
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    phone = forms.CharField(
        label="Téléphone",
        help_text="Un numéro français, par exemple 06 12 34 56 78.",
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )
    street = forms.CharField(
        label="Numéro et voie",
        max_length=255,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    postcode = forms.CharField(
        label="Code postal",
        max_length=10,
        required=False,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "inputmode": "numeric", "class": "input--short"}
        ),
    )
    city = forms.CharField(
        label="Commune",
        max_length=150,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    preferred_channel = forms.ChoiceField(
        label="Canal préféré pour le contacter",
        choices=PREFERRED_CHANNELS,
        initial=Channel.MAIL,
        widget=forms.RadioSelect,
        error_messages={"required": "Choisissez comment l'usager préfère être contacté."},
    )
    needs_assistance = forms.BooleanField(
        label="L'usager a besoin d'être accompagné pour ses démarches",
        required=False,
    )
    identity_checked = forms.BooleanField(
        label="Identité vérifiée au guichet",
        help_text="Cochez seulement si vous avez vu une pièce d'identité de l'usager.",
        required=False,
    )
    # Set when the agent saw the likely duplicates of these very details and creates anyway.
    duplicates_seen = forms.CharField(required=False, widget=forms.HiddenInput)
    # A double click on « Créer » or « Créer quand même » carries the same key: one record.
    creation_key = forms.UUIDField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("creation_key", uuid.uuid4())
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        street, postcode, city = (cleaned.get(k) for k in ("street", "postcode", "city"))
        if street and not postcode and "postcode" not in self.errors:
            self.add_error("postcode", "Indiquez le code postal de l'adresse.")
        if (street or postcode) and not city and "city" not in self.errors:
            self.add_error("city", "Indiquez la commune de l'adresse.")
        # The preferred channel must be one the record can reach.
        channel, errors = cleaned.get("preferred_channel"), set(self.errors)
        if channel == Channel.EMAIL and not cleaned.get("email") and "email" not in errors:
            self.add_error(
                "email", "Indiquez l'adresse électronique, ou choisissez un autre canal."
            )
        phone_missing = not cleaned.get("phone") and "phone" not in errors
        if channel in (Channel.PHONE, Channel.SMS) and phone_missing:
            self.add_error("phone", "Indiquez le téléphone, ou choisissez un autre canal.")
        address_missing = not (street and postcode and city)
        if (
            channel == Channel.MAIL
            and address_missing
            and not {"street", "postcode", "city"} & errors
        ):
            self.add_error("street", "Indiquez l'adresse postale, ou choisissez un autre canal.")
        return cleaned

    def fingerprint(self) -> str:
        """What the duplicate check read, in short: « créer quand même » holds for these very
        details, and a change to one of them checks again."""
        data = self.cleaned_data
        words = "|".join(
            str(data.get(name) or "").strip().lower()
            for name in ("given_names", "family_name", "usage_name", "birth_date", "email", "phone")
        )
        return hashlib.sha256(words.encode()).hexdigest()[:32]

    def duplicates_confirmed(self) -> bool:
        return bool(self.cleaned_data.get("duplicates_seen")) and (
            self.cleaned_data["duplicates_seen"] == self.fingerprint()
        )

    def record_values(self) -> dict:
        data = self.cleaned_data
        return {name: data[name] for name in self.fields if name != "duplicates_seen"}


# --- Filing: what the agent adds to the démarche's form ---------------------------------------

FILING_CHANNELS = [
    (Channel.COUNTER, "Au guichet"),
    (Channel.PHONE, "Par téléphone"),
    (Channel.MAIL, "Par courrier postal"),
    (Channel.EMAIL, "Par courriel"),
]
PRINT, EMAIL, POST = "print", "email", "post"


def receipt_date_bounds(today: date | None = None) -> tuple[date, date]:
    today = today or timezone.localdate()
    return today - timedelta(days=RECEIPT_MAX_AGE_DAYS), today


class FilingForm(forms.Form):
    """The agent's part of the filing. Built for one citizen: the organisations they represent,
    and the ways the receipt can reach them (email only with an address, post only with a
    complete postal address)."""

    channel = forms.ChoiceField(
        label="Comment la demande est-elle arrivée ?",
        choices=FILING_CHANNELS,
        initial=Channel.COUNTER,
        widget=forms.RadioSelect,
        error_messages={"required": "Choisissez le canal par lequel la demande est arrivée."},
    )
    received_on = forms.DateField(
        label="Date de réception",
        help_text=(
            "Le jour où la demande est arrivée (jj/mm/aaaa) ; pour un courrier, le jour de son "
            "arrivée, même s'il est saisi plus tard. Les délais légaux courent de cette date."
        ),
        input_formats=DATE_FORMATS,
        error_messages={"required": "Indiquez la date de réception."},
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    organisation = forms.ModelChoiceField(
        label="Au nom de",
        queryset=Organisation.objects.none(),
        required=False,
        empty_label="L'usager lui-même",
        widget=forms.RadioSelect,
    )
    scans = FilesField(
        label="Courrier et pièces numérisés",
        required=False,
    )
    receipt_delivery = forms.ChoiceField(
        label="Comment l'usager reçoit-il l'accusé de réception ?",
        widget=forms.RadioSelect,
        error_messages={"required": "Choisissez comment l'accusé de réception est remis."},
    )
    idempotency_key = forms.UUIDField(
        widget=forms.HiddenInput,
        error_messages={
            "required": "Rechargez la page : elle est incomplète.",
            "invalid": "Rechargez la page : elle est incomplète.",
        },
    )

    def __init__(self, *args, citizen: Citizen, **kwargs):
        super().__init__(*args, **kwargs)
        self.citizen = citizen
        low, high = receipt_date_bounds()
        field = self.fields["received_on"]
        field.initial = high
        field.widget.attrs.update({"min": low.isoformat(), "max": high.isoformat()})
        field.error_messages["invalid"] = DATE_INVALID.format(today=high.strftime("%d/%m/%Y"))
        organisations = Organisation.objects.filter(representations__citizen=citizen).order_by(
            "name", "pk"
        )
        self.fields["organisation"].queryset = organisations
        if not organisations.exists():
            del self.fields["organisation"]
        deliveries = [(PRINT, "Imprimé maintenant et remis à l'usager")]
        if citizen.email:
            deliveries.append((EMAIL, f"Envoyé par courriel à {citizen.email}"))
        if has_postal_address(citizen):
            deliveries.append((POST, "Imprimé pour l'envoi par la poste à son adresse"))
        self.fields["receipt_delivery"].choices = deliveries
        self.fields["receipt_delivery"].initial = PRINT

    def clean_scans(self) -> list:
        """The scans, checked on their content as every upload is (forms_builder.uploads); the
        French message of each refusal goes next to the field."""
        checked, errors = check_files(self.cleaned_data["scans"], max_files=MAX_ATTACHMENTS)
        if errors:
            raise forms.ValidationError(errors)
        return checked

    def clean_received_on(self) -> date:
        day = self.cleaned_data["received_on"]
        low, high = receipt_date_bounds()
        if day > high:
            raise forms.ValidationError("La date de réception ne peut pas être dans le futur.")
        if day < low:
            raise forms.ValidationError(
                "La date de réception ne peut pas remonter à plus d'un an (au plus tôt le "
                f"{formats.date_format(low, 'j F Y')}) : vérifiez l'année."
            )
        return day


def has_postal_address(citizen: Citizen) -> bool:
    return bool(citizen.street and citizen.postcode and citizen.city)
