"""The widgets as rendered: labels tied to inputs, hints and errors tied with aria-describedby,
aria-invalid, fieldsets and legends for groups, autocomplete tokens, the error summary's links,
file inputs that state formats and size first and let a phone choose camera or gallery, the
progress and the review page."""

import cssselect2
import pytest
import tinyhtml5
from django.template.loader import render_to_string
from django.test import RequestFactory

from forms_builder.engine import FormRun
from forms_builder.schema import validate_schema

OPTIONS = [{"value": "a", "label": "Première"}, {"value": "b", "label": "Seconde"}]
# One field of every type on one page (the browser test renders it too).
EVERY_TYPE = {
    "version": 1,
    "pages": [
        {"id": "premiere", "title": "Première page", "fields": [
            {"id": "oui_non", "type": "yesno", "label": "Voir la page suivante ?"},
        ]},
        {"id": "tout", "title": "Tous les champs", "fields": [
            {"id": "titre", "type": "section", "label": "Vous", "hint": "Qui vous êtes."},
            {"id": "a_savoir", "type": "info", "label": "À savoir",
             "text": "Premier paragraphe.\n\nSecond paragraphe."},
            {"id": "prenoms", "type": "text", "label": "Prénoms", "prefill": "given_names",
             "hint": "Tous vos prénoms."},
            {"id": "nom", "type": "text", "label": "Nom", "prefill": "family_name"},
            {"id": "naissance", "type": "date", "label": "Date de naissance", "max": "today",
             "prefill": "birth_date"},
            {"id": "courriel", "type": "email", "label": "Courriel", "prefill": "email"},
            {"id": "telephone", "type": "phone", "label": "Téléphone", "prefill": "phone",
             "required": False},
            {"id": "adresse", "type": "address", "label": "Adresse", "prefill": "address"},
            {"id": "message", "type": "textarea", "label": "Message"},
            {"id": "nombre", "type": "integer", "label": "Nombre", "min": 1},
            {"id": "montant", "type": "decimal", "label": "Montant"},
            {"id": "choix", "type": "choice", "label": "Choix", "options": OPTIONS},
            {"id": "precision", "type": "text", "label": "Précisez",
             "condition": {"field": "choix", "op": "equals", "value": "b"}},
            {"id": "liste", "type": "choice", "label": "Liste", "widget": "select",
             "options": OPTIONS},
            {"id": "cases", "type": "multichoice", "label": "Cases", "options": OPTIONS},
            {"id": "accord", "type": "yesno", "label": "D'accord ?"},
            {"id": "siret", "type": "siret", "label": "SIRET"},
            {"id": "siren", "type": "siren", "label": "SIREN", "required": False},
            {"id": "rna", "type": "rna", "label": "RNA"},
            {"id": "iban", "type": "iban", "label": "IBAN"},
            {"id": "photos", "type": "file", "label": "Photos",
             "accept": ["jpeg", "png", "heic"], "max_size_mb": 8, "max_files": 3},
            {"id": "piece", "type": "file", "label": "Pièce", "accept": ["pdf"]},
        ]},
        {"id": "fin", "title": "Dernière page", "fields": [
            {"id": "remarque", "type": "textarea", "label": "Remarque", "required": False},
        ]},
    ],
}  # fmt: skip
INPUT_FIELDS = ["prenoms", "nom", "naissance", "courriel", "telephone", "message", "nombre",
                "montant", "precision", "liste", "siret", "siren", "rna", "iban", "photos",
                "piece"]  # fmt: skip
GROUPS = {"choix": "radio", "cases": "checkbox", "accord": "radio"}


def render_page(run, page_id, result=None):
    request = RequestFactory().get("/demarches/essai/deposer/")
    form_page = run.page_view(page_id, result)
    context = {
        "form_page": form_page,
        "procedure_title": "Essai",
        "steps_left": form_page.total - form_page.number,  # as the filing view gives it
    }
    return render_to_string("forms_builder/page.html", context, request=request)


class Dom:
    def __init__(self, html):
        self.html = html
        self.root = cssselect2.ElementWrapper.from_html_root(
            tinyhtml5.parse(html, namespace_html_elements=False)
        )

    def all(self, selector):
        return [e.etree_element for e in self.root.query_all(selector)]

    def one(self, selector):
        found = self.all(selector)
        assert len(found) == 1, f"{selector}: {len(found)} elements"
        return found[0]

    def text(self, element):
        return " ".join(" ".join(element.itertext()).split())

    def by_id(self, id_):
        return self.one(f'[id="{id_}"]')


