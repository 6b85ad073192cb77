"""The agents' form for a citizen's record: contact details, preferences, declared identity and
its level, with the mandatory reason. Built without the fields FranceConnect certified; the
service (citizens.services.citizen_update_by_agent) refuses them anyway."""

from django import forms

from citizens.forms import PREFERRED_CHANNELS, CitizenDetailsForm
from citizens.models import Citizen, Organisation, Relationship, Representation
from citizens.services import REASON_MAX_LENGTH
from gru.forms import EmailAddressField

IDENTITY_FIELDS = (
    "given_names",
    "family_name",
    "usage_name",
    "birth_date",
    "birth_place",
    "birth_country",
    "sex",
)
CONTACT_FIELDS = ("email", "phone", "street", "postcode", "city")
PREFERENCE_FIELDS = ("preferred_channel", "needs_assistance", "email_updates")
Assurance = Citizen.IdentityAssurance


class CitizenEditForm(CitizenDetailsForm):
    given_names = forms.CharField(
        label="Prénoms",
        max_length=200,
        error_messages={"required": "Indiquez les prénoms de l'usager."},
    )
    family_name = forms.CharField(
        label="Nom de naissance",
        max_length=200,
        error_messages={"required": "Indiquez le nom de naissance de l'usager."},
    )
    usage_name = forms.CharField(
        label="Nom d'usage",
        help_text="Par exemple le nom d'époux ou d'épouse, s'il diffère du nom de naissance.",
        max_length=200,
        required=False,
    )
    birth_date = forms.DateField(
        label="Date de naissance",
        required=False,
        error_messages={"invalid": "Saisissez une date valide, par exemple 14/07/1985."},
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    birth_place = forms.CharField(label="Commune de naissance", max_length=200, required=False)
    birth_country = forms.CharField(label="Pays de naissance", max_length=200, required=False)
    sex = forms.ChoiceField(
        label="Sexe",
        choices=[
            (Citizen.Sex.FEMALE, Citizen.Sex.FEMALE.label),
            (Citizen.Sex.MALE, Citizen.Sex.MALE.label),
            ("", "Non renseigné"),
        ],
        required=False,
        widget=forms.RadioSelect,
    )
    identity_checked = forms.BooleanField(
        label="Identité vérifiée au guichet",
        help_text=(
            "Cochez si vous avez vu une pièce d'identité de l'usager correspondant à ces "
            "informations. Décochez si elles n'ont pas été vérifiées."
        ),
        required=False,
    )
    email = EmailAddressField(
        label="Adresse électronique",
        required=False,
        max_length=254,
        error_messages={
            "invalid": "Saisissez une adresse électronique valide, par exemple nom@exemple.fr."
        },
    )
    phone = forms.CharField(
        label="Téléphone",
        help_text="Un numéro français, par exemple 06 12 34 56 78.",
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel"}),
    )
    street = forms.CharField(label="Numéro et voie", max_length=255, required=False)
    postcode = forms.CharField(
        label="Code postal",
        max_length=10,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "input--short"}),
    )
    city = forms.CharField(label="Commune", max_length=150, required=False)
    preferred_channel = forms.ChoiceField(
        label="Canal de contact préféré",
        choices=PREFERRED_CHANNELS,
        widget=forms.RadioSelect,
        error_messages={"required": "Choisissez le canal de contact préféré de l'usager."},
    )
    needs_assistance = forms.BooleanField(
        label="A besoin d'accompagnement",
        help_text="L'usager préfère être accompagné par un agent pour ses démarches.",
        required=False,
    )
    email_updates = forms.BooleanField(
        label="Courriel à chaque étape de ses demandes",
        help_text="Les accusés de réception, les demandes de pièces et les décisions sont "
        "toujours envoyés.",
        required=False,
    )
    reason = forms.CharField(
        label="Motif de la modification",
        help_text="Par exemple : « changement d'adresse signalé au téléphone ». Il est conservé "
        "dans l'historique de la fiche.",
        max_length=REASON_MAX_LENGTH,
        error_messages={
            "required": "Indiquez le motif de la modification.",
            "max_length": f"Le motif tient en {REASON_MAX_LENGTH} caractères au plus.",
        },
    )

    def __init__(self, *args, citizen: Citizen, certified: frozenset[str], **kwargs):
        initial = {
            name: getattr(citizen, name)
            for name in (*IDENTITY_FIELDS, *CONTACT_FIELDS, *PREFERENCE_FIELDS)
        }
        initial["identity_checked"] = citizen.identity_assurance == Assurance.COUNTER
        super().__init__(*args, initial=initial, **kwargs)
        self.citizen = citizen
        # What FranceConnect certified is shown, not edited; nor is its level.
        for name in certified:
            self.fields.pop(name, None)
        if citizen.identity_assurance == Assurance.FRANCECONNECT:
            self.fields.pop("identity_checked")
        # The values shown travel with the form, so that only what this agent changed is
        # written: another agent's change saved meanwhile to another field is kept.
        for name, field in self.fields.items():
            field.show_hidden_initial = name != "reason"

    def section(self, names) -> list:
        return [self[name] for name in names if name in self.fields]

    @property
    def identity_fields(self):
        return self.section(IDENTITY_FIELDS)

    def clean_reason(self) -> str:
        reason = " ".join(self.cleaned_data["reason"].split())
        if not reason:
            raise forms.ValidationError("Indiquez le motif de la modification.")
        return reason

    def clean(self):
        cleaned = super().clean()
        street, postcode, city = (cleaned.get(k) for k in ("street", "postcode", "city"))
        if street and not postcode and "postcode" not in self.errors:
            self.add_error("postcode", "Indiquez le code postal de l'adresse.")
        if (street or postcode) and not city and "city" not in self.errors:
            self.add_error("city", "Indiquez la commune de l'adresse.")
        return cleaned

    def changes(self) -> dict:
        """What the service is asked to write: the fields the agent changed, and the identity
        level the checkbox says when they ticked or unticked it (never for a FranceConnect
        identity: the box is not there)."""
        changed = set(self.changed_data) - {"reason", "identity_checked"}
        data = {k: v for k, v in self.cleaned_data.items() if k in changed}
        if "identity_checked" in self.changed_data:
            data["identity_assurance"] = (
                Assurance.COUNTER if self.cleaned_data["identity_checked"] else Assurance.DECLARED
            )
        return data


