"""Each field type, table-driven: what it accepts and stores, what it refuses and the exact
French message it gives."""

import datetime as dt

import pytest
import time_machine

from forms_builder.fields import FIELD_TYPES, Error, FieldInvalid, clean

PARIS = dt.timezone(dt.timedelta(hours=1))


def field(type_, **options):
    return {"id": "champ", "type": type_, "label": "Champ", **options}


def refused(definition, raw) -> list[str]:
    with pytest.raises(FieldInvalid) as caught:
        clean(definition, raw)
    return caught.value.messages


VALID = [
    # (definition, raw as POSTed, value stored)
    (field("text"), "  Bonjour  ", "Bonjour"),
    (field("text"), "Un\u200b texte\x07", "Un texte"),  # invisible and control characters
    (field("text"), "e\u0301t\u00e9", "\u00e9t\u00e9"),  # NFC: "é" typed two ways
    (field("text", max_length=5), "abcde", "abcde"),
    (field("text", pattern=r"[A-Z]{2}-[0-9]{3}", pattern_message="Format AB-123."), "AB-123",
     "AB-123"),
    (field("textarea"), "Ligne 1\r\nLigne 2\n", "Ligne 1\nLigne 2"),
    (field("email"), " Nom.Prenom@Exemple.FR ", "Nom.Prenom@exemple.fr"),
    (field("phone"), "06 12 34 56 78", "06 12 34 56 78"),
    (field("phone"), "0612345678", "06 12 34 56 78"),
    (field("phone"), "06.12.34.56.78", "06 12 34 56 78"),
    (field("phone"), "+33 6 12 34 56 78", "06 12 34 56 78"),
    (field("phone"), "+33 (0)1 23 45 67 89", "01 23 45 67 89"),
    (field("phone"), "0033 9 87 65 43 21", "09 87 65 43 21"),
    (field("phone"), "+262 692 12 34 56", "06 92 12 34 56"),  # La Réunion
    (field("phone"), "+590 590 12 34 56", "05 90 12 34 56"),  # Guadeloupe
    (field("integer"), "42", 42),
    (field("integer"), "1 200", 1200),
    (field("integer"), "1\u202f200", 1200),
    (field("integer", min=1, max=5), "5", 5),
    (field("integer", min=0, step=10), "30", 30),
    (field("integer"), "-3", -3),
    (field("decimal"), "12,50", "12.50"),
    (field("decimal"), "1 234.5", "1234.5"),
    (field("decimal", min=0, max=100, step=0.01), "99,99", "99.99"),
    (field("decimal", step=0.5), "2,5", "2.5"),
    (field("date"), "2024-03-14", "2024-03-14"),
    (field("date"), "14/03/2024", "2024-03-14"),
    (field("date"), "1/3/2024", "2024-03-01"),
    (field("date", min="2024-01-01", max="2024-12-31"), "2024-12-31", "2024-12-31"),
    (field("date", max="today"), "2026-05-04", "2026-05-04"),
    (field("date", min="today"), "2026-05-04", "2026-05-04"),
    (field("date", min="today+21"), "2026-05-25", "2026-05-25"),
    (field("date", max="today-1"), "2026-05-03", "2026-05-03"),
    (field("choice", options=[{"value": "a", "label": "A"}]), "a", "a"),
    (field("multichoice", options=[{"value": "a", "label": "A"}, {"value": "b", "label": "B"}]),
     ["b", "a", "a"], ["a", "b"]),  # in the options' order, once each
    (field("multichoice", options=[{"value": "a", "label": "A"}, {"value": "b", "label": "B"}],
           min_selections=2), ["a", "b"], ["a", "b"]),
    (field("yesno"), "oui", True),
    (field("yesno"), "non", False),
    (field("address"), {"street": " 12 rue des Tilleuls ", "postcode": "75 001", "city": "Paris"},
     {"street": "12 rue des Tilleuls", "postcode": "75001", "city": "Paris"}),
    (field("address"), {"street": "1 cours Napoléon", "postcode": "20000", "city": "Ajaccio"},
     {"street": "1 cours Napoléon", "postcode": "20000", "city": "Ajaccio"}),
    (field("address"), {"street": "2 rue de Paris", "postcode": "97400", "city": "Saint-Denis"},
     {"street": "2 rue de Paris", "postcode": "97400", "city": "Saint-Denis"}),
    (field("siret"), "732 829 320 00074", "73282932000074"),
    (field("siret"), "35600000000048", "35600000000048"),  # La Poste's head office: Luhn
    (field("siret"), "356 000 000 49837", "35600000049837"),  # La Poste: sum of digits % 5
    (field("siren"), "732 829 320", "732829320"),
    (field("siren"), "356000000", "356000000"),
    (field("rna"), "w751234567", "W751234567"),
    (field("rna"), "W2A1000123", "W2A1000123"),
    (field("iban"), "FR76 3000 6000 0112 3456 7890 189", "FR7630006000011234567890189"),
    (field("iban"), "fr7630006000011234567890189", "FR7630006000011234567890189"),
    (field("iban"), "DE89 3704 0044 0532 0130 00", "DE89370400440532013000"),
    (field("iban"), "BE68 5390 0754 7034", "BE68539007547034"),
]  # fmt: skip


