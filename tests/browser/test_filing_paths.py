"""Every published demo démarche filed in Chromium along its shortest path, counting the HTTP
requests from the form page to the confirmation (issue 12, item 5): the documents the browser
loads (each page, each form POST and the page its redirect leads to) and any other POST (the
script that saves a page left by a link must stay silent on this path). Anonymously where the
procedure allows it, signed in otherwise. Every page of the path is held to every axe-core
rule at 1280 and 390 px.

The counts are printed (`pytest -s`) and recorded in bench/README.md (« Requêtes HTTP d'un
dépôt »). The shortest path answers only what is required and, where a choice adds a page,
takes the choice that adds none (SHORTEST); a démarche added to the demo is filed with its
first options."""

import datetime

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from demo.procedures import procedures as demo_procedures
from forms_builder.models import Procedure
from gru.celery import app
from service_requests.models import ServiceRequest, Status
from tests.factories import CitizenFactory, UserFactory
from tests.service_requests.test_submit import demo_version, jpeg_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Choices that keep a form short (no page, no field added); otherwise the first option.
SHORTEST = {
    "acte-etat-civil": {"type_acte": "deces", "lien": "soi-meme"},
    "occupation-domaine-public": {"qualite": "particulier"},
    "subvention-association": {"objet": "fonctionnement", "deja_aidee": "non"},
    "demande-information": {"canal_reponse": "email"},
}
# What the issue asks at most: one page of answers, the review and the contact step.
AT_MOST_ONE_PAGE = ("signalement-voirie", "demande-information")
PDF = b"%PDF-1.7\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
FILES = {"pdf": ("piece.pdf", "application/pdf", PDF)}
COUNTS: dict[str, dict] = {}


@pytest.fixture(autouse=True)
def _inline_tasks():
    conf = app.conf
    saved = conf.task_always_eager, conf.task_eager_propagates
    conf.task_always_eager, conf.task_eager_propagates = True, True
    yield
    conf.task_always_eager, conf.task_eager_propagates = saved


def published_slugs() -> list[str]:
    return [p["slug"] for p in demo_procedures() if p["is_published"]]


def _value(field: dict, slug: str):
    chosen = SHORTEST.get(slug, {})
    kind = field["type"]
    if field["id"] in chosen:
        return chosen[field["id"]]
    if kind in ("choice", "multichoice"):
        return field["options"][0]["value"]
    if kind == "yesno":
        return "non"
    if kind == "date":
        if field.get("max") == "today":
            return "2000-01-01"
        return (datetime.date.today() + datetime.timedelta(days=90)).isoformat()
    if kind == "integer":
        low = field.get("min")
        return str(max(low, 1) if isinstance(low, int) else 1)
    if kind == "decimal":
        return "10"
    return {
        "email": "usager@exemple.fr",
        "phone": "06 12 34 56 78",
        "siret": "732 829 320 00074",
        "siren": "732 829 320",
        "rna": "W751234567",
        "iban": "FR76 3000 6000 0112 3456 7890 189",
    }.get(kind, "Réponse de démonstration")


def fill_page(page, fields: list[dict], slug: str) -> None:
    """Answer the required fields the page shows, in order (a choice may show the next)."""
    for field in fields:
        kind, name = field["type"], field["id"]
        if kind in ("info", "section") or not field.get("required", True):
            continue
        first = page.locator(f'[name="{name}"], [name="{name}-street"]').first
        if not first.count() or not first.is_visible():
            continue  # hidden by a condition on the page
        value = _value(field, slug)
        if kind in ("choice", "yesno") and field.get("widget") == "select":
            page.locator(f'select[name="{name}"]').select_option(value)
        elif kind in ("choice", "yesno", "multichoice"):
            page.locator(f'input[name="{name}"][value="{value}"]').check()
        elif kind == "address":
            page.locator(f'[name="{name}-street"]').fill("12 rue de la République")
            page.locator(f'[name="{name}-postcode"]').fill("00000")
            page.locator(f'[name="{name}-city"]').fill("Démo")
        elif kind == "file":
            accept = field.get("accept") or ["pdf"]
            jpeg = ("photo.jpg", "image/jpeg", jpeg_bytes())
            upload = FILES["pdf"] if "pdf" in accept else jpeg
            page.set_input_files(
                f"#field-{name}",
                files=[{"name": upload[0], "mimeType": upload[1], "buffer": upload[2]}],
            )
        else:
            page.locator(f'[name="{name}"]').fill(value)


