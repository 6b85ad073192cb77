"""The schema validator: what an administrator gets wrong is said in French, page and field
named; the demo démarches' schemas are valid and their demo requests fit them."""

import copy
import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from demo import demo_data
from demo import procedures as demo_forms
from forms_builder.engine import FormRun
from forms_builder.fields import FIELD_TYPES, clean
from forms_builder.schema import validate_schema


def schema(*fields, page_extra=None, pages=None):
    page = {"id": "p", "title": "Page", "fields": list(fields), **(page_extra or {})}
    return {"version": 1, "pages": pages or [page]}


def text(id_, **extra):
    return {"id": id_, "type": "text", "label": id_.title(), **extra}


def choice(id_, **extra):
    options = [{"value": "a", "label": "A"}, {"value": "b", "label": "B"}]
    return {"id": id_, "type": "choice", "label": id_.title(), "options": options, **extra}


def test_a_minimal_schema_is_valid():
    assert validate_schema(schema(text("nom"))) == []


@pytest.mark.parametrize(
    "field",
    [
        {"id": "a", "type": "text", "label": "A", "hint": "h", "required": False,
         "prefill": "family_name", "carry_over": True, "min_length": 2, "max_length": 20,
         "pattern": "[A-Z]+", "pattern_message": "Majuscules.", "autocomplete": "family-name"},
        {"id": "a", "type": "textarea", "label": "A", "max_length": 5000},
        {"id": "a", "type": "email", "label": "A", "prefill": "email"},
        {"id": "a", "type": "phone", "label": "A", "prefill": "phone"},
        {"id": "a", "type": "integer", "label": "A", "min": 0, "max": 10, "step": 2},
        {"id": "a", "type": "decimal", "label": "A", "min": 0, "max": 99.99, "step": 0.01},
        {"id": "a", "type": "date", "label": "A", "min": "1900-01-01", "max": "today",
         "prefill": "birth_date"},
        {"id": "a", "type": "date", "label": "A", "min": "today+21", "max": "today+365"},
        {"id": "a", "type": "choice", "label": "A", "widget": "select",
         "options": [{"value": "x", "label": "X"}]},
        {"id": "a", "type": "multichoice", "label": "A", "min_selections": 1,
         "max_selections": 2, "options": [{"value": "x", "label": "X"},
                                          {"value": "y", "label": "Y"}]},
        {"id": "a", "type": "yesno", "label": "A"},
        {"id": "a", "type": "file", "label": "A", "accept": ["pdf", "heic"], "max_size_mb": 2.5,
         "max_files": 3},
        {"id": "a", "type": "address", "label": "A", "prefill": "address"},
        {"id": "a", "type": "siret", "label": "A"},
        {"id": "a", "type": "siren", "label": "A"},
        {"id": "a", "type": "rna", "label": "A"},
        {"id": "a", "type": "iban", "label": "A", "required": False},
        {"id": "a", "type": "info", "text": "Un paragraphe.\n\nUn autre."},
        {"id": "a", "type": "info", "label": "À savoir", "text": "Texte."},
        {"id": "a", "type": "section", "label": "Titre", "hint": "Introduction."},
    ],
)  # fmt: skip
def test_every_type_with_its_options_is_valid(field):
    assert validate_schema(schema(field)) == []


