"""Conditions: each operator on each kind of answer, combined, partly evaluated for the
browser, described in French; and through the engine, on fields and on pages: a hidden field
is neither validated nor stored, even when the POST holds it."""

import pytest

from forms_builder import conditions
from forms_builder.engine import FormRun
from forms_builder.fields import Error

ANSWERS = {
    "nature": "autre",
    "count": 3,
    "amount": "12.50",
    "agreed": False,
    "publics": ["enfants", "familles"],
    "text": "Lampadaire Éteint",
    "blank": "",
    "none": [],
}


def leaf(field, op, value=None):
    condition = {"field": field, "op": op}
    if value is not None:
        condition["value"] = value
    return condition


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        (leaf("nature", "equals", "autre"), True),
        (leaf("nature", "equals", "eclairage"), False),
        (leaf("nature", "not_equals", "eclairage"), True),
        (leaf("nature", "not_equals", "autre"), False),
        (leaf("missing", "not_equals", "autre"), False),  # needs an answer
        (leaf("missing", "equals", "autre"), False),
        (leaf("count", "equals", 3), True),
        (leaf("count", "equals", 3.0), True),
        (leaf("amount", "equals", 12.5), True),  # decimals are stored as strings
        (leaf("amount", "not_equals", 12), True),
        (leaf("agreed", "equals", False), True),
        (leaf("agreed", "equals", True), False),
        (leaf("agreed", "not_empty"), True),  # "no" is an answer
        (leaf("count", "equals", True), False),  # 1 == True in Python, not here
        (leaf("publics", "contains", "familles"), True),
        (leaf("publics", "contains", "seniors"), False),
        (leaf("text", "contains", "éteint"), True),  # ignoring case
        (leaf("text", "contains", "allumé"), False),
        (leaf("missing", "contains", "x"), False),
        (leaf("blank", "empty"), True),
        (leaf("none", "empty"), True),
        (leaf("missing", "empty"), True),
        (leaf("nature", "empty"), False),
        (leaf("nature", "not_empty"), True),
        (leaf("missing", "not_empty"), False),
        ({"all": [leaf("nature", "equals", "autre"), leaf("count", "equals", 3)]}, True),
        ({"all": [leaf("nature", "equals", "autre"), leaf("count", "equals", 4)]}, False),
        ({"any": [leaf("nature", "equals", "x"), leaf("count", "equals", 3)]}, True),
        ({"any": [leaf("nature", "equals", "x"), leaf("count", "equals", 4)]}, False),
        ({"any": [{"all": [leaf("agreed", "equals", False), leaf("blank", "empty")]},
                  leaf("nature", "equals", "x")]}, True),
        (None, True),
    ],
)  # fmt: skip
def test_evaluate(condition, expected):
    assert conditions.evaluate(condition, ANSWERS) is expected


def test_partial_evaluation_leaves_the_page_own_fields_to_the_browser():
    def decided(field_id):
        return field_id != "here"

    here = leaf("here", "equals", "x")
    assert conditions.partial(here, ANSWERS, decided) == here
    assert conditions.partial(leaf("nature", "equals", "autre"), ANSWERS, decided) is True
    mixed_all = {"all": [leaf("nature", "equals", "autre"), here]}
    assert conditions.partial(mixed_all, ANSWERS, decided) == here
    assert (
        conditions.partial({"all": [leaf("count", "equals", 9), here]}, ANSWERS, decided) is False
    )
    assert conditions.partial({"any": [leaf("count", "equals", 3), here]}, ANSWERS, decided) is True
    other = leaf("here", "empty")
    assert conditions.partial(
        {"any": [leaf("count", "equals", 9), here, other]}, ANSWERS, decided
    ) == {"any": [here, other]}


FIELDS = {
    "nature": {"id": "nature", "type": "choice", "label": "Nature",
               "options": [{"value": "autre", "label": "Autre"}]},
    "publics": {"id": "publics", "type": "multichoice", "label": "Publics",
                "options": [{"value": "familles", "label": "Familles"}]},
    "agreed": {"id": "agreed", "type": "yesno", "label": "Déjà aidée"},
    "text": {"id": "text", "type": "text", "label": "Texte"},
}  # fmt: skip


@pytest.mark.parametrize(
    ("condition", "text"),
    [
        (leaf("nature", "equals", "autre"), "vous avez répondu « Autre » à « Nature »"),
        (leaf("nature", "not_equals", "autre"), "votre réponse à « Nature » n'est pas « Autre »"),
        (leaf("publics", "contains", "familles"), "vous avez coché « Familles » à « Publics »"),
        (leaf("text", "contains", "lampe"), "votre réponse à « Texte » contient « lampe »"),
        (leaf("agreed", "equals", True), "vous avez répondu « Oui » à « Déjà aidée »"),
        (leaf("text", "empty"), "vous n'avez pas répondu à « Texte »"),
        ({"all": [leaf("text", "not_empty"), leaf("agreed", "equals", False)]},
         "vous avez répondu à « Texte » et vous avez répondu « Non » à « Déjà aidée »"),
        ({"any": [leaf("text", "empty"), leaf("nature", "equals", "autre")]},
         "vous n'avez pas répondu à « Texte » ou vous avez répondu « Autre » à « Nature »"),
    ],
)  # fmt: skip
def test_describe_in_french(condition, text):
    assert conditions.describe(condition, FIELDS) == text