class RepresentationForm(forms.Form):
    """A company or an association the citizen acts for, named by its number."""

    kind = forms.ChoiceField(
        label="Type d'organisation",
        choices=[
            (Organisation.Kind.COMPANY, "Entreprise (SIRET)"),
            (Organisation.Kind.ASSOCIATION, "Association (numéro RNA)"),
        ],
        initial=Organisation.Kind.COMPANY,
        widget=forms.RadioSelect,
        error_messages={"required": "Choisissez une entreprise ou une association."},
    )
    number = forms.CharField(
        label="SIRET ou numéro RNA",
        help_text="14 chiffres pour un SIRET ; W suivi de 9 chiffres ou lettres pour le RNA.",
        max_length=30,
        error_messages={"required": "Indiquez le SIRET ou le numéro RNA."},
    )
    name = forms.CharField(
        label="Dénomination",
        help_text="Seulement si l'organisation n'est pas encore connue : son nom est repris sinon.",
        max_length=255,
        required=False,
    )
    role = forms.ChoiceField(
        label="Rôle de l'usager",
        choices=Representation.Role.choices,
        error_messages={"required": "Choisissez le rôle de l'usager."},
    )


# How the link reads from the citizen whose record is open: (kind, this citizen is first).
HOUSEHOLD_LINKS = {
    "parent_of": (Relationship.Kind.PARENT, True),
    "child_of": (Relationship.Kind.PARENT, False),
    "guardian_of": (Relationship.Kind.GUARDIAN, True),
    "protected_by": (Relationship.Kind.GUARDIAN, False),
}


class RelationshipForm(forms.Form):
    """A household link from the open record to another, named by its record number."""

    link = forms.ChoiceField(
        label="Cet usager est",
        choices=[
            ("parent_of", "Parent de"),
            ("child_of", "Enfant de"),
            ("guardian_of", "Tuteur ou curateur de"),
            ("protected_by", "Sous la tutelle ou la curatelle de"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Choisissez le lien."},
    )
    other = forms.IntegerField(
        label="Numéro de fiche de l'autre personne",
        help_text="Il figure sous son nom, sur sa fiche (« Fiche usager n° … ») : "
        "retrouvez-la par la recherche.",
        min_value=1,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "input--short"}),
        error_messages={
            "required": "Indiquez le numéro de fiche de l'autre personne.",
            "invalid": "Indiquez un numéro de fiche, par exemple 1234.",
            "min_value": "Indiquez un numéro de fiche, par exemple 1234.",
        },
    )
