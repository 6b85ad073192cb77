"""The pages the benchmark measures, and the SQL queries of one request to each.

Every later issue adds its pages here (queues, case screen, 360° view, dashboards, API): the
harness (bench/run.py) measures them and tests/bench/test_query_counts.py checks that their
query count does not grow with the data, with nothing else to change.

A page whose URL does not resolve is reported "absent", not measured: the entries of pages
still to build are registered now and start being measured the day their URL exists.

Import this module once Django is set up.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.db import connection
from django.db.models import Max, Min, QuerySet
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import Resolver404, resolve, reverse

from bench import api
from bench import pilotage as steering
from bench.client import Response, encode_form, submission, walk

# A function building the page's URLs from the database; the load generator cycles through
# them. It gets the run's random generator (--seed) and the visitor's session, which it may
# fill (e.g. the tracking grants a secret link gives), and returns no URL when the data lacks
# what it needs (the page is then reported absent).
PathFunction = Callable[[random.Random, SessionBase], list[str]]


@dataclass(frozen=True)
class Form:
    """A form page and what to fill in it. The page's own <input> elements (CSRF token, hidden
    fields) and its first submit button are sent as a browser sends them; `fields` are added
    or override them. `fields=None`: a page only visited (GET), as a review page."""

    fields: dict[str, str | list[str]] | None
    status: int = 302  # of the POST: a valid submission redirects
    # The page: where the previous step's POST redirected (the entry's path for the first
    # step) unless given here, relative to that.
    path: str = ""

    def plan(self) -> dict:
        return {"fields": self.fields, "status": self.status, "path": self.path}


@dataclass(frozen=True)
class Page:
    name: str
    path: str | PathFunction
    method: str = "GET"  # POST: `path` is the form page, fetched then posted with `form`
    status: int = 200  # expected for GET; a POST expects `form.status`
    form: Form | None = None
    # A multi-page form: the pages gone through (untimed) before the one `form` posts.
    before: tuple[Form, ...] = ()
    # The account the page is requested as (signed in): its email, or a function preparing it
    # against the current database and returning its email (None: the page is absent).
    user: str | Callable[[random.Random], str | None] | None = None
    audience: str = "citizen"  # "citizen" pages have the targets; or "agent", "probe"
    todo: str = ""  # for a page still to build: what will build it
    # POSTs made ready beforehand, each sent once and alone timed: a function (client, count)
    # returning `count` of them as [{"path", "cookies", "fields"}] (see `anonymous_filings`).
    prepare: Callable[[Client, int], list[dict]] | None = None
    # Headers every request to the page carries (an API token), from a function preparing them
    # against the current database (None: the page is absent).
    headers: Callable[[random.Random], dict[str, str] | None] | None = None

    @property
    def expected_status(self) -> int:
        return self.form.status if self.form is not None else self.status


@dataclass
class Target:
    """A page made concrete against the current database: its URLs, or why it is absent."""

    page: Page
    paths: list[str] = field(default_factory=list)
    absent: str = ""  # the reason, when the page cannot be measured
    headers: dict[str, str] = field(default_factory=dict)


def sample_values(queryset: QuerySet, field_name: str, rng: random.Random, k: int) -> list:
    """Up to k values of `field_name` from random rows, without ORDER BY random() (a full scan
    and sort at a million rows): random ids between the lowest and the highest, then those of
    them that exist and match."""
    bounds = queryset.aggregate(low=Min("pk"), high=Max("pk"))
    if bounds["low"] is None:
        return []
    ids = range(bounds["low"], bounds["high"] + 1)
    drawn = rng.sample(ids, min(len(ids), 8 * k))
    values = list(queryset.filter(pk__in=drawn).values_list(field_name, flat=True))
    rng.shuffle(values)
    return values[:k]


def tracking_paths(rng: random.Random, session: SessionBase) -> list[str]:
    """The pages of random filed requests, in a session that proved it may see them (what the
    secret link or the reference and email grant). The secret link itself is rate-limited
    per address: it is not what a citizen reloads."""
    from service_requests import tracking

    references = sample_values(tracking.trackable_requests(), "reference", rng, tracking.MAX_GRANTS)
    requests = tracking.trackable_requests().filter(reference__in=references)
    for request in requests:
        tracking.grant(session, request)
    return [reverse("service_requests:tracking", args=[ref]) for ref in references]


BENCH_CITIZEN_EMAIL = "usager.compte.bench@exemple.invalid"


def citizen_with_requests(rng: random.Random) -> str | None:
    """A signed-in citizen with requests of their own, for their space (/compte/): a random
    citizen of the dataset holding several, given an account the first time (the dataset's
    citizens have none), verified as allauth requires."""
    from allauth.account.models import EmailAddress
    from django.db.models import Count

    from citizens.models import Citizen
    from gru.models import User

    user = User.objects.filter(email=BENCH_CITIZEN_EMAIL).first()
    if user is not None and Citizen.objects.filter(user=user).exists():
        return user.email
    ids = sample_values(Citizen.objects.filter(user__isnull=True), "pk", rng, 200)
    citizen = (
        Citizen.objects.filter(pk__in=ids)
        .annotate(filed=Count("requests"))
        .order_by("-filed", "pk")
        .first()
    )
    if citizen is None:
        return None
    user = user or User.objects.create_user(BENCH_CITIZEN_EMAIL, password=None)
    EmailAddress.objects.get_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )
    citizen.user = user
    citizen.save(update_fields=["user"])
    return user.email


def _busiest_instructor():
    """An instructor of the team with the most open requests: the heaviest queue there is."""
    from django.db.models import Count

    from gru.models import Membership
    from service_requests.models import ServiceRequest

    busiest = (
        ServiceRequest.objects.open()
        .values("team_id")
        .annotate(open=Count("id"))
        .order_by("-open", "team_id")
        .first()
    )
    if busiest is None:
        return None
    return (
        Membership.objects.filter(
            team_id=busiest["team_id"], role=Membership.Role.INSTRUCTOR, user__is_active=True
        )
        .select_related("user", "team")
        .order_by("pk")
        .first()
    )


def instructor(rng: random.Random) -> str | None:
    """The busiest queue's instructor, with the TOTP authenticator every agent needs before the
    back office opens (the dataset's agents have none)."""
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    membership = _busiest_instructor()
    if membership is None:
        return None
    user = membership.user
    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, generate_totp_secret())
    return user.email