@pytest.mark.parametrize(("definition", "raw", "expected"), VALID)
@time_machine.travel(dt.datetime(2026, 5, 4, 12, tzinfo=PARIS), tick=False)
def test_valid_answers_are_cleaned(definition, raw, expected):
    assert clean(definition, raw) == expected


TEXT = "Saisissez au plus 5 caractères (vous en avez saisi 6)."
PHONE = "Saisissez un numéro de téléphone français, par exemple 06 12 34 56 78."
EMAIL = "Saisissez une adresse électronique valide, par exemple nom@exemple.fr."
INTEGER = "Saisissez un nombre entier, par exemple 12."
DECIMAL = "Saisissez un nombre, par exemple 12,50."
DATE = "Saisissez une date valide, par exemple 14/03/2024."
SIRET = "Ce numéro SIRET n'est pas valide : vérifiez les chiffres saisis."
SIRET_LENGTH = "Le numéro SIRET comporte 14 chiffres, par exemple 732 829 320 00074."
SIREN = "Ce numéro SIREN n'est pas valide : vérifiez les chiffres saisis."
RNA = "Le numéro RNA commence par W suivi de 9 chiffres ou lettres, par exemple W751234567."
IBAN = "Cet IBAN n'est pas valide : vérifiez les caractères saisis."
IBAN_SHAPE = (
    "Saisissez un IBAN : deux lettres pour le pays, deux chiffres, puis le numéro du compte, "
    "par exemple FR76 3000 6000 0112 3456 7890 189."
)
OPTIONS = [{"value": "a", "label": "A"}, {"value": "b", "label": "B"}, {"value": "c", "label": "C"}]