@pytest.fixture
def error_page():
    run = FormRun(EVERY_TYPE, {"oui_non": True})
    result = run.validate_page(
        "tout", {"choix": "b", "nombre": "0", "adresse-postcode": "2A000", "courriel": "x@"}
    )
    return Dom(render_page(run, "tout", result)), result


def test_the_schema_is_valid():
    assert validate_schema(EVERY_TYPE) == []


def test_ids_are_unique(error_page):
    dom, _result = error_page
    ids = [e.get("id") for e in dom.all("[id]")]
    assert len(ids) == len(set(ids))


def test_each_input_has_its_label(error_page):
    dom, _result = error_page
    for field_id in INPUT_FIELDS:
        control = dom.by_id(f"field-{field_id}")
        label = dom.one(f'label[for="field-{field_id}"]')
        assert control.tag in {"input", "select", "textarea"}
        assert dom.text(label).startswith(
            next(f["label"] for f in EVERY_TYPE["pages"][1]["fields"] if f["id"] == field_id)
        )
    assert dom.text(dom.one('label[for="field-telephone"]')) == "Téléphone (facultatif)"
    for part, label in (("street", "Numéro et voie"), ("postcode", "Code postal"),
                        ("city", "Commune")):  # fmt: skip
        assert dom.text(dom.one(f'label[for="field-adresse-{part}"]')) == label
        assert dom.by_id(f"field-adresse-{part}").get("name") == f"adresse-{part}"


def test_groups_are_fieldsets_with_a_legend_described_by_their_hint_and_errors(error_page):
    dom, _result = error_page
    for field_id, input_type in GROUPS.items():
        first = dom.by_id(f"field-{field_id}")
        assert first.get("type") == input_type
        fieldset = dom.one(f'fieldset:has([id="field-{field_id}"])')
        legend = fieldset.find("legend")
        assert legend is not None and legend.text.strip()
        radios = [e for e in fieldset.iter("input") if e.get("name") == field_id]
        assert len(radios) == 2
        for radio in radios:
            assert dom.one(f'label[for="{radio.get("id")}"]') is not None
            assert radio.get("aria-invalid") is None  # not an attribute of radio buttons
    address = dom.one('fieldset:has([id="field-adresse-street"])')
    assert dom.text(address.find("legend")) == "Adresse"
    cases = dom.one('fieldset:has([id="field-cases"])')
    assert cases.get("aria-describedby") == "field-cases-error"


def test_aria_describedby_points_to_the_hint_and_the_error(error_page):
    dom, result = error_page
    prenoms = dom.by_id("field-prenoms")
    assert prenoms.get("aria-describedby") == "field-prenoms-hint field-prenoms-error"
    assert dom.text(dom.by_id("field-prenoms-hint")) == "Tous vos prénoms."
    assert dom.text(dom.by_id("field-prenoms-error")) == "Erreur : Ce champ est obligatoire."
    assert prenoms.get("aria-invalid") == "true"
    nombre = dom.by_id("field-nombre")
    assert dom.text(dom.by_id(nombre.get("aria-describedby"))) == (
        "Erreur : Saisissez un nombre supérieur ou égal à 1."
    )
    assert nombre.get("value") == "0"  # what was typed, to correct it
    postcode = dom.by_id("field-adresse-postcode")
    assert postcode.get("aria-invalid") == "true"
    assert dom.text(dom.by_id(postcode.get("aria-describedby"))).startswith(
        "Erreur : En Corse, le code postal commence par 20"
    )
    # Every reference resolves, and valid inputs are not marked invalid.
    for element in dom.all("[aria-describedby]"):
        for id_ in element.get("aria-describedby").split():
            dom.by_id(id_)
    telephone = dom.by_id("field-telephone")
    assert telephone.get("aria-invalid") is None and telephone.get("aria-describedby") is None
    assert len(dom.all('[aria-invalid="true"]')) == sum(
        len(errors) if field_id == "adresse" else 1
        for field_id, errors in result.errors.items()
        if field_id not in GROUPS
    )


def test_the_error_summary_comes_first_and_links_to_each_field(error_page):
    dom, result = error_page
    summary = dom.one(".error-summary")
    assert summary.get("role") == "alert" and summary.get("tabindex") == "-1"
    assert summary.get("autofocus") is not None
    count = sum(len(errors) for errors in result.errors.values())
    assert dom.text(summary.find("h2")) == f"Le formulaire contient {count} erreurs"
    links = summary.findall(".//a")
    assert len(links) == count
    for link in links:
        target = dom.by_id(link.get("href").removeprefix("#"))
        assert target.tag in {"input", "select", "textarea"}
    hrefs = [link.get("href") for link in links]
    assert hrefs[:3] == ["#field-prenoms", "#field-nom", "#field-naissance"]
    assert "#field-adresse-postcode" in hrefs and "#field-choix" not in hrefs
    assert "#field-precision" in hrefs  # « b » chosen: the precision is required
    title = dom.one("title").text
    assert title.startswith("Erreur : Tous les champs \N{EN DASH} Étape 2 \N{EN DASH} Essai")
    body_order = dom.html.index("error-summary"), dom.html.index("<form")
    assert body_order[0] < body_order[1]


