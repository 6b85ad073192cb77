"""Cross-field rules: a date or a number bounded by another field's answer (« Dernier jour » on
or after « Premier jour », « Montant demandé » at most « Budget total »), and a date at least N
days after the authority's today. Declared on the field's `min` / `max`, refused by
`validate_schema` when they cannot hold, checked when the page is posted and again at
submission, the French message next to the field and in the error summary."""

import datetime as dt
from html import unescape

import pytest
import time_machine

from demo import procedures as demo_forms
from forms_builder.engine import FormRun, IncompleteForm
from forms_builder.fields import Error
from forms_builder.schema import validate_schema

UTC = dt.UTC


def date(id_, label, **extra):
    return {"id": id_, "type": "date", "label": label, **extra}


def integer(id_, label, **extra):
    return {"id": id_, "type": "integer", "label": label, **extra}


def page(id_, *fields, **extra):
    return {"id": id_, "title": id_.title(), "fields": list(fields), **extra}


def schema(*pages):
    return {"version": 1, "pages": list(pages)}


PERIODE = schema(
    page(
        "periode",
        date("date_debut", "Premier jour"),
        date("date_fin", "Dernier jour", min={"field": "date_debut"}),
        date("retour", "Retour du matériel", required=False,
             min={"field": "date_fin", "days": 1}, max={"field": "date_fin", "days": 7}),
    ),
)  # fmt: skip

BUDGET = schema(
    page("budget", integer("budget_total", "Budget total (€)", min=0),
         {"id": "apport", "type": "decimal", "label": "Apport (€)", "required": False,
          "max": {"field": "budget_total"}}),
    page("aide", integer("montant_demande", "Montant demandé (€)", min=1,
                         max={"field": "budget_total"}),
         integer("part_ville", "Part de la ville (€)", required=False,
                 min={"field": "montant_demande"})),
)  # fmt: skip


# --- The schema -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "bounded",
    [
        PERIODE,
        BUDGET,
        # A decimal bounded by an integer, a bound on a field later on the same page.
        schema(page("p", {"id": "a", "type": "decimal", "label": "A", "max": {"field": "b"}},
                    integer("b", "B"))),
        schema(page("p", date("a", "A", min="today+21", max={"field": "b", "days": -1}),
                    date("b", "B", min="today"))),
    ],
)  # fmt: skip
def test_bounds_given_by_another_field_are_valid(bounded):
    assert validate_schema(bounded) == []


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ([date("a", "A", min={"field": "inconnu"})],
         "Page « p », champ « a » : « min » porte sur un champ inconnu « inconnu »."),
        ([date("a", "A", min={"field": "a"})],
         "Page « p », champ « a » : « min » ne peut pas porter sur le champ lui-même."),
        ([integer("n", "N"), date("a", "A", min={"field": "n"})],
         "Page « p », champ « a » : « min » porte sur « n », un champ « integer » : une date "
         "se compare à une autre date."),
        ([date("d", "D"), integer("a", "A", max={"field": "d"})],
         "Page « p », champ « a » : « max » porte sur « d », un champ « date » : un nombre se "
         "compare à un autre nombre (« integer » ou « decimal »)."),
        ([{"id": "t", "type": "text", "label": "T"}, integer("a", "A", max={"field": "t"})],
         "Page « p », champ « a » : « max » porte sur « t », un champ « text » : un nombre se "
         "compare à un autre nombre (« integer » ou « decimal »)."),
        ([date("a", "A", min={"champ": "b"}), date("b", "B")],
         "Page « p », champ « a » : « min » : une borne donnée par un autre champ s'écrit "
         "{\"field\": \"<identifiant>\"}, avec pour une date un décalage « days » en jours."),
        ([date("a", "A", min={"field": "b", "days": "7"}), date("b", "B")],
         "Page « p », champ « a » : « days » doit être un nombre entier de jours, entre -3660 "
         "et 3660."),
        ([integer("a", "A", max={"field": "b", "days": 1}), integer("b", "B")],
         "Page « p », champ « a » : « days » ne s'applique qu'à une date."),
        ([date("a", "A", min="today+x")],
         "Page « p », champ « a » : « min » doit être une date AAAA-MM-JJ, « today », "
         "« today+N », « today-N » ou un autre champ {\"field\": \"<identifiant>\"}."),
    ],
)  # fmt: skip
def test_a_bound_on_another_field_that_cannot_hold_is_refused(fields, error):
    assert validate_schema(schema(page("p", *fields))) == [error]


