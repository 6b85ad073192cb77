"""File fields as a citizen uses them: a new file for a one-file field replaces the one sent
before (no « Retirer » first), and the replaced file leaves the storage; the same file is not
attached twice to a field; every document a demo démarche lists as required has its upload
field in the form."""

import io
import re
import unicodedata

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from demo import demo_data
from forms_builder.engine import FormRun
from forms_builder.fields import Error
from service_requests.drafts import SESSION_KEY
from service_requests.services.filing import upload_store
from tests.factories import FormVersionFactory, ProcedureFactory

SCHEMA = {
    "version": 1,
    "pages": [
        {"id": "pieces", "title": "Pièces", "fields": [
            {"id": "identite", "type": "file", "label": "Pièce d'identité",
             "accept": ["png", "pdf"]},
            {"id": "photos", "type": "file", "label": "Photos", "accept": ["png"],
             "max_files": 3, "required": False},
        ]},
    ],
}  # fmt: skip


def png(name: str, colour=(200, 30, 30)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (3, 2), colour).save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


RED, GREEN, BLUE = (200, 30, 30), (30, 200, 30), (30, 30, 200)


def post(run, data=None, files=None, store=upload_store):
    result = run.validate_page("pieces", data or {}, files or {})
    run.apply(result, store=store)
    return result


# --- Replacing the file of a one-file field ---------------------------------------------------


@pytest.mark.django_db
def test_a_new_file_replaces_the_one_sent_before_without_removing_it_first():
    run = FormRun(SCHEMA)
    assert post(run, files={"identite": [png("recto.png")]}).is_valid
    (first,) = run.answers["identite"]
    result = post(run, files={"identite": [png("scan-net.png", GREEN)]})
    assert result.is_valid, result.errors
    assert [d["name"] for d in run.answers["identite"]] == ["scan-net.png"]
    assert run.answers["identite"][0]["key"] != first["key"]


@pytest.mark.django_db
def test_a_refused_replacement_keeps_the_file_sent_before():
    run = FormRun(SCHEMA)
    post(run, files={"identite": [png("recto.png")]})
    before = run.answers["identite"]
    bad = SimpleUploadedFile("page.pdf", b"<html></html>", content_type="application/pdf")
    result = post(run, files={"identite": [bad]})
    assert result.errors == {
        "identite": [
            Error(
                "Le fichier « page.pdf » n'est pas un PDF : son contenu ne correspond pas à son "
                "extension."
            )
        ]
    }
    assert run.answers["identite"] == before


@pytest.mark.django_db
def test_the_same_file_chosen_again_for_a_one_file_field_changes_nothing():
    run = FormRun(SCHEMA)
    post(run, files={"identite": [png("recto.png")]})
    before = run.answers["identite"]
    stored = []
    result = post(
        run, files={"identite": [png("recto (1).png")]}, store=lambda f: stored.append(f) or {}
    )
    assert result.is_valid
    assert run.answers["identite"] == before
    assert stored == []  # nothing stored a second time


def test_a_one_file_field_says_that_a_new_file_replaces_the_one_sent():
    sent = [{"name": "recto.png", "kind": "png", "size": 2048, "sha256": "0" * 64}]
    fields = {f.id: f for f in FormRun(SCHEMA, {"identite": sent}).page_view("pieces").fields}
    assert (
        fields["identite"]
        .notes[0]["text"]
        .endswith("Un nouveau fichier remplace celui déjà joint.")
    )
    assert not fields["photos"].notes[0]["text"].endswith("déjà joint.")


def test_a_full_multi_file_field_says_how_to_add_another():
    sent = [
        {"name": f"{n}.png", "kind": "png", "size": 10, "sha256": str(n) * 64} for n in range(3)
    ]
    result = FormRun(SCHEMA, {"photos": sent}).validate_page(
        "pieces", {}, {"photos": [png("d.png")]}
    )
    assert result.errors["photos"] == [
        Error("Vous pouvez joindre au plus 3 fichiers : retirez-en un pour en joindre un autre.")
    ]


# --- The same file twice ----------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kept", "chosen", "message"),
    [
        # Chosen again on a later visit, under another name or the same.
        (
            [("a.png", RED)],
            [("a (1).png", RED)],
            "Le fichier « a (1).png » a le même contenu que « a.png », déjà joint : choisissez "
            "un autre fichier.",
        ),
        (
            [("a.png", RED)],
            [("b.png", GREEN), ("a.png", RED)],
            "Le fichier « a.png » est déjà joint : choisissez un autre fichier.",
        ),
        # Twice in the same selection.
        (
            [],
            [("recto.png", RED), ("verso.png", RED)],
            "Vous avez choisi deux fois le même fichier (« recto.png » et « verso.png ») : "
            "choisissez un autre fichier.",
        ),
    ],
)
def test_the_same_file_is_not_attached_twice_to_a_field(kept, chosen, message):
    run = FormRun(SCHEMA, {"identite": [{"name": "id.pdf", "kind": "pdf", "size": 9}]})
    if kept:
        post(run, files={"photos": [png(name, colour) for name, colour in kept]})
    before = run.answers.get("photos")
    result = post(run, files={"photos": [png(name, colour) for name, colour in chosen]})
    assert result.errors == {"photos": [Error(message)]}
    assert run.answers.get("photos") == before