@pytest.mark.parametrize(
    ("bad", "errors"),
    [
        ("pas un objet", ["Le schéma doit être un objet JSON."]),
        ({"version": 1, "pages": []}, ["Le schéma doit contenir au moins une page (« pages »)."]),
        ({"version": 2, "pages": [{"id": "p", "title": "P", "fields": [text("a")]}],
          "titre": "x"},
         ["Version de schéma inconnue : 2 (attendue : 1).",
          "Clés inconnues au premier niveau : « titre »."]),
        (schema(pages=[{"id": "p", "title": "", "fields": []}]),
         ["Page « p » : la page doit avoir un titre (« title »).",
          "Page « p » : la page doit avoir au moins un champ."]),
        (schema(pages=[{"id": "p", "title": "P", "fields": [text("a")]},
                       {"id": "p", "title": "Q", "fields": [text("b")]}]),
         ["Page « p » : identifiant de page en double."]),
        (schema(pages=[{"id": "P 1", "title": "P", "fields": [text("a")], "aide": ""}]),
         ["Page 1 : identifiant « P 1 » invalide (lettres minuscules, chiffres et _, "
          "commençant par une lettre, 50 caractères au plus).",
          "Page 1 : clés inconnues « aide »."]),
        (schema({"id": "a", "type": "texte", "label": "A"}),
         ["Page « p », champ « a » : type inconnu « texte »."]),
        (schema({"id": "a", "label": "A"}), ["Page « p », champ « a » : type inconnu « None »."]),
        (schema(text("a"), text("a")),
         ["Page « p », champ « a » : identifiant déjà utilisé par un champ de la page « p »."]),
        (schema(pages=[{"id": "p", "title": "P", "fields": [text("a")]},
                       {"id": "q", "title": "Q", "fields": [text("a")]}]),
         ["Page « q », champ « a » : identifiant déjà utilisé par un champ de la page « p »."]),
        (schema(text("action")),
         ["Page « p », champ 1 : l'identifiant « action » est réservé."]),
        (schema({"id": "date-debut", "type": "date", "label": "Début"}),
         ["Page « p », champ 1 : identifiant « date-debut » invalide (lettres minuscules, "
          "chiffres et _, commençant par une lettre, 50 caractères au plus)."]),
        (schema(text("a", label="")),
         ["Page « p », champ « a » : le champ doit avoir un libellé (« label »)."]),
        (schema(text("a", help="Aide", show_if={"b": "c"})),
         ["Page « p », champ « a » : clés inconnues pour un champ « text » : « help », "
          "« show_if » (possibles : « autocomplete », « carry_over », « condition », « hint », "
          "« id », « label », « max_length », « min_length », « pattern », « pattern_message », "
          "« prefill », « required », « type »)."]),
        (schema(text("a", required="oui", carry_over=1)),
         ["Page « p », champ « a » : « required » vaut true ou false.",
          "Page « p », champ « a » : « carry_over » vaut true ou false."]),
        (schema(text("a", prefill="email")),
         ["Page « p », champ « a » : le préremplissage « email » ne s'applique pas à un champ "
          "« text »."]),
        (schema(text("a", prefill="nir")),
         ["Page « p », champ « a » : préremplissage inconnu « nir » (possibles : « address », "
          "« birth_date », « city », « email », « family_name », « given_names », « phone », "
          "« postcode », « street »)."]),
        (schema(text("a", pattern="[a-")),
         ["Page « p », champ « a » : l'expression « pattern » n'est pas une expression "
          "régulière.",
          "Page « p », champ « a » : « pattern » demande son message d'erreur "
          "« pattern_message »."]),
        (schema(text("a", min_length=10, max_length=5, autocomplete="nom")),
         ["Page « p », champ « a » : valeur d'autocomplétion inconnue « nom ».",
          "Page « p », champ « a » : « min_length » dépasse « max_length »."]),
        (schema(text("a", max_length=1000)),
         ["Page « p », champ « a » : « max_length » doit être un nombre entier entre 0 et 250."]),
        (schema({"id": "a", "type": "integer", "label": "A", "min": 1.5, "max": 0, "step": 0}),
         ["Page « p », champ « a » : « min » doit être un nombre ou un autre champ "
          '{"field": "<identifiant>"}.',
          "Page « p », champ « a » : « step » doit être un nombre positif."]),
        (schema({"id": "a", "type": "decimal", "label": "A", "min": 5, "max": 1}),
         ["Page « p », champ « a » : « min » dépasse « max »."]),
        (schema({"id": "a", "type": "date", "label": "A", "min": "demain", "max": "14/03/2024"}),
         ["Page « p », champ « a » : « min » doit être une date AAAA-MM-JJ, « today », "
          '« today+N », « today-N » ou un autre champ {"field": "<identifiant>"}.',
          "Page « p », champ « a » : « max » doit être une date AAAA-MM-JJ, « today », "
          '« today+N », « today-N » ou un autre champ {"field": "<identifiant>"}.']),
        (schema({"id": "a", "type": "choice", "label": "A"}),
         ["Page « p », champ « a » : « options » doit être une liste non vide de "
          "{value, label}."]),
        (schema({"id": "a", "type": "choice", "label": "A", "widget": "liste", "options": [
            {"value": "x", "label": "X"}, {"value": "x", "label": "Y"}, {"value": "", "label": ""},
            {"value": "z"}]}),
         ["Page « p », champ « a » : la valeur « x » est en double dans les options.",
          "Page « p », champ « a » : l'option 3 a une valeur vide.",
          "Page « p », champ « a » : l'option 3 n'a pas de libellé.",
          "Page « p », champ « a » : l'option 4 doit avoir exactement « value » et « label ».",
          "Page « p », champ « a » : « widget » vaut « radio » ou « select »."]),
        (schema({"id": "a", "type": "multichoice", "label": "A", "max_selections": 3,
                 "options": [{"value": "x", "label": "X"}]}),
         ["Page « p », champ « a » : « max_selections » doit être un nombre entre 1 et le "
          "nombre d'options."]),
        (schema({"id": "a", "type": "file", "label": "A", "accept": ["pdf", "docx"],
                 "max_size_mb": 50, "max_files": 0, "carry_over": True}),
         ["Page « p », champ « a » : un fichier ne peut pas être repris dans une nouvelle "
          "demande.",
          "Page « p », champ « a » : « accept » doit être une liste sans doublon parmi : pdf, "
          "jpeg, png, heic, webp.",
          "Page « p », champ « a » : « max_size_mb » doit être un nombre entre 0 et 20.",
          "Page « p », champ « a » : « max_files » doit être un nombre entier entre 1 et 10."]),
        (schema({"id": "a", "type": "info", "label": "Titre", "required": True}),
         ["Page « p », champ « a » : clés inconnues pour un champ « info » : « required » "
          "(possibles : « condition », « id », « label », « text », « type »).",
          "Page « p », champ « a » : un champ « info » demande son texte (« text »)."]),
        (schema({"id": "a", "type": "section"}),
         ["Page « p », champ « a » : le champ doit avoir un libellé (« label »)."]),
    ],
)  # fmt: skip
def test_errors_name_the_page_and_the_field(bad, errors):
    assert validate_schema(bad) == errors


