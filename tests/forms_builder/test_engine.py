"""The engine on a multi-page form: progress, next and previous without losing answers (the
caller keeps them), validation per page, files stored through the caller, prefill from the
profile with FranceConnect's identity locked, the review, the data to store."""

import datetime as dt
import io

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from demo import procedures as demo_forms
from forms_builder.engine import FormRun, IncompleteForm, SummaryError
from forms_builder.fields import Error

SCHEMA = {
    "version": 1,
    "pages": [
        {"id": "identite", "title": "Votre identité", "fields": [
            {"id": "prenoms", "type": "text", "label": "Prénoms", "prefill": "given_names",
             "carry_over": True},
            {"id": "nom", "type": "text", "label": "Nom", "prefill": "family_name",
             "carry_over": True},
            {"id": "naissance", "type": "date", "label": "Date de naissance", "max": "today",
             "prefill": "birth_date"},
            {"id": "email", "type": "email", "label": "Courriel", "prefill": "email",
             "carry_over": True},
        ]},
        {"id": "demande", "title": "Votre demande", "fields": [
            {"id": "intro", "type": "info", "text": "Expliquez-nous."},
            {"id": "objet", "type": "choice", "label": "Objet", "options": [
                {"value": "attestation", "label": "Une attestation"},
                {"value": "autre", "label": "Autre chose"}]},
            {"id": "precision", "type": "text", "label": "Précisez",
             "condition": {"field": "objet", "op": "equals", "value": "autre"}},
            {"id": "date_souhaitee", "type": "date", "label": "Pour le", "min": "today"},
            {"id": "justificatif", "type": "file", "label": "Justificatif", "accept": ["png"],
             "max_files": 2},
        ]},
        {"id": "adresse", "title": "Votre adresse", "fields": [
            {"id": "domicile", "type": "address", "label": "Domicile", "prefill": "address",
             "carry_over": True},
            {"id": "commentaire", "type": "textarea", "label": "Commentaire", "required": False},
        ]},
    ],
}  # fmt: skip
TODAY = dt.datetime(2026, 5, 4, 12, tzinfo=dt.timezone(dt.timedelta(hours=2)))
PROFILE = {
    "given_names": "Jean-Baptiste",
    "family_name": "Morin",
    "birth_date": dt.date(1985, 9, 23),
    "email": "jb.morin@exemple.invalid",
    "phone": "06 98 76 54 32",
    "street": "5 rue du Moulin",
    "postcode": "00000",
    "city": "Démo",
}


def png(name="plan.png", colour=(0, 0, 0)):
    buffer = io.BytesIO()
    Image.new("RGB", (2, 2), colour).save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY, tick=False):
        yield


IDENTITE = {"prenoms": "Léa", "nom": "Roux", "naissance": "1990-06-30", "email": "lea@exemple.fr"}
DEMANDE = {"objet": "attestation", "date_souhaitee": "2026-05-10"}
ADRESSE = {"domicile-street": "3 impasse des Glycines", "domicile-postcode": "00000",
           "domicile-city": "Démo"}  # fmt: skip


def fill(run, page_id, post, files=None, store=None):
    result = run.validate_page(page_id, post, files)
    run.apply(result, store=store)
    return result


def test_a_multi_page_form_from_start_to_review():
    run = FormRun(SCHEMA)
    assert run.first_page_id() == "identite"
    assert run.progress("identite") == (1, 3)
    assert fill(run, "identite", IDENTITE).is_valid
    assert run.next_page_id("identite") == "demande"
    assert fill(run, "demande", DEMANDE, {"justificatif": [png()]}).is_valid
    assert fill(run, "adresse", ADRESSE).is_valid
    assert run.next_page_id("adresse") is None  # then the review
    assert run.previous_page_id("adresse") == "demande"
    assert run.previous_page_id("identite") is None

    assert run.errors() == {}
    data = run.cleaned_data()
    assert data == {
        "prenoms": "Léa", "nom": "Roux", "naissance": "1990-06-30", "email": "lea@exemple.fr",
        "objet": "attestation", "date_souhaitee": "2026-05-10",
        "justificatif": [
            {"name": "plan.png", "kind": "png", "size": data["justificatif"][0]["size"],
             "sha256": data["justificatif"][0]["sha256"]}],
        "domicile": {"street": "3 impasse des Glycines", "postcode": "00000", "city": "Démo"},
    }  # fmt: skip

    sections = run.summary(edit_url=lambda page_id: f"/deposer/{page_id}/")
    assert [(s.page_id, s.title, s.edit_url) for s in sections] == [
        ("identite", "Votre identité", "/deposer/identite/"),
        ("demande", "Votre demande", "/deposer/demande/"),
        ("adresse", "Votre adresse", "/deposer/adresse/"),
    ]
    demande = {item.label: item.lines for item in sections[1].items}
    assert demande == {
        "Objet": ["Une attestation"],
        "Pour le": ["10 mai 2026"],
        "Justificatif": [f"plan.png ({data['justificatif'][0]['size']}\xa0octets)"],
    }
    adresse = {item.label: item.lines for item in sections[2].items}
    assert adresse == {
        "Domicile": ["3 impasse des Glycines", "00000 Démo"],
        "Commentaire": ["Non renseigné"],
    }