def test_a_bound_on_a_field_of_a_later_page_is_refused():
    later = schema(
        page("p", date("a", "A", max={"field": "b"})),
        page("q", date("b", "B")),
    )
    assert validate_schema(later) == [
        "Page « p », champ « a » : « max » porte sur « b », demandé sur une page suivante : une "
        "borne ne peut dépendre que d'un champ de la même page ou d'une page précédente."
    ]


# --- A page -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("post", "errors"),
    [
        ({"date_debut": "2027-01-12", "date_fin": "2027-01-12"}, {}),
        ({"date_debut": "2027-01-12", "date_fin": "2027-01-20"}, {}),
        ({"date_debut": "2027-01-12", "date_fin": "2027-01-11"},
         {"date_fin": ["La date ne peut pas être avant « Premier jour » (le 12 janvier 2027)."]}),
        # The other answer invalid or missing: only its own error, no rule to compare with.
        ({"date_debut": "2027-02-30", "date_fin": "2027-01-11"},
         {"date_debut": ["Saisissez une date valide, par exemple 14/03/2024."]}),
        ({"date_debut": "", "date_fin": "2027-01-11"}, {"date_debut": ["Indiquez une date."]}),
        # A margin in days, on both sides.
        ({"date_debut": "2027-01-12", "date_fin": "2027-01-20", "retour": "2027-01-21"}, {}),
        ({"date_debut": "2027-01-12", "date_fin": "2027-01-20", "retour": "2027-01-27"}, {}),
        ({"date_debut": "2027-01-12", "date_fin": "2027-01-20", "retour": "2027-01-20"},
         {"retour": ["La date doit être le 21 janvier 2027 ou après : au moins 1 jour après "
                     "« Dernier jour »."]}),
        ({"date_debut": "2027-01-12", "date_fin": "2027-01-20", "retour": "2027-01-28"},
         {"retour": ["La date doit être le 27 janvier 2027 ou avant : au plus 7 jours après "
                     "« Dernier jour »."]}),
    ],
)  # fmt: skip
def test_dates_bounded_by_another_date_of_the_page(post, errors):
    run = FormRun(PERIODE)
    result = run.validate_page("periode", post)
    assert {field: [e.message for e in errs] for field, errs in result.errors.items()} == errors
    answers = run.apply(result)
    if "date_fin" in errors:  # refused: not stored
        assert "date_fin" not in answers


@pytest.mark.parametrize(
    ("budget", "apport", "errors"),
    [
        ("4 200", "4200", {}),
        ("4 200", "4200,00", {}),
        (
            "4 200",
            "4200,01",
            {
                "apport": [
                    "Saisissez un nombre inférieur ou égal à « Budget total (€) » (4\xa0200)."
                ]
            },
        ),
        ("", "12", {"budget_total": ["Ce champ est obligatoire."]}),
    ],
)
def test_a_decimal_bounded_by_an_integer_of_the_page(budget, apport, errors):
    result = FormRun(BUDGET).validate_page("budget", {"budget_total": budget, "apport": apport})
    assert {field: [e.message for e in errs] for field, errs in result.errors.items()} == errors


@pytest.mark.parametrize(
    ("montant", "part_ville", "errors"),
    [
        ("1500", "", {}),
        ("4200", "4200", {}),
        ("4201", "", {"montant_demande": [
            "Saisissez un nombre inférieur ou égal à « Budget total (€) » (4\xa0200)."]}),
        ("1500", "1499", {"part_ville": [
            "Saisissez un nombre supérieur ou égal à « Montant demandé (€) » (1\xa0500)."]}),
    ],
)  # fmt: skip
def test_a_number_bounded_by_an_answer_of_an_earlier_page(montant, part_ville, errors):
    run = FormRun(BUDGET, {"budget_total": 4200})
    result = run.validate_page("aide", {"montant_demande": montant, "part_ville": part_ville})
    assert {field: [e.message for e in errs] for field, errs in result.errors.items()} == errors