@pytest.mark.parametrize(
    ("bad", "error"),
    [
        (schema(text("a", condition={"field": "inconnu", "op": "empty"})),
         "Page « p », champ « a » : la condition porte sur un champ inconnu « inconnu »."),
        (schema(text("a", condition={"field": "b", "op": "empty"}), text("b")),
         "Page « p », champ « a » : la condition porte sur « b », qui n'est pas demandé avant : "
         "une condition ne peut dépendre que d'une réponse déjà donnée."),
        (schema(text("a", condition={"field": "a", "op": "not_empty"})),
         "Page « p », champ « a » : la condition porte sur « a », qui n'est pas demandé avant : "
         "une condition ne peut dépendre que d'une réponse déjà donnée."),
        (schema(pages=[
            {"id": "p", "title": "P",
             "fields": [text("a", condition={"field": "b", "op": "empty"})]},
            {"id": "q", "title": "Q", "fields": [text("b")]}]),
         "Page « p », champ « a » : la condition porte sur « b », qui n'est pas demandé avant : "
         "une condition ne peut dépendre que d'une réponse déjà donnée."),
        (schema(text("a"), page_extra={"condition": {"field": "a", "op": "empty"}}),
         "Page « p » : la condition d'une page ne peut porter que sur un champ d'une page "
         "précédente, pas sur « a »."),
        (schema(choice("a"), text("b", condition={"field": "a", "op": "equals", "value": "z"})),
         "Page « p », champ « b » : « z » n'est pas une des options du champ."),
        (schema(choice("a"), text("b", condition={"field": "a", "op": "contains", "value": "a"})),
         "Page « p », champ « b » : l'opérateur « contains » ne s'applique pas à un champ de "
         "type « choice »."),
        (schema(choice("a"), text("b", condition={"field": "a", "op": "is", "value": "a"})),
         "Page « p », champ « b » : opérateur inconnu « is » (equals, not_equals, contains, "
         "empty, not_empty)."),
        (schema(choice("a"), text("b", condition={"field": "a", "op": "equals"})),
         "Page « p », champ « b » : l'opérateur « equals » demande une valeur (« value »)."),
        (schema(choice("a"), text("b", condition={"field": "a", "op": "empty", "value": "a"})),
         "Page « p », champ « b » : l'opérateur « empty » ne prend pas de valeur."),
        (schema(choice("a"), text("b", condition={"field": "a", "value": "a"})),
         "Page « p », champ « b » : une condition a « field », « op » et, selon l'opérateur, "
         "« value »."),
        (schema(choice("a"), text("b", condition=["a"])),
         "Page « p », champ « b » : une condition doit être un objet."),
        (schema(choice("a"), text("b", condition={"all": []})),
         "Page « p », champ « b » : « all » doit être seul, avec une liste de conditions."),
        (schema(choice("a"), text("b", condition={"any": [
            {"field": "a", "op": "equals", "value": "a"}, {"field": "c", "op": "empty"}]})),
         "Page « p », champ « b » : la condition porte sur un champ inconnu « c »."),
        (schema({"id": "a", "type": "yesno", "label": "A"},
                text("b", condition={"field": "a", "op": "equals", "value": "oui"})),
         "Page « p », champ « b » : la valeur comparée doit être true ou false."),
        (schema({"id": "a", "type": "integer", "label": "A"},
                text("b", condition={"field": "a", "op": "equals", "value": "3"})),
         "Page « p », champ « b » : la valeur comparée doit être un nombre."),
        (schema({"id": "a", "type": "date", "label": "A"},
                text("b", condition={"field": "a", "op": "equals", "value": "14/03/2024"})),
         "Page « p », champ « b » : la valeur comparée doit être une date AAAA-MM-JJ."),
        (schema({"id": "a", "type": "file", "label": "A"},
                text("b", condition={"field": "a", "op": "not_empty"})),
         "Page « p », champ « b » : l'opérateur « not_empty » ne s'applique pas à un champ de "
         "type « file »."),
        (schema({"id": "a", "type": "siret", "label": "A"},
                text("b", condition={"field": "a", "op": "equals", "value": "1"})),
         "Page « p », champ « b » : l'opérateur « equals » ne s'applique pas à un champ de "
         "type « siret »."),
    ],
)  # fmt: skip
def test_conditions_must_refer_to_an_earlier_answer_with_a_fitting_value(bad, error):
    assert validate_schema(bad) == [error]