def queue_paths(rng: random.Random, session: SessionBase) -> list[str]:
    """The busiest team's queue, newest first, by legal due date, and its unassigned requests."""
    membership = _busiest_instructor()
    if membership is None:
        return []
    queue = reverse("backoffice:queue", args=[membership.team.slug])
    return [queue, f"{queue}?order=due", f"{queue}?assignee=nobody&order=due"]


def case_paths(rng: random.Random, session: SessionBase) -> list[str]:
    """Case screens of random requests of the busiest team, as its instructor opens them."""
    from service_requests.models import ServiceRequest

    membership = _busiest_instructor()
    if membership is None:
        return []
    requests = ServiceRequest.objects.exclude(status="draft").filter(team_id=membership.team_id)
    references = sample_values(requests, "reference", rng, 20)
    return [reverse("backoffice:case", args=[reference]) for reference in references]


def front_desk(rng: random.Random) -> str | None:
    """A front desk agent (the one-stop shop), with the TOTP authenticator the back office
    requires."""
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    from gru.models import Membership

    membership = (
        Membership.objects.filter(
            role=Membership.Role.FRONT_DESK, team__is_active=True, user__is_active=True
        )
        .select_related("user")
        .order_by("pk")
        .first()
    )
    if membership is None:
        return None
    user = membership.user
    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, generate_totp_secret())
    return user.email


def _typo(word: str) -> str:
    """The word with two of its inner letters swapped, as typed in a hurry."""
    if len(word) < 4:
        return word + word[-1]
    middle = len(word) // 2
    return word[: middle - 1] + word[middle] + word[middle - 1] + word[middle + 1 :]


def citizen_search_paths(rng: random.Random, session: SessionBase) -> list[str]:
    """The one-stop shop's search as agents use it: the most common family name (the most rows
    to rank), a name with a typo, a phone typed otherwise than stored, a birth date typed without
    separators, a request reference in lower case without its dash."""
    from urllib.parse import urlencode

    from django.db.models import Count

    from citizens.models import Citizen
    from service_requests.models import ServiceRequest

    live = Citizen.objects.filter(merged_into__isnull=True)
    common = (
        live.values("family_name").annotate(n=Count("id")).order_by("-n", "family_name").first()
    )
    if common is None:
        return []
    queries = [common["family_name"]]
    for given, family in live.filter(pk__in=sample_values(live, "pk", rng, 3)).values_list(
        "given_names", "family_name"
    ):
        queries.append(f"{given.split()[0]} {_typo(family)}")
    for phone in sample_values(live.exclude(phone=""), "phone", rng, 3):
        queries.append(f"+33 {phone[1:]}" if rng.random() < 0.5 else phone.replace(" ", ""))
    for born in sample_values(live.exclude(birth_date=None), "birth_date", rng, 3):
        queries.append(f"{born:%d%m%Y}")
    filed = ServiceRequest.objects.exclude(status="draft").filter(citizen__isnull=False)
    for reference in sample_values(filed, "reference", rng, 3):
        queries.append(reference.replace("-", "").lower())
    search = reverse("backoffice:citizen_search")
    return [f"{search}?{urlencode({'q': query})}" for query in queries]