def test_autocomplete_tokens_say_what_each_input_is(error_page):
    dom, _result = error_page
    tokens = {
        "field-prenoms": "given-name", "field-nom": "family-name", "field-naissance": "bday",
        "field-courriel": "email", "field-telephone": "tel",
        "field-adresse-street": "address-line1", "field-adresse-postcode": "postal-code",
        "field-adresse-city": "address-level2", "field-siret": "off", "field-iban": "off",
    }  # fmt: skip
    for id_, token in tokens.items():
        assert dom.by_id(id_).get("autocomplete") == token, id_
    assert dom.by_id("field-courriel").get("type") == "email"
    assert dom.by_id("field-telephone").get("type") == "tel"
    assert dom.by_id("field-naissance").get("type") == "date"
    assert dom.by_id("field-naissance").get("max")  # today, for the picker
    assert dom.by_id("field-nombre").get("inputmode") == "numeric"
    assert dom.by_id("field-montant").get("inputmode") == "decimal"
    assert dom.by_id("field-adresse-postcode").get("inputmode") == "numeric"


def test_file_inputs_state_formats_and_size_before_upload_and_do_not_force_the_camera(error_page):
    dom, _result = error_page
    photos = dom.by_id("field-photos")
    assert photos.get("type") == "file"
    accept = photos.get("accept").split(",")
    assert {".jpg", ".jpeg", ".png", ".heic", "image/jpeg", "image/png", "image/heic"} <= set(
        accept
    )
    assert ".pdf" not in accept
    assert photos.get("multiple") is not None
    assert photos.get("capture") is None
    rules = dom.by_id("field-photos-rules")
    assert dom.text(rules) == (
        "Formats acceptés : JPEG, PNG, HEIC. Taille maximale : 8 Mo par fichier. "
        "Vous pouvez joindre jusqu'à 3 fichiers."
    )
    assert "field-photos-rules" in photos.get("aria-describedby").split()
    assert dom.html.index('id="field-photos-rules"') < dom.html.index('id="field-photos"')
    piece = dom.by_id("field-piece")
    assert piece.get("accept") == ".pdf,application/pdf" and piece.get("multiple") is None
    assert dom.text(dom.by_id("field-piece-rules")) == (
        "Formats acceptés : PDF. Taille maximale : 10 Mo par fichier."
    )
    assert dom.one("form").get("enctype") == "multipart/form-data"


def test_files_already_sent_can_be_removed():
    run = FormRun(EVERY_TYPE, {"photos": [{"name": "a.jpg", "kind": "jpeg", "size": 2048}]})
    dom = Dom(render_page(run, "tout"))
    box = dom.by_id("field-photos-remove-1")
    assert (box.get("type"), box.get("name"), box.get("value")) == (
        "checkbox", "photos-remove", "0"
    )  # fmt: skip
    assert dom.text(dom.one('label[for="field-photos-remove-1"]')) == "Retirer a.jpg (2 Ko)"


def test_progress_buttons_and_conditional_field(error_page):
    dom, _result = error_page
    assert dom.text(dom.one(".form-progress")) == (
        "Étape 2 · encore 1 étape avant la vérification de vos réponses"
    )
    assert dom.text(dom.one("h1")) == "Tous les champs"
    buttons = dom.all("form button")
    assert [(b.get("name"), b.get("value"), dom.text(b)) for b in buttons] == [
        ("action", "next", "Continuer"),  # first: the Enter key continues
        ("action", "previous", "Étape précédente"),
    ]
    wrapper = dom.one('[data-condition]:has([id="field-precision"])')
    assert wrapper.get("data-condition") == '{"field": "choix", "op": "equals", "value": "b"}'
    assert dom.text(dom.by_id("field-precision-condition")) == (
        "À remplir seulement si vous avez répondu « Seconde » à « Choix »."
    )
    assert "form[data-form-page]" in dom.text(dom.one("script"))


def test_first_and_last_pages():
    run = FormRun(EVERY_TYPE, {"oui_non": True})
    dom = Dom(render_page(run, "premiere"))
    assert [b.get("value") for b in dom.all("form button")] == ["next"]
    assert not dom.all(".error-summary")
    assert not dom.all("[data-condition]")
    dom = Dom(render_page(run, "fin"))
    assert [dom.text(b) for b in dom.all("form button")] == [
        "Vérifier mes réponses", "Étape précédente"
    ]  # fmt: skip
    assert dom.text(dom.one(".form-progress")) == (
        "Étape 3 · dernière étape avant la vérification de vos réponses"
    )