def sign_in(page, live_server) -> None:
    """A citizen signed in through a session made as Django's login makes it."""
    user = UserFactory(first_name="Hélène", last_name="Garnier", email="helene@exemple.fr")
    CitizenFactory(user=user, given_names="Hélène", family_name="Garnier", email=user.email)
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
    )


def click_and_wait(page, name: str, role: str = "button") -> None:
    with page.expect_navigation():
        page.get_by_role(role, name=name, exact=True).first.click()


@pytest.mark.parametrize("slug", published_slugs())
def test_each_demo_procedure_is_filed_along_its_shortest_path(
    slug, live_server, page, assert_accessible, csp_violations
):
    version = demo_version(slug)
    procedure = version.procedure
    anonymous = procedure.identification == Procedure.Identification.NONE
    if not anonymous:
        sign_in(page, live_server)
    schema_pages = {p["id"]: p for p in version.schema["pages"]}

    documents, posts, others = [], [], []

    def count(request):
        if request.resource_type == "document":
            documents.append(f"{request.method} {request.url.removeprefix(live_server.url)}")
        elif request.method == "POST":
            others.append(request.url)

    page.on("request", count)
    page.goto(live_server.url + reverse("service_requests:filing_start", args=[slug]))
    answered = 0
    review = reverse("service_requests:filing_review", args=[slug])
    while not page.url.endswith(review):
        page_id = page.url.rstrip("/").rsplit("/", 1)[-1]
        if page_id == "deposer":
            page_id = version.schema["pages"][0]["id"]
        assert page.locator("form[data-form-page]").count(), page.content()
        assert_accessible()
        fill_page(page, schema_pages[page_id]["fields"], slug)
        page.locator('button[name="action"][value="next"]').click()
        page.wait_for_load_state()
        assert "Erreur" not in page.title(), page.locator(".error-summary").inner_text()
        answered += 1
    assert_accessible()
    if anonymous:
        click_and_wait(page, "Continuer", role="link")
        assert_accessible()
        email = page.locator('input[name="email"]')
        if email.count() and email.get_attribute("required") is not None:
            email.fill("usager@exemple.fr")
            page.locator('input[name="email_confirmation"]').fill("usager@exemple.fr")
    click_and_wait(page, "Envoyer ma demande")
    assert page.get_by_role("heading", name="Votre demande a bien été envoyée").is_visible()
    assert_accessible()
    assert not csp_violations(), csp_violations()
    page.remove_listener("request", count)

    request = ServiceRequest.objects.get(procedure=procedure)
    assert request.status == Status.SUBMITTED
    assert not others, others  # no script posted anything on the way
    posts = [d for d in documents if d.startswith("POST")]
    COUNTS[slug] = {
        "anonymous": anonymous,
        "pages": answered,
        "documents": len(documents),
        "posts": len(posts),
    }
    print(f"\n{slug}: {COUNTS[slug]}\n  " + "\n  ".join(documents))
    # Each page of answers: its page, its POST; then the review; the contact step's link;
    # the sending POST and the confirmation.
    assert len(documents) == 2 * answered + 1 + (1 if anonymous else 0) + 2
    assert len(posts) == answered + 1
    if slug in AT_MOST_ONE_PAGE:
        assert answered == 1 and len(documents) <= 6