def test_the_message_is_next_to_the_field_and_in_the_error_summary():
    run = FormRun(PERIODE)
    result = run.validate_page("periode", {"date_debut": "2027-01-12", "date_fin": "2027-01-11"})
    view = run.page_view("periode", result)
    fields = {f.id: f for f in view.fields}
    assert fields["date_fin"].field_errors == [
        "La date ne peut pas être avant « Premier jour » (le 12 janvier 2027)."
    ]
    assert fields["date_fin"].value == "2027-01-11"  # as typed, to correct
    assert "field-date_fin-error" in fields["date_fin"].describedby
    assert view.error_summary[0].message == (
        "Dernier jour : la date ne peut pas être avant « Premier jour » (le 12 janvier 2027)."
    )
    assert view.error_summary[0].target == "field-date_fin"


def test_the_rule_is_said_before_it_is_broken():
    fields = {f.id: f for f in FormRun(PERIODE).page_view("periode").fields}
    assert fields["date_fin"].notes == [
        {"id": "field-date_fin-bounds", "text": "Le même jour que « Premier jour » ou après."}
    ]
    assert "field-date_fin-bounds" in fields["date_fin"].describedby
    assert fields["retour"].notes[0]["text"] == (
        "Au moins 1 jour après « Dernier jour ». Au plus 7 jours après « Dernier jour »."
    )
    fields = {f.id: f for f in FormRun(BUDGET).page_view("aide").fields}
    assert fields["montant_demande"].notes[0]["text"] == (
        "Au plus votre réponse à « Budget total (€) »."
    )


# --- The whole form: an earlier answer changed ------------------------------------------------


def test_changing_an_earlier_answer_breaks_the_rule_at_the_review_and_at_submission():
    run = FormRun(BUDGET)
    run.apply(run.validate_page("budget", {"budget_total": "4200"}))
    run.apply(run.validate_page("aide", {"montant_demande": "1500"}))
    assert run.errors() == {}
    # Back on the first page, the budget goes down: that page is right, the next one is not.
    result = run.validate_page("budget", {"budget_total": "1000"})
    assert result.is_valid
    run.apply(result)
    message = "Saisissez un nombre inférieur ou égal à « Budget total (€) » (1\xa0000)."
    assert run.errors() == {"aide": {"montant_demande": [Error(message)]}}
    assert run.first_invalid_page_id() == "aide"
    with pytest.raises(IncompleteForm) as refused:
        run.cleaned_data()
    assert refused.value.errors == {"aide": {"montant_demande": [Error(message)]}}
    # The page the review sends back to says why, before anything is posted again.
    view = run.page_view("aide")
    fields = {f.id: f for f in view.fields}
    assert fields["montant_demande"].field_errors == [message]
    assert fields["montant_demande"].value == "1500"
    assert [e.message for e in view.error_summary] == [
        f"Montant demandé (€) : {message[:1].lower()}{message[1:]}"
    ]


def test_a_rule_on_a_hidden_or_unanswered_field_holds():
    hidden = schema(
        page("p", {"id": "projet", "type": "yesno", "label": "Un projet ?"},
             date("debut", "Début", condition={"field": "projet", "op": "equals", "value": True}),
             date("fin", "Fin", min={"field": "debut"})),
    )  # fmt: skip
    run = FormRun(hidden)
    result = run.validate_page("p", {"projet": "non", "debut": "2027-01-12", "fin": "2027-01-01"})
    assert result.is_valid, result.errors
    run.apply(result)
    assert run.cleaned_data() == {"projet": False, "fin": "2027-01-01"}


# --- At least N days after the authority's today ----------------------------------------------