def test_a_condition_on_an_earlier_page_is_decided_by_the_server():
    schema = {"version": 1, "pages": [
        EVERY_TYPE["pages"][0],
        {"id": "p", "title": "P", "fields": [
            {"id": "toujours", "type": "text", "label": "Toujours"},
            {"id": "si_oui", "type": "text", "label": "Si oui",
             "condition": {"field": "oui_non", "op": "equals", "value": True}}]},
    ]}  # fmt: skip
    dom = Dom(render_page(FormRun(schema, {"oui_non": False}), "p"))
    assert not dom.all('[id="field-si_oui"]')
    dom = Dom(render_page(FormRun(schema, {"oui_non": True}), "p"))
    assert dom.by_id("field-si_oui") is not None and not dom.all("[data-condition]")


def test_static_content_and_the_select_list():
    dom = Dom(render_page(FormRun(EVERY_TYPE), "tout"))
    assert dom.text(dom.one("h2.form-section")) == "Vous"
    assert [dom.text(p) for p in dom.all(".field--info p")] == [
        "À savoir", "Premier paragraphe.", "Second paragraphe."
    ]  # fmt: skip
    options = dom.all('[id="field-liste"] option')
    assert [(o.get("value"), dom.text(o)) for o in options] == [
        ("", "Choisissez dans la liste"), ("a", "Première"), ("b", "Seconde")
    ]  # fmt: skip


def test_franceconnect_fields_are_read_only_and_say_why():
    run = FormRun(
        EVERY_TYPE,
        profile={"given_names": "Jean-Baptiste", "family_name": "Morin", "email": "jb@exemple.fr"},
        locked={"given_names", "family_name"},
    )
    dom = Dom(render_page(run, "tout"))
    prenoms = dom.by_id("field-prenoms")
    assert prenoms.get("readonly") is not None and prenoms.get("value") == "Jean-Baptiste"
    assert dom.text(dom.by_id("field-prenoms-locked")) == (
        "Donnée transmise par FranceConnect : elle ne peut pas être modifiée ici."
    )
    assert prenoms.get("aria-describedby") == "field-prenoms-hint field-prenoms-locked"
    assert dom.by_id("field-courriel").get("readonly") is None


def test_the_review_page_lists_answers_per_page_with_a_link_to_change_them():
    run = FormRun(EVERY_TYPE, {"oui_non": True, "nombre": 1200, "cases": ["a", "b"],
                               "adresse": {"street": "1 rue A", "postcode": "75001",
                                           "city": "Paris"}})  # fmt: skip
    sections = run.summary(edit_url=lambda page_id: f"/deposer/{page_id}/")
    html = render_to_string(
        "forms_builder/review.html",
        {"sections": sections, "procedure_title": "Essai"},
        request=RequestFactory().get("/"),
    )
    dom = Dom(html)
    assert dom.text(dom.one("h1")) == "Vérifiez vos réponses"
    assert [dom.text(h) for h in dom.all("section h2")] == [
        "Première page", "Tous les champs", "Dernière page"
    ]  # fmt: skip
    links = dom.all("section a")
    assert [(a.get("href"), dom.text(a)) for a in links] == [
        ("/deposer/premiere/", "Modifier : Première page"),
        ("/deposer/tout/", "Modifier : Tous les champs"),
        ("/deposer/fin/", "Modifier : Dernière page"),
    ]
    rows = {
        dom.text(row.find("dt")): dom.text(row.find("dd")) for row in dom.all(".review-list__row")
    }
    assert rows["Voir la page suivante ?"] == "Oui"
    assert rows["Nombre"] == "1 200"  # text() folds the non-breaking space
    assert rows["Cases"] == "Première Seconde"
    assert rows["Adresse"] == "1 rue A 75001 Paris"
    assert rows["Remarque"] == "Non renseigné"
    assert "Précisez" not in rows and "À savoir" not in rows and "Vous" not in rows
    assert dom.one('form button[value="submit"]') is not None


def test_summary_links_name_the_field_they_lead_to(error_page):
    dom, _result = error_page
    texts = [dom.text(a) for a in dom.all(".error-summary a")]
    assert texts[:2] == ["Prénoms : ce champ est obligatoire.", "Nom : ce champ est obligatoire."]
    assert (
        "Adresse (code postal) : en Corse, le code postal commence par 20, par exemple 20000 "
        "pour Ajaccio."
    ) in texts
    assert len(texts) == len(set(texts))