def test_the_page_view_says_the_step_and_links_each_error_to_its_input():
    run = FormRun(SCHEMA, {"objet": "autre"})
    result = run.validate_page(
        "demande", {"objet": "autre", "precision": "", "date_souhaitee": "03/05/2026"}
    )
    view = run.page_view("demande", result)
    assert (view.number, view.total, view.progress) == (2, 3, "Étape 2 sur 3")
    assert (view.previous_page_id, view.next_page_id, view.is_first, view.is_last) == (
        "identite", "adresse", False, False
    )  # fmt: skip
    assert view.error_summary == [
        SummaryError("Précisez : ce champ est obligatoire.", "field-precision"),
        SummaryError("Pour le : la date ne peut pas être dans le passé.", "field-date_souhaitee"),
        SummaryError("Justificatif : joignez un fichier.", "field-justificatif"),
    ]
    shown = {field.id: field for field in view.fields}
    assert list(shown) == ["intro", "objet", "precision", "date_souhaitee", "justificatif"]
    assert shown["date_souhaitee"].value == "03/05/2026"  # as typed, to correct it
    assert shown["precision"].condition_json  # the browser may hide it again


def test_an_address_error_links_to_its_part():
    run = FormRun(SCHEMA)
    result = run.validate_page("adresse", {**ADRESSE, "domicile-postcode": "7500"})
    assert run.page_view("adresse", result).error_summary == [
        SummaryError("Domicile (code postal) : saisissez un code postal à 5 chiffres, par "
                     "exemple 75001.", "field-domicile-postcode")
    ]  # fmt: skip


def test_back_and_next_keep_the_answers_the_caller_keeps():
    answers = {}
    for page_id, post in (("identite", IDENTITE), ("demande", DEMANDE)):
        run = FormRun(SCHEMA, answers)  # a new request, a new run: the caller keeps answers
        answers = run.apply(run.validate_page(page_id, post, {"justificatif": [png()]}))
    run = FormRun(SCHEMA, answers)
    view = run.page_view("identite")  # "previous" from the second page
    assert {f.id: f.value for f in view.fields} == IDENTITE
    assert not view.error_summary
    assert {f.id: f.value for f in run.page_view("demande").fields}["objet"] == "attestation"


def test_going_back_keeps_what_is_valid_on_the_page_left_and_the_previous_answer_of_the_rest():
    run = FormRun(SCHEMA, {**IDENTITE})
    result = run.validate_page("identite", {**IDENTITE, "prenoms": "Léonie", "email": "faux"})
    assert not result.is_valid
    answers = run.apply(result)
    assert answers["prenoms"] == "Léonie"
    assert answers["email"] == "lea@exemple.fr"


def test_the_caller_stores_new_files_and_gets_them_back_as_answers():
    stored = []

    def store(validated):
        stored.append(validated)
        return {**validated.descriptor(), "key": f"depot/{len(stored)}"}

    run = FormRun(SCHEMA)
    # The file is valid while another field is not: stored at once, never uploaded twice.
    result = fill(run, "demande", {"objet": "autre"}, {"justificatif": [png("a.png")]}, store)
    assert list(result.errors) == ["precision", "date_souhaitee"]
    assert [f["key"] for f in run.answers["justificatif"]] == ["depot/1"]
    view = run.page_view("demande", result)
    size = run.answers["justificatif"][0]["size"]
    assert [k["label"] for k in view.fields[-1].widget["kept"]] == [f"a.png ({size}\xa0octets)"]

    fill(run, "demande", DEMANDE, {"justificatif": [png("b.png", (9, 9, 9))]}, store)
    assert [f["name"] for f in run.answers["justificatif"]] == ["a.png", "b.png"]

    result = fill(run, "demande", DEMANDE, {"justificatif": [png("c.png", (7, 7, 7))]}, store)
    assert result.errors == {
        "justificatif": [
            Error(
                "Vous pouvez joindre au plus 2 fichiers : retirez-en un pour en joindre un autre."
            )
        ]
    }

    fill(run, "demande", {**DEMANDE, "justificatif-remove": ["0"]}, None, store)
    assert [f["name"] for f in run.answers["justificatif"]] == ["b.png"]

    result = fill(run, "demande", {**DEMANDE, "justificatif-remove": ["0"]}, None, store)
    assert result.errors == {"justificatif": [Error("Joignez un fichier.")]}
    assert [f["name"] for f in run.answers["justificatif"]] == ["b.png"]
    assert len(stored) == 2


def test_a_lying_file_is_refused_on_its_page():
    run = FormRun(SCHEMA)
    fake = SimpleUploadedFile("plan.png", b"%PDF-1.7 ...", content_type="image/png")
    result = run.validate_page("demande", DEMANDE, {"justificatif": [fake]})
    assert result.errors["justificatif"] == [
        Error("Le fichier « plan.png » n'est pas un PNG : son contenu ne correspond pas à son "
              "extension.")
    ]  # fmt: skip