def citizen_record_paths(rng: random.Random, session: SessionBase) -> list[str]:
    """The 360° view as the front desk opens it: the citizen with the most requests (the longest
    history to gather) and random citizens who have filed some."""
    from django.db.models import Count

    from service_requests.models import ServiceRequest

    filed = ServiceRequest.objects.exclude(status="draft").filter(citizen__isnull=False)
    busiest = (
        filed.values("citizen_id").annotate(n=Count("id")).order_by("-n", "citizen_id").first()
    )
    if busiest is None:
        return []
    ids = [busiest["citizen_id"], *sample_values(filed, "citizen_id", rng, 19)]
    return [reverse("backoffice:citizen", args=[pk]) for pk in ids]


# An anonymous citizen files the demo procedure `signalement-voirie` (demo/demo_data.py):
# its one page, the review, then the contact step whose POST submits.
SIGNALEMENT_STEPS = (
    Form(
        {
            "nature": "nid-de-poule",
            "adresse-street": "12 rue de la République",
            "adresse-postcode": "00000",
            "adresse-city": "Démo",
            "description": "Un nid-de-poule profond devant le numéro 12, côté trottoir.",
        }
    ),
    Form(None),  # the review: its « Continuer » is a link to the contact step
)
SIGNALEMENT_CONTACT = Form(
    {
        "email": "usager.bench@exemple.invalid",
        "email_confirmation": "usager.bench@exemple.invalid",
        "name": "Hélène Garnier",
    },
    status=302,
    path="../coordonnees/",
)

FILING_PATH = "/demarches/signalement-voirie/deposer/"
# Every answer the road report may ask, whatever its version's pages (the dataset's, made
# with an earlier demo, has two; today's has one): each page takes what it asks.
SIGNALEMENT_ANSWERS = {
    **SIGNALEMENT_STEPS[0].fields,
    "nom": "Hélène Garnier",
    "email": "usager.bench@exemple.invalid",
    "action": "next",
}


def _fill_to_review(client: Client, start: str) -> str:
    """Fill the form's pages in turn with SIGNALEMENT_ANSWERS until the review; its path."""
    path = start
    for _page in range(10):
        page = client.get(path)
        if page.status_code == 302:
            path = urljoin(path, page["Location"])
            continue
        if path.endswith("/verification/"):
            return path
        target, fields, _multipart = submission(path, page.content.decode(), SIGNALEMENT_ANSWERS)
        response = client.post(target, fields)
        if response.status_code != 302:
            raise UnexpectedStatus(f"filing: {target} answered {response.status_code}")
        path = urljoin(target, response["Location"])
    raise UnexpectedStatus(f"filing: no review page reached from {start}")


def anonymous_filings(client: Client, count: int) -> list[dict]:
    """`count` anonymous citizens about to file the road report: the form is filled once
    through its pages in this process (SIGNALEMENT_STEPS), then its session is copied, each
    copy with a submission key and a CSRF cookie and token of its own, and the contact step's
    fields ready. Posting one files a request through the real view and service: what a
    citizen's last click costs, and nothing before it."""
    from django.contrib.sessions.models import Session
    from django.middleware.csrf import _get_new_csrf_string, _mask_cipher_secret
    from django.utils.crypto import get_random_string

    from service_requests import drafts

    review = _fill_to_review(client, FILING_PATH)
    contact = urljoin(review, SIGNALEMENT_CONTACT.path)
    page = client.get(contact)
    if page.status_code != 200:
        raise UnexpectedStatus(f"filing: {contact} answered {page.status_code}, expected 200")
    target, fields, _multipart = submission(
        contact, page.content.decode(), SIGNALEMENT_CONTACT.fields
    )
    store = client.session
    template = dict(store.items())
    (procedure_key,) = [k for k, entry in template[drafts.SESSION_KEY].items() if "key" in entry]
    expire = store.get_expiry_date()
    rows, ready = [], []
    for _ in range(count):
        key = drafts.new_idempotency_key()
        entry = {**template[drafts.SESSION_KEY][procedure_key], "key": key}
        data = {**template, drafts.SESSION_KEY: {procedure_key: entry}}
        session_key = get_random_string(32, "abcdefghijklmnopqrstuvwxyz0123456789")
        rows.append(
            Session(session_key=session_key, session_data=store.encode(data), expire_date=expire)
        )
        secret = _get_new_csrf_string()
        ready.append(
            {
                "path": target,
                "cookies": {
                    settings.SESSION_COOKIE_NAME: session_key,
                    settings.CSRF_COOKIE_NAME: secret,
                },
                "fields": {
                    **fields,
                    "idempotency_key": key,
                    "csrfmiddlewaretoken": _mask_cipher_secret(secret),
                },
            }
        )
    Session.objects.bulk_create(rows, batch_size=500)
    return ready