@pytest.mark.parametrize(
    ("now_utc", "typed", "error"),
    [
        # 22:30 UTC on 6 December is 23:30 in Paris: today is the 6th, the 27th is 21 days on.
        (dt.datetime(2026, 12, 6, 22, 30, tzinfo=UTC), "2026-12-27", None),
        (dt.datetime(2026, 12, 6, 22, 30, tzinfo=UTC), "2026-12-26",
         "La date doit être au moins 21 jours après aujourd'hui, soit le 27 décembre 2026 ou "
         "après."),
        # 23:30 UTC is already the 7th in Paris (while still the 6th in UTC).
        (dt.datetime(2026, 12, 6, 23, 30, tzinfo=UTC), "2026-12-27",
         "La date doit être au moins 21 jours après aujourd'hui, soit le 28 décembre 2026 ou "
         "après."),
        (dt.datetime(2026, 12, 6, 23, 30, tzinfo=UTC), "2026-12-28", None),
        # Summer time: 22:30 UTC on 30 June is 00:30 on 1 July in Paris.
        (dt.datetime(2026, 6, 30, 22, 30, tzinfo=UTC), "2026-07-21",
         "La date doit être au moins 21 jours après aujourd'hui, soit le 22 juillet 2026 ou "
         "après."),
        (dt.datetime(2026, 6, 30, 21, 30, tzinfo=UTC), "2026-07-21", None),
    ],
)  # fmt: skip
def test_the_road_permit_starts_at_least_three_weeks_after_the_authoritys_today(
    now_utc, typed, error
):
    with time_machine.travel(now_utc, tick=False):
        run = FormRun(demo_forms._OCCUPATION, {"qualite": "particulier"})
        post = {"type": "benne", "adresse-street": "5 rue du Moulin", "adresse-postcode": "00000",
                "adresse-city": "Démo", "date_debut": typed, "date_fin": typed,
                "surface_m2": "10"}  # fmt: skip
        result = run.validate_page("occupation", post)
    errors = [e.message for e in result.errors.get("date_debut", [])]
    assert errors == ([error] if error else [])


def test_a_start_date_valid_when_typed_is_refused_at_submission_once_too_close():
    with time_machine.travel(dt.datetime(2026, 12, 6, 10, tzinfo=UTC), tick=False):
        run = FormRun(PERMIT := schema(page("p", date("debut", "Premier jour", min="today+21"))))
        run.apply(run.validate_page("p", {"debut": "2026-12-27"}))
        assert run.errors() == {}
    with time_machine.travel(dt.datetime(2026, 12, 7, 10, tzinfo=UTC), tick=False):
        assert FormRun(PERMIT, run.answers).first_invalid_page_id() == "p"


# --- The demo démarches -----------------------------------------------------------------------


OCCUPATION_PAGE = {
    "type": "benne",
    "adresse-street": "5 rue du Moulin",
    "adresse-postcode": "00000",
    "adresse-city": "Démo",
    "surface_m2": "10",
}


@pytest.mark.parametrize(
    ("debut", "fin", "errors"),
    [
        ("2027-01-12", "2027-01-12", {}),
        ("2027-01-12", "2027-01-31", {}),
        ("2027-01-12", "2027-01-10",
         {"date_fin": ["La date ne peut pas être avant « Premier jour » (le 12 janvier 2027)."]}),
        ("2026-12-20", "2027-01-10",
         {"date_debut": ["La date doit être au moins 21 jours après aujourd'hui, soit le 27 "
                         "décembre 2026 ou après."]}),
    ],
)  # fmt: skip
def test_the_demo_road_permit_dates(debut, fin, errors):
    with time_machine.travel(dt.datetime(2026, 12, 6, 12, tzinfo=UTC), tick=False):
        run = FormRun(demo_forms._OCCUPATION, {"qualite": "particulier"})
        result = run.validate_page(
            "occupation", {**OCCUPATION_PAGE, "date_debut": debut, "date_fin": fin}
        )
    assert {field: [e.message for e in errs] for field, errs in result.errors.items()} == errors


@pytest.mark.parametrize(
    ("budget", "montant", "errors"),
    [
        ("4200", "1500", {}),
        ("4200", "4200", {}),
        ("4200", "4300", {"montant_demande": [
            "Saisissez un nombre inférieur ou égal à « Budget total (€) » (4\xa0200)."]}),
    ],
)  # fmt: skip
def test_the_demo_grant_asks_no_more_than_the_budget(budget, montant, errors):
    run = FormRun(demo_forms._SUBVENTION, {"objet": "fonctionnement"})
    post = {"objet": "fonctionnement", "description": "Nos activités de l'année.",
            "public_vise": ["tous"], "budget_total": budget, "montant_demande": montant,
            "deja_aidee": "non"}  # fmt: skip
    result = run.validate_page("projet", post)
    assert {field: [e.message for e in errs] for field, errs in result.errors.items()} == errors


# --- A refused answer kept aside, checked again -----------------------------------------------