def test_submission_checks_every_page_again():
    run = FormRun(SCHEMA)
    fill(run, "identite", IDENTITE)
    fill(run, "demande", DEMANDE, {"justificatif": [png()]})
    with pytest.raises(IncompleteForm) as caught:
        run.cleaned_data()
    assert caught.value.errors == {
        "adresse": {"domicile": [Error("Indiquez le numéro et la voie.", "street"),
                                 Error("Indiquez le code postal.", "postcode"),
                                 Error("Indiquez la commune.", "city")]}
    }  # fmt: skip
    assert run.first_invalid_page_id() == "adresse"
    fill(run, "adresse", ADRESSE)
    # A week later the wished date is in the past: the form sends the citizen back to it.
    with time_machine.travel(TODAY + dt.timedelta(days=7), tick=False):
        assert run.errors() == {
            "demande": {"date_souhaitee": [Error("La date ne peut pas être dans le passé.")]}
        }


def test_answers_forged_into_the_dict_for_hidden_fields_are_not_stored():
    run = FormRun(SCHEMA)
    fill(run, "identite", IDENTITE)
    fill(run, "demande", DEMANDE, {"justificatif": [png()]})
    fill(run, "adresse", ADRESSE)
    forged = FormRun(SCHEMA, {**run.answers, "precision": "<script>", "inconnu": "x"})
    data = forged.cleaned_data()
    assert "precision" not in data and "inconnu" not in data


def test_prefill_from_the_profile():
    run = FormRun(SCHEMA, profile={**PROFILE, "email": "pas une adresse"})
    assert run.initial_answers() == {
        "prenoms": "Jean-Baptiste",
        "nom": "Morin",
        "naissance": "1985-09-23",
        "domicile": {"street": "5 rue du Moulin", "postcode": "00000", "city": "Démo"},
    }  # fmt: skip  (a profile value the form refuses is left for the citizen to type)


def test_franceconnect_identity_is_shown_read_only_and_wins_over_the_post():
    locked = {"given_names", "family_name", "birth_date"}
    run = FormRun(SCHEMA, {}, profile=PROFILE, locked=locked)
    view = run.page_view("identite")
    fields = {f.id: f for f in view.fields}
    assert fields["prenoms"].locked and fields["prenoms"].value == "Jean-Baptiste"
    assert fields["naissance"].locked and fields["naissance"].value == "1985-09-23"
    assert not fields["email"].locked
    assert "field-prenoms-locked" in fields["prenoms"].describedby

    result = run.validate_page("identite", {**IDENTITE, "prenoms": "Usurpé", "naissance": ""})
    assert result.is_valid
    answers = run.apply(result)
    assert (answers["prenoms"], answers["nom"], answers["naissance"]) == (
        "Jean-Baptiste", "Morin", "1985-09-23"
    )  # fmt: skip
    assert answers["email"] == "lea@exemple.fr"
    forged = FormRun(SCHEMA, {**answers, "nom": "Autre"}, profile=PROFILE, locked=locked)
    assert forged.answers["nom"] == "Morin"


def test_carry_over_takes_only_the_fields_marked_and_still_valid():
    domicile = {"street": "3 impasse des Glycines", "postcode": "2A000", "city": "Ajaccio"}
    earlier = {"prenoms": "Léa", "nom": "Roux", "naissance": "1990-06-30",
               "email": "lea@exemple.fr", "objet": "autre", "domicile": domicile}  # fmt: skip
    assert FormRun(SCHEMA).carry_over(earlier) == {
        "prenoms": "Léa", "nom": "Roux", "email": "lea@exemple.fr"
    }  # fmt: skip


def test_the_demo_report_with_a_photo_and_an_address():
    run = FormRun(demo_forms._SIGNALEMENT)
    result = fill(run, "probleme", {
        "nature": "autre", "nature_precision": "Banc public cassé",
        "adresse-street": "Place de la Mairie", "adresse-postcode": "00000",
        "adresse-city": "Démo", "description": "Un banc a perdu deux lattes."},
        {"photo": [png("IMG_1024.png")]})  # fmt: skip
    assert result.is_valid, result.errors
    assert run.next_page_id("probleme") is None  # one page: the contact step asks the rest
    data = run.cleaned_data()
    assert data["nature_precision"] == "Banc public cassé"
    assert data["photo"][0]["name"] == "IMG_1024.png"


def test_the_demo_civil_status_request_asks_birth_questions_only_for_a_birth():
    answers = {"type_acte": "deces", "forme": "copie-integrale", "lien": "enfant",
               "nom": "Perrin", "prenoms": "Marcel", "date_evenement": "2024-11-05",
               "nom_pere": "Perrin Louis"}  # fmt: skip
    run = FormRun(demo_forms._ACTE, answers)
    assert [p["id"] for p in run.visible_pages()] == ["acte", "personne", "envoi"]
    assert run.progress("envoi") == (3, 3)
    run = FormRun(demo_forms._ACTE, {**answers, "type_acte": "naissance"})
    assert run.progress("envoi") == (4, 4)
    assert run.next_page_id("personne") == "naissance"