FLOOR = "healthz"

PAGES: list[Page] = [
    # The floor: the same stack (gunicorn, every middleware), no I/O.
    Page("healthz", "/healthz", audience="probe"),
    Page("readyz", "/readyz", audience="probe"),
    Page("home", "/"),
    Page("accessibilite", "/accessibilite/"),
    Page("mentions-legales", "/mentions-legales/"),
    Page("donnees-personnelles", "/donnees-personnelles/"),
    # Everybody's login page (allauth); /admin/login/ only redirects there.
    Page("login", "/compte/login/"),
    # Issue 4, the citizen front office.
    Page("catalogue", "/demarches/", todo="issue 4: catalogue"),
    Page("catalogue-search", "/demarches/?q=voirie", todo="issue 4: catalogue"),
    Page("procedure", "/demarches/signalement-voirie/", todo="issue 4: procedure page"),
    Page("form", "/demarches/signalement-voirie/deposer/", todo="issue 4: form page"),
    Page(
        "submission",
        "/demarches/signalement-voirie/deposer/",
        method="POST",
        before=SIGNALEMENT_STEPS,
        form=SIGNALEMENT_CONTACT,
        todo="issue 4: filing",
    ),
    # Issue 12: the filing alone, the contact step's POST of citizens whose form waits in
    # their session: filings per second.
    Page(
        "filing",
        FILING_PATH + "coordonnees/",
        method="POST",
        form=SIGNALEMENT_CONTACT,
        prepare=anonymous_filings,
    ),
    Page("tracking-lookup", "/suivi/", todo="issue 4: tracking"),
    Page("tracking", tracking_paths, todo="issue 4: tracking page"),
    Page("account", "/compte/", user=citizen_with_requests),
    Page("profile", "/compte/profil/", user=citizen_with_requests),
    # Issue 10, the back office, signed in as the busiest queue's instructor.
    Page("agent-home", "/agents/", user=instructor, audience="agent"),
    Page("queue", queue_paths, user=instructor, audience="agent"),
    Page("case", case_paths, user=instructor, audience="agent"),
    # Issue 11, the one-stop shop, signed in as a front desk agent.
    Page("citizen-search", citizen_search_paths, user=front_desk, audience="agent"),
    Page("citizen-record", citizen_record_paths, user=front_desk, audience="agent"),
    # Issue 14, the steering dashboards (bench/pilotage.py): a team manager, an elected official.
    Page("pilotage", steering.overview_paths, user=steering.team_manager, audience="agent"),
    Page("pilotage-official", steering.overview_paths, user=steering.official, audience="agent"),
    Page("pilotage-forecast", steering.forecast_paths, user=steering.official, audience="agent"),
    Page("pilotage-csv", steering.csv_paths, user=steering.team_manager, audience="agent"),
    # The SVA risk radar (item 3): a manager's list and counts; an official's counts only.
    Page("pilotage-radar", "/agents/pilotage/radar/", user=steering.team_manager, audience="agent"),
    Page(
        "pilotage-radar-official",
        "/agents/pilotage/radar/",
        user=steering.official,
        audience="agent",
    ),
    # The monthly report's page (item 5): its month picker; the PDF is timed apart (README).
    Page(
        "pilotage-report",
        "/agents/pilotage/rapport/",
        user=steering.team_manager,
        audience="agent",
    ),
    # Issue 15, the REST API, with the token of an API client on the busiest team.
    Page("api-requests", api.api_list_paths, headers=api.api_headers, audience="api"),
    Page("api-request", api.api_detail_paths, headers=api.api_headers, audience="api"),
]