INVALID = [
    # (definition, raw, messages)
    (field("text"), "", ["Ce champ est obligatoire."]),
    (field("text"), "  \u200b ", ["Ce champ est obligatoire."]),
    (field("text", max_length=5), "abcdef", [TEXT]),
    (field("text", min_length=3), "ab", ["Saisissez au moins 3 caractères."]),
    (field("text", min_length=1, max_length=1), "", ["Ce champ est obligatoire."]),
    (field("text"), "x" * 251, ["Saisissez au plus 250 caractères (vous en avez saisi 251)."]),
    (field("text", pattern=r"[A-Z]{2}-[0-9]{3}",
           pattern_message="Saisissez une immatriculation, par exemple AB-123."), "AB123",
     ["Saisissez une immatriculation, par exemple AB-123."]),
    (field("textarea", max_length=10), "x" * 11,
     ["Saisissez au plus 10 caractères (vous en avez saisi 11)."]),
    (field("email"), "nom@", [EMAIL]),
    (field("email"), "nom.exemple.fr", [EMAIL]),
    (field("email"), "nom @exemple.fr", [EMAIL]),
    (field("phone"), "06 12 34 56", [PHONE]),
    (field("phone"), "06 12 34 56 78 9", [PHONE]),
    (field("phone"), "00 12 34 56 78", [PHONE]),
    (field("phone"), "+44 20 7946 0958", [PHONE]),
    (field("phone"), "+33 06 12 34 56 78", [PHONE]),
    (field("phone"), "téléphone", [PHONE]),
    (field("integer"), "12,5", [INTEGER]),
    (field("integer"), "douze", [INTEGER]),
    (field("integer"), "1e3", [INTEGER]),
    (field("integer", min=1), "0", ["Saisissez un nombre supérieur ou égal à 1."]),
    (field("integer", max=5), "6", ["Saisissez un nombre inférieur ou égal à 5."]),
    (field("integer", max=1000000), "1000001",
     ["Saisissez un nombre inférieur ou égal à 1\xa0000\xa0000."]),
    (field("integer", min=0, step=10), "35", ["Saisissez un multiple de 10."]),
    (field("decimal"), "12,5,0", [DECIMAL]),
    (field("decimal"), "NaN", [DECIMAL]),
    (field("decimal"), "1,", [DECIMAL]),
    (field("decimal", min=0.5), "0,49", ["Saisissez un nombre supérieur ou égal à 0,5."]),
    (field("decimal", step=0.01), "1,005",
     ["Saisissez un nombre avec au plus 2 chiffres après la virgule."]),
    (field("decimal", step=0.1), "1,05",
     ["Saisissez un nombre avec au plus 1 chiffre après la virgule."]),
    (field("decimal", step=0.25), "1,1", ["Saisissez un multiple de 0,25."]),
    (field("date"), "", ["Indiquez une date."]),
    (field("date"), "31/02/2024", [DATE]),
    (field("date"), "2024-13-01", [DATE]),
    (field("date"), "14 mars", [DATE]),
    (field("date"), "14/03/24", [DATE]),
    (field("date", max="today"), "2026-05-05", ["La date ne peut pas être dans le futur."]),
    (field("date", min="today"), "2026-05-03", ["La date ne peut pas être dans le passé."]),
    (field("date", min="today+21"), "2026-05-24",
     ["La date doit être au moins 21 jours après aujourd'hui, soit le 25 mai 2026 ou après."]),
    (field("date", min="today+1"), "2026-05-04",
     ["La date doit être au moins 1 jour après aujourd'hui, soit le 5 mai 2026 ou après."]),
    (field("date", max="today-7"), "2026-04-28",
     ["La date doit être au moins 7 jours avant aujourd'hui, soit le 27 avril 2026 ou avant."]),
    (field("date", min="today-30"), "2026-04-03", ["La date doit être le 4 avril 2026 ou après."]),
    (field("date", max="2024-12-31"), "2025-01-01",
     ["La date doit être le 31 décembre 2024 ou avant."]),
    (field("choice", options=OPTIONS), "", ["Choisissez une réponse."]),
    (field("choice", options=OPTIONS), "z", ["Choisissez une des réponses proposées."]),
    (field("multichoice", options=OPTIONS), [], ["Cochez au moins une case."]),
    (field("multichoice", options=OPTIONS), ["a", "z"],
     ["Choisissez parmi les réponses proposées."]),
    (field("multichoice", options=OPTIONS, min_selections=2), ["a"],
     ["Cochez au moins 2 cases."]),
    (field("multichoice", options=OPTIONS, max_selections=2), ["a", "b", "c"],
     ["Cochez au plus 2 cases."]),
    (field("yesno"), "", ["Répondez par oui ou par non."]),
    (field("yesno"), "peut-être", ["Répondez par oui ou par non."]),
    (field("address"), {"street": "", "postcode": "", "city": ""},
     ["Indiquez le numéro et la voie.", "Indiquez le code postal.", "Indiquez la commune."]),
    (field("address", required=False), {"street": "12 rue des Lilas", "postcode": "", "city": ""},
     ["Indiquez le code postal.", "Indiquez la commune."]),
    (field("address"), {"street": "1 rue A", "postcode": "7500", "city": "Paris"},
     ["Saisissez un code postal à 5 chiffres, par exemple 75001."]),
    (field("address"), {"street": "1 rue A", "postcode": "750011", "city": "Paris"},
     ["Saisissez un code postal à 5 chiffres, par exemple 75001."]),
    (field("address"), {"street": "1 cours Napoléon", "postcode": "2A000", "city": "Ajaccio"},
     ["En Corse, le code postal commence par 20, par exemple 20000 pour Ajaccio."]),
    (field("address"), {"street": "1 rue A", "postcode": "2b200", "city": "Bastia"},
     ["En Corse, le code postal commence par 20, par exemple 20000 pour Ajaccio."]),
    (field("siret"), "73282932000075", [SIRET]),
    (field("siret"), "12345678901234", [SIRET]),  # digits summing to a multiple of 5: not La Poste
    (field("siret"), "35600000012345", [SIRET]),  # La Poste, but its rule fails too
    (field("siret"), "7328293200007", [SIRET_LENGTH]),
    (field("siret"), "7328293200007A", [SIRET_LENGTH]),
    (field("siren"), "732829321", [SIREN]),
    (field("siren"), "73282932", ["Le numéro SIREN comporte 9 chiffres, par exemple 732 829 320."]),
    (field("rna"), "W12345678", [RNA]),
    (field("rna"), "X751234567", [RNA]),
    (field("rna"), "W75123456-", [RNA]),
    (field("iban"), "FR7630006000011234567890188", [IBAN]),
    (field("iban"), "FR76 3000 6000 0112 3456 7890 18",
     ["Un IBAN français comporte 27 caractères (vous en avez saisi 26)."]),
    (field("iban"), "DE8937040044053201300",
     ["Un IBAN de ce pays comporte 22 caractères (vous en avez saisi 21)."]),
    (field("iban"), "US12345678901234567890", [
        "Les IBAN commençant par « US » ne sont pas acceptés : indiquez un compte dans un pays "
        "de la zone SEPA."]),
    (field("iban"), "3000 6000 0112 3456 7890 189", [IBAN_SHAPE]),
]  # fmt: skip