def test_an_answer_refused_by_a_rule_is_checked_again_against_the_answers_of_now():
    run = FormRun(PERIODE, {"date_debut": "2027-01-12"})
    result = run.recheck("periode", {"date_fin": "2027-01-10"})
    assert result.raw == {"date_fin": "2027-01-10"}
    assert [e.message for e in result.errors["date_fin"]] == [
        "La date ne peut pas être avant « Premier jour » (le 12 janvier 2027)."
    ]
    # « Premier jour » moved earlier since: the date kept aside now holds.
    assert (
        FormRun(PERIODE, {"date_debut": "2027-01-02"})
        .recheck("periode", {"date_fin": "2027-01-10"})
        .is_valid
    )


# --- Through the filing pages -----------------------------------------------------------------


@pytest.fixture
def filing(client):
    from django.urls import reverse

    from tests.factories import FormVersionFactory, ProcedureFactory

    def start(schema):
        version = FormVersionFactory(
            procedure=ProcedureFactory(identification="none"), schema=schema
        )
        slug = version.procedure.slug

        def url(page_id):
            if page_id == "verification":
                return reverse("service_requests:filing_review", args=[slug])
            return reverse("service_requests:filing_page", args=[slug, page_id])

        return url

    return start


def _html(response) -> str:
    return unescape(response.content.decode())


@pytest.mark.django_db
def test_the_filing_page_refuses_a_broken_rule_next_to_the_field_and_says_it_again(client, filing):
    url = filing(PERIODE)
    post = {"date_debut": "2027-01-12", "date_fin": "2027-01-10", "action": "next"}
    message = "La date ne peut pas être avant « Premier jour » (le 12 janvier 2027)."
    response = client.post(url("periode"), post)
    assert response.status_code == 400
    html = _html(response)
    assert message in html  # next to the field
    assert f"Dernier jour : {message[:1].lower()}{message[1:]}" in html  # in the summary
    # Back later: the date typed is there again, with why it is refused.
    html = _html(client.get(url("periode")))
    assert 'value="2027-01-10"' in html and message in html


@pytest.mark.django_db
def test_the_review_sends_back_to_a_page_whose_rule_an_earlier_change_broke(client, filing):
    url = filing(BUDGET)
    assert client.post(url("budget"), {"budget_total": "4200", "action": "next"}).status_code == 302
    response = client.post(url("aide"), {"montant_demande": "1500", "action": "next"})
    assert response["Location"] == url("verification")
    assert client.get(url("verification")).status_code == 200
    # The budget goes down on the first page: the page itself is right…
    response = client.post(url("budget"), {"budget_total": "1000", "action": "next"})
    assert response["Location"] == url("aide")
    # …but the review sends back to the amount, which says why.
    assert client.get(url("verification"))["Location"] == url("aide")
    html = _html(client.get(url("aide")))
    assert "Saisissez un nombre inférieur ou égal à « Budget total (€) » (1\xa0000)." in html
    assert 'value="1500"' in html


@pytest.mark.parametrize(
    ("montant", "remise", "errors"),
    [
        ("84,60", "84,60", {}),
        ("84,60", "20", {}),
        ("84,60", "84,61", {"montant_remise": [
            "Saisissez un nombre inférieur ou égal à « Montant de la facture (€) » (84,60)."]}),
    ],
)  # fmt: skip
def test_the_demo_waiver_asks_no_more_than_the_bill(montant, remise, errors):
    post = {"nature_facture": "cantine", "reference_facture": "2026-CAN-004127",
            "titulaire": "Karine Vidal", "montant": montant, "remise_totale": "non",
            "montant_remise": remise}  # fmt: skip
    result = FormRun(demo_forms._REMISE).validate_page("facture", post)
    assert {field: [e.message for e in errs] for field, errs in result.errors.items()} == errors


@pytest.mark.parametrize(
    ("debut", "fin", "refused"),
    [("2027-06-20", "2027-06-20", False), ("2027-06-20", "2027-06-19", True)],
)
def test_the_demo_drinks_stall_ends_on_or_after_its_first_day(debut, fin, refused):
    post = {"nature_evenement": "fete", "nom_evenement": "Fête des jardins",
            "lieu-street": "8 allée des Jardins", "lieu-postcode": "00000", "lieu-city": "Démo",
            "date_debut": debut, "date_fin": fin, "horaires": "de 11 h à 19 h"}  # fmt: skip
    result = FormRun(demo_forms._BUVETTE).validate_page("evenement", post)
    assert list(result.errors) == (["date_fin"] if refused else [])