@pytest.mark.django_db
def test_different_files_are_all_attached():
    run = FormRun(SCHEMA, {"identite": [{"name": "id.pdf", "kind": "pdf", "size": 9}]})
    post(run, files={"photos": [png("a.png", RED), png("b.png", GREEN)]})
    assert post(run, files={"photos": [png("c.png", BLUE)]}).is_valid
    assert [d["name"] for d in run.answers["photos"]] == ["a.png", "b.png", "c.png"]
    assert len({d["sha256"] for d in run.answers["photos"]}) == 3


# --- Through the filing pages: the replaced file leaves the storage ---------------------------


@pytest.mark.django_db
def test_the_filing_page_replaces_a_file_and_deletes_the_old_one_from_the_storage(client):
    version = FormVersionFactory(procedure=ProcedureFactory(identification="none"), schema=SCHEMA)
    url = reverse("service_requests:filing_page", args=[version.procedure.slug, "pieces"])

    def answers():
        return client.session[SESSION_KEY][str(version.procedure_id)]["answers"]

    assert client.post(url, {"identite": png("recto.png"), "action": "next"}).status_code == 302
    (old,) = answers()["identite"]
    assert default_storage.exists(old["key"])

    response = client.post(url, {"identite": png("recto-net.png", GREEN), "action": "next"})
    assert response.status_code == 302
    (new,) = answers()["identite"]
    assert new["name"] == "recto-net.png"
    assert default_storage.exists(new["key"])
    assert not default_storage.exists(old["key"])

    # The same photo twice: refused next to the field, 400, nothing more stored.
    response = client.post(
        url,
        {"photos": [png("p1.png", BLUE), png("p2.png", BLUE)], "action": "next"},
    )
    assert response.status_code == 400
    html = unicodedata.normalize("NFC", response.content.decode())
    assert "Vous avez choisi deux fois le même fichier" in html
    assert "photos" not in answers()
    default_storage.delete(new["key"])


# --- The documents a démarche asks for --------------------------------------------------------


def _words(text: str) -> str:
    return re.sub(r"\s+", " ", text.casefold().replace("\u2019", "'")).strip()


def _file_fields(schema: dict) -> list[dict]:
    return [f for page in schema["pages"] for f in page["fields"] if f["type"] == "file"]


@pytest.mark.parametrize(
    "procedure", demo_data.procedures(), ids=lambda procedure: procedure["slug"]
)
def test_every_document_a_demo_procedure_requires_has_its_upload_field(procedure):
    """Each entry of `required_documents` names a file field of the form: its label is in the
    entry (« Extrait Kbis de moins de trois mois (professionnels) » for the field « Extrait
    Kbis de moins de trois mois »)."""
    labels = [_words(f["label"]) for f in _file_fields(procedure["schema"])]
    missing = [
        document
        for document in procedure["required_documents"]
        if not any(label in _words(document) for label in labels)
    ]
    assert not missing, f"no file field for {missing} (file fields: {labels})"


def test_the_grant_asks_for_the_minutes_of_the_last_general_meeting():
    from demo import procedures as demo_forms

    fields = {f["id"]: f for f in _file_fields(demo_forms._SUBVENTION)}
    minutes = next(f for f in fields.values() if "assemblée générale" in f["label"])
    assert minutes.get("required", True) is True
    run = FormRun(demo_forms._SUBVENTION, {"objet": "fonctionnement"})
    assert minutes["id"] in {f["id"] for f in run.visible_fields("pieces")}


@pytest.mark.parametrize(
    ("answers", "asked"),
    [
        ({"type_acte": "naissance", "forme": "copie-integrale", "lien": "enfant"}, True),
        ({"type_acte": "mariage", "forme": "extrait-filiation", "lien": "petit-enfant"}, True),
        ({"type_acte": "naissance", "forme": "copie-integrale", "lien": "soi-meme"}, False),
        ({"type_acte": "naissance", "forme": "copie-integrale", "lien": "parent"}, False),
        # An extract without parents, or a death certificate, is given to whoever asks.
        ({"type_acte": "naissance", "forme": "extrait-sans-filiation", "lien": "enfant"}, False),
        ({"type_acte": "deces", "forme": "copie-integrale", "lien": "enfant"}, False),
    ],
)
def test_the_civil_status_act_asks_the_family_record_book_for_a_parents_act(answers, asked):
    from demo import procedures as demo_forms

    (book,) = [
        f for f in _file_fields(demo_forms._ACTE) if "livret de famille" in _words(f["label"])
    ]
    run = FormRun(demo_forms._ACTE, answers)
    assert (book["id"] in run.visible_field_ids()) is asked