# --- Through the engine ----------------------------------------------------------------------

SCHEMA = {
    "version": 1,
    "pages": [
        {"id": "probleme", "title": "Le problème", "fields": [
            {"id": "nature", "type": "choice", "label": "Nature", "options": [
                {"value": "eclairage", "label": "Éclairage"},
                {"value": "autre", "label": "Autre"}]},
            {"id": "precision", "type": "text", "label": "Précisez",
             "condition": {"field": "nature", "op": "equals", "value": "autre"}},
            {"id": "urgent", "type": "yesno", "label": "Urgent ?"},
        ]},
        {"id": "danger", "title": "Le danger",
         "condition": {"field": "urgent", "op": "equals", "value": True},
         "fields": [{"id": "danger_description", "type": "textarea", "label": "Le danger"}]},
        {"id": "contact", "title": "Contact", "fields": [
            {"id": "email", "type": "email", "label": "Courriel", "required": False},
            {"id": "rappel", "type": "phone", "label": "Téléphone",
             "condition": {"field": "email", "op": "empty"}},
        ]},
    ],
}  # fmt: skip


def test_a_field_whose_condition_holds_is_validated_and_stored():
    run = FormRun(SCHEMA)
    result = run.validate_page("probleme", {"nature": "autre", "urgent": "non"})
    assert result.errors == {"precision": [Error("Ce champ est obligatoire.")]}
    result = run.validate_page(
        "probleme", {"nature": "autre", "precision": "Banc", "urgent": "non"}
    )
    assert result.is_valid and result.values["precision"] == "Banc"


def test_a_hidden_field_posted_is_neither_validated_nor_stored():
    run = FormRun(SCHEMA)
    post = {"nature": "eclairage", "precision": "x" * 1000, "urgent": "non"}
    result = run.validate_page("probleme", post)
    assert result.is_valid
    assert result.hidden == ["precision"]
    assert "precision" not in result.values and "precision" not in result.raw
    answers = run.apply(result)
    assert "precision" not in answers


def test_a_field_hidden_by_an_answer_of_its_own_page_drops_its_earlier_answer():
    run = FormRun(SCHEMA, {"nature": "autre", "precision": "Banc cassé", "urgent": "non"})
    answers = run.apply(run.validate_page("probleme", {"nature": "eclairage", "urgent": "non"}))
    assert "precision" not in answers


def test_a_hidden_page_posted_is_dropped_and_skipped():
    run = FormRun(SCHEMA, {"nature": "eclairage", "urgent": False})
    assert [page["id"] for page in run.visible_pages()] == ["probleme", "contact"]
    result = run.validate_page("danger", {"danger_description": "Un trou"})
    assert result.is_valid and result.hidden == ["danger_description"] and not result.values
    assert run.next_page_id("probleme") == "contact"
    assert run.progress("contact") == (2, 2)


def test_a_page_shown_by_an_answer_joins_the_progress():
    run = FormRun(SCHEMA, {"nature": "eclairage", "urgent": True})
    assert run.next_page_id("probleme") == "danger"
    assert run.progress("contact") == (3, 3)


def test_answers_of_fields_hidden_later_stay_for_a_change_back_but_are_never_stored():
    run = FormRun(SCHEMA)
    run.apply(run.validate_page("probleme", {"nature": "eclairage", "urgent": "oui"}))
    run.apply(run.validate_page("danger", {"danger_description": "Fils électriques à nu"}))
    run.apply(run.validate_page("contact", {"email": "", "rappel": "0612345678"}))
    assert run.cleaned_data()["danger_description"] == "Fils électriques à nu"

    run.apply(run.validate_page("probleme", {"nature": "eclairage", "urgent": "non"}))
    assert run.answers["danger_description"] == "Fils électriques à nu"
    assert "danger_description" not in run.cleaned_data()
    assert [s.page_id for s in run.summary()] == ["probleme", "contact"]

    run.apply(run.validate_page("probleme", {"nature": "eclairage", "urgent": "oui"}))
    assert run.cleaned_data()["danger_description"] == "Fils électriques à nu"


def test_a_condition_on_an_empty_answer():
    run = FormRun(SCHEMA, {"nature": "eclairage", "urgent": False})
    result = run.validate_page("contact", {"email": "", "rappel": ""})
    assert list(result.errors) == ["rappel"]
    result = run.validate_page("contact", {"email": "a@exemple.fr", "rappel": "pas un numéro"})
    assert result.is_valid and result.hidden == ["rappel"]


def test_stale_answers_of_hidden_fields_do_not_drive_other_conditions():
    schema = {"version": 1, "pages": [{"id": "p", "title": "P", "fields": [
        {"id": "a", "type": "yesno", "label": "A"},
        {"id": "b", "type": "yesno", "label": "B", "condition": leaf("a", "equals", True)},
        {"id": "c", "type": "text", "label": "C", "condition": leaf("b", "equals", True)},
    ]}]}  # fmt: skip
    run = FormRun(schema, {"a": False, "b": True, "c": "reste"})
    assert run.cleaned_data() == {"a": False}
    assert run.validate_page("p", {"a": "non", "b": "oui", "c": "x"}).hidden == ["b", "c"]