def by_name(name: str) -> Page:
    for page in PAGES:
        if page.name == name:
            return page
    raise KeyError(name)


def locate(page: Page, rng: random.Random, client: Client) -> Target:
    """The page's URLs against the current database, or why it is absent. Prepares `client`
    as the page's visitor: signed in as its user, its session filled by its path function."""
    if page.user:
        from gru.models import User

        email = page.user(rng) if callable(page.user) else page.user
        if email is None:
            return Target(page, absent="no data to build its user from")
        client.force_login(User.objects.get(email=email))
    headers = {}
    if page.headers:
        headers = page.headers(rng)
        if headers is None:
            return Target(page, absent="no data to build its headers from")
        client.defaults.update(
            {"HTTP_" + name.upper().replace("-", "_"): value for name, value in headers.items()}
        )
    if isinstance(page.path, str):
        paths = [page.path]
    else:
        session = client.session
        paths = list(page.path(rng, session))
        session.save()
    if page.audience == "api":  # a business application sends its token, never a cookie
        client.cookies.pop(settings.SESSION_COOKIE_NAME, None)
    if not paths:
        return Target(page, absent="no data to build its URL from")
    for path in paths:
        try:
            resolve(urlsplit(path).path)
        except Resolver404:
            return Target(page, paths, absent=page.todo or f"{path} does not resolve")
    return Target(page, paths, headers=headers)


def visitor_cookies(client: Client) -> dict[str, str]:
    """The session cookie of a prepared visitor, for the load generator: sessions live in
    PostgreSQL, so the server's processes know it."""
    cookie = client.cookies.get(settings.SESSION_COOKIE_NAME)
    return {settings.SESSION_COOKIE_NAME: cookie.value} if cookie else {}


class UnexpectedStatus(AssertionError):
    pass


class InProcess:
    """Django's test client with the load generator's get() and post(), so that a multi-page
    form is walked by the same code in this process as from the load generator."""

    def __init__(self, client: Client):
        self.client = client

    def get(self, path: str) -> Response:
        return self._answer(self.client.get(path))

    def post(self, path: str, fields: dict, *, multipart: bool = False) -> Response:
        if multipart:
            return self._answer(self.client.post(path, fields))
        body, content_type = encode_form(fields)
        return self._answer(self.client.post(path, body, content_type=content_type))

    @staticmethod
    def _answer(response) -> Response:
        return Response(response.status_code, response.content, response.get("Location", ""))


def count_queries(page: Page, client: Client, path: str) -> int:
    """The SQL queries of one request to the page, through Django's test client, in this
    process. The request is made twice and the second one counted: the first fills the
    per-process caches (content types, translations, templates) a warm server has filled.
    `client` is the visitor `locate` prepared. For a form, only its (last) POST is counted."""
    counted = None
    for _ in range(2):
        if page.prepare is not None:
            (ready,) = page.prepare(client, 1)
            poster = Client(enforce_csrf_checks=True, **client.defaults)
            for name, value in ready["cookies"].items():
                poster.cookies[name] = value
            body, content_type = encode_form(ready["fields"])
            with CaptureQueriesContext(connection) as counted:
                response = poster.post(ready["path"], body, content_type=content_type)
            _check_status(page, response.status_code, ready["path"])
        elif page.method == "POST":
            visitor = InProcess(client)
            form_path = urljoin(
                walk(visitor, path, [step.plan() for step in page.before]), page.form.path
            )
            form_page = client.get(form_path)
            _check(page, form_page, 200)
            target, fields, multipart = submission(
                form_path, form_page.content.decode(), page.form.fields
            )
            with CaptureQueriesContext(connection) as counted:
                response = visitor.post(target, fields, multipart=multipart)
            _check_status(page, response.status, target)
        else:
            with CaptureQueriesContext(connection) as counted:
                response = client.generic(page.method, path)
            _check(page, response, page.expected_status)
    return len(counted)


def _check(page: Page, response, expected: int) -> None:
    _check_status(page, response.status_code, response.request["PATH_INFO"], expected)


def _check_status(page: Page, status: int, path: str, expected: int | None = None) -> None:
    expected = page.expected_status if expected is None else expected
    if status != expected:
        raise UnexpectedStatus(f"{page.name}: {path} answered {status}, expected {expected}")