def test_conditions_on_earlier_fields_and_pages_are_valid():
    valid = schema(pages=[
        {"id": "p", "title": "P", "fields": [
            choice("a"),
            {"id": "m", "type": "multichoice", "label": "M",
             "options": [{"value": "x", "label": "X"}]},
            text("b", condition={"all": [{"field": "a", "op": "equals", "value": "b"},
                                         {"field": "m", "op": "contains", "value": "x"}]}),
        ]},
        {"id": "q", "title": "Q", "condition": {"any": [
            {"field": "b", "op": "not_empty"}, {"field": "a", "op": "not_equals", "value": "a"}]},
         "fields": [text("c", condition={"field": "b", "op": "contains", "value": "x"})]},
    ])  # fmt: skip
    assert validate_schema(valid) == []


DEMO_SCHEMAS = {p["slug"]: p["schema"] for p in demo_data.procedures()}


@pytest.mark.parametrize("slug", DEMO_SCHEMAS)
def test_every_demo_schema_is_valid(slug):
    assert validate_schema(DEMO_SCHEMAS[slug]) == []


def test_the_demo_procedures_use_the_demo_schemas(settings):
    expected = {
        "signalement-voirie": demo_forms._SIGNALEMENT,
        "demande-information": demo_forms._INFORMATION,
        "occupation-domaine-public": demo_forms._OCCUPATION,
        "subvention-association": demo_forms._SUBVENTION,
        "acte-etat-civil": demo_forms._ACTE,
    }
    assert {slug: DEMO_SCHEMAS.get(slug) for slug in expected} == expected


def test_the_demo_schemas_show_conditions_on_fields_and_pages():
    fields = {f["id"]: f for page in demo_forms._SIGNALEMENT["pages"] for f in page["fields"]}
    assert fields["nature_precision"]["condition"] == {
        "field": "nature", "op": "equals", "value": "autre"
    }  # fmt: skip
    assert {"address", "file", "textarea", "choice"} <= {f["type"] for f in fields.values()}
    acte = FormRun(demo_forms._ACTE, {"type_acte": "naissance"})
    assert [p["id"] for p in acte.visible_pages()] == ["acte", "personne", "naissance", "envoi"]
    acte = FormRun(demo_forms._ACTE, {"type_acte": "mariage"})
    assert [p["id"] for p in acte.visible_pages()] == ["acte", "personne", "mariage", "envoi"]


@pytest.mark.parametrize(
    "spec", [s for s in demo_data.REQUESTS if not s.draft], ids=lambda spec: spec.reference
)
def test_the_demo_requests_answers_fit_their_schema(spec):
    """Every answer of a demo request is a field of its démarche, shown under the request's
    own answers, and valid as it was on the day it was received."""
    received = timezone.localdate() - dt.timedelta(days=spec.days_ago)
    data = {
        key: (received + dt.timedelta(days=value.days)).isoformat()
        if isinstance(value, demo_data.After)
        else value
        for key, value in spec.data.items()
    }
    run = FormRun(DEMO_SCHEMAS[spec.procedure], copy.deepcopy(data))
    with time_machine.travel(dt.datetime.combine(received, dt.time(12)), tick=False):
        shown = run.visible_field_ids()
        assert set(data) <= shown, set(data) - shown
        for key, value in data.items():
            definition = run.fields[key]
            if isinstance(value, demo_data.Files):  # a PDF each, uploaded when filed
                assert definition["type"] == "file" and "pdf" in definition["accept"]
                assert len(value.names) <= definition.get("max_files", 1)
                continue
            cleaned = clean(definition, FIELD_TYPES[definition["type"]].to_raw(definition, value))
            if definition["type"] == "multichoice":  # stored in the options' order
                cleaned, value = sorted(cleaned), sorted(value)
            assert cleaned == value
        # And the whole form, as the filing checks it: every question asked answered, every
        # document asked attached, the rules between answers holding.
        answers = {
            key: [{"name": n, "kind": "pdf", "size": 1, "sha256": n} for n in value.names]
            if isinstance(value, demo_data.Files)
            else value
            for key, value in data.items()
        }
        assert FormRun(DEMO_SCHEMAS[spec.procedure], answers).errors() == {}