@pytest.mark.parametrize(("definition", "raw", "messages"), INVALID)
@time_machine.travel(dt.datetime(2026, 5, 4, 12, tzinfo=PARIS), tick=False)
def test_invalid_answers_are_refused_with_a_clear_message(definition, raw, messages):
    assert refused(definition, raw) == messages


def test_every_field_type_is_covered_by_the_tables():
    covered = {definition["type"] for definition, *_ in VALID + INVALID}
    assert covered | {"file", "info", "section"} == set(FIELD_TYPES)


@pytest.mark.parametrize(
    ("type_", "blank"),
    [("text", ""), ("email", " "), ("phone", ""), ("integer", ""), ("date", ""),
     ("choice", ""), ("multichoice", []), ("multichoice", [""]), ("yesno", ""),
     ("address", {"street": "", "postcode": "", "city": ""}), ("siret", ""), ("iban", "")],
)  # fmt: skip
def test_a_blank_optional_answer_is_not_stored(type_, blank):
    assert clean(field(type_, required=False, options=OPTIONS), blank) is None


def test_address_errors_name_the_part_they_concern():
    with pytest.raises(FieldInvalid) as caught:
        clean(field("address"), {"street": "1 rue A", "postcode": "123", "city": ""})
    assert caught.value.errors == [
        Error("Saisissez un code postal à 5 chiffres, par exemple 75001.", "postcode"),
        Error("Indiquez la commune.", "city"),
    ]


def test_the_date_of_today_is_the_authoritys_day_not_utcs():
    # 23:30 in Paris on 4 May is 21:30 UTC: still the 4th, and the 5th is in the future.
    with time_machine.travel(dt.datetime(2026, 5, 4, 21, 30, tzinfo=dt.UTC), tick=False):
        assert clean(field("date", max="today"), "2026-05-04") == "2026-05-04"
    with time_machine.travel(dt.datetime(2026, 5, 4, 22, 30, tzinfo=dt.UTC), tick=False):
        assert clean(field("date", max="today"), "2026-05-05") == "2026-05-05"


@pytest.mark.parametrize(
    ("definition", "value", "lines"),
    [
        (field("integer"), 4200, ["4\xa0200"]),
        (field("decimal"), "12.50", ["12,50"]),
        (field("date"), "1949-03-14", ["14 mars 1949"]),
        (field("yesno"), False, ["Non"]),
        (field("choice", options=OPTIONS), "b", ["B"]),
        (field("multichoice", options=OPTIONS), ["a", "c"], ["A", "C"]),
        (field("address"), {"street": "5 rue du Moulin", "postcode": "00000", "city": "Démo"},
         ["5 rue du Moulin", "00000 Démo"]),
        (field("siret"), "73282932000074", ["732 829 320 00074"]),
        (field("iban"), "FR7630006000011234567890189", ["FR76 3000 6000 0112 3456 7890 189"]),
        (field("textarea"), "Un\nDeux", ["Un", "Deux"]),
        (field("file"), [{"name": "photo.jpg", "kind": "jpeg", "size": 2048}],
         ["photo.jpg (2\xa0Ko)"]),
    ],
)  # fmt: skip
def test_stored_values_are_displayed_in_french(definition, value, lines):
    assert FIELD_TYPES[definition["type"]].display(definition, value) == lines


@pytest.mark.parametrize(
    ("definition", "value"),
    [(field("integer"), 1200), (field("decimal"), "12.5"), (field("date"), "2024-03-14"),
     (field("yesno"), False), (field("multichoice", options=OPTIONS), ["a", "b"]),
     (field("phone"), "06 12 34 56 78"), (field("iban"), "FR7630006000011234567890189"),
     (field("address"), {"street": "1 rue A", "postcode": "75001", "city": "Paris"})],
)  # fmt: skip
def test_a_stored_value_shown_again_in_its_widget_cleans_to_itself(definition, value):
    kind = FIELD_TYPES[definition["type"]]
    assert clean(definition, kind.to_raw(definition, value)) == value
