"""The benchmark harness: its figures, its table and JSON, the load generator against a tiny
test-only form, and one real run under gunicorn (slow)."""

import json
import os
import random
import subprocess
import sys
from collections import Counter
from pathlib import Path
from urllib.parse import quote

import pytest
from django import forms
from django.db import connection, transaction
from django.http import HttpResponse, HttpResponseRedirect
from django.middleware.csrf import get_token
from django.test import Client
from django.urls import path
from django.utils.html import format_html
from django.views.decorators.csrf import csrf_exempt

from bench import client as load
from bench import pages as registry
from bench import run
from demo.loader import load_demo

ROOT = Path(__file__).resolve().parents[2]


def database_url_of_test_database() -> str:
    db = connection.settings_dict
    host = quote(db["HOST"] or "127.0.0.1", safe="")
    user = quote(db["USER"], safe="") + (
        f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else ""
    )
    return f"postgres://{user}@{host}:{db['PORT'] or 5432}/{db['NAME']}"


# -- a tiny public form, served by this module's URLconf ------------------------------------


class ThreeFieldForm(forms.Form):
    nom = forms.CharField(max_length=100)
    email = forms.EmailField()
    message = forms.CharField(max_length=1000)


def tiny_form(request):
    """A 3-field form page, like the w.c.s. one the issue compares with."""
    if request.method == "POST":
        if ThreeFieldForm(request.POST).is_valid():
            return HttpResponseRedirect("/formulaire/merci/")
        return HttpResponse("invalide", status=400)
    return HttpResponse(
        format_html(
            '<form method="post" action="{}">'
            '<input type="hidden" name="csrfmiddlewaretoken" value="{}">'
            '<input name="nom"><input name="email" type="email">'
            '<textarea name="message"></textarea>'
            '<input type="checkbox" name="rappel" value="oui">'
            '<button type="submit">Envoyer</button></form>',
            request.path,
            get_token(request),
        )
    )


def first_page(request):
    """A multi-page form's first page: multipart, two submit buttons; sets a cookie."""
    if request.method == "POST":
        multipart = request.content_type == "multipart/form-data"
        if not multipart or request.POST.get("action") != "next" or not request.POST.get("nom"):
            return HttpResponse("invalide", status=400)
        response = HttpResponseRedirect("/etapes/verification/")
        response.set_cookie("etape", "un")
        return response
    return HttpResponse(
        format_html(
            '<form method="post" enctype="multipart/form-data" action="/etapes/">'
            '<input type="hidden" name="csrfmiddlewaretoken" value="{}"><input name="nom">'
            '<button name="action" value="next">Suivant</button>'
            '<button name="action" value="previous">Précédent</button></form>',
            get_token(request),
        )
    )


def review(request):
    if request.COOKIES.get("etape") != "un":
        return HttpResponse("étape manquante", status=400)
    return HttpResponse('<a href="/etapes/fin/">Continuer</a>')


def last_page(request):
    if request.COOKIES.get("etape") != "un":
        return HttpResponse("étape manquante", status=400)
    return tiny_form(request)


# The tokens `once` took: a prepared POST is sent once, a second one is refused.
USED_TOKENS: list[str] = []


@csrf_exempt
def once(request):
    """A POST that consumes its state, as filing does its session's form: its cookie and its
    field must match, and each token is taken once."""
    token = request.POST.get("jeton", "")
    if not token or request.COOKIES.get("jeton") != token or token in USED_TOKENS:
        return HttpResponse("déjà pris", status=409)
    USED_TOKENS.append(token)
    return HttpResponseRedirect("/fait/")


urlpatterns = [
    path("une-fois/", once),
    path("formulaire/", tiny_form),
    path("etapes/", first_page),
    path("etapes/verification/", review),
    path("etapes/fin/", last_page),
]
MULTI_PAGE = {
    "paths": ["/etapes/"],
    "before": [{"fields": {"nom": "Garnier"}}, {"fields": None}],
}

ANSWERS = {"nom": "Hélène Garnier", "email": "helene@exemple.fr", "message": "Bonjour."}


def run_client(plan: dict) -> dict:
    """The load generator as the harness runs it: a process of its own."""
    completed = subprocess.run(
        [sys.executable, "-m", "bench.client"],
        input=json.dumps(plan),
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
        timeout=60,
    )
    return json.loads(completed.stdout)


@pytest.mark.urls(__name__)
def test_form_sequence_gets_then_posts_with_token_and_cookie_on_new_connections(live_server):
    outcome = run_client(
        {
            "mode": "form-sequence",
            "base_url": live_server.url,
            "paths": ["/formulaire/"],
            "status": 302,
            "form": {"fields": ANSWERS},
            "requests": 5,
        }
    )

    assert outcome["errors"] == 0, outcome["error_kinds"]
    assert outcome["get"]["ok"] == outcome["post"]["ok"] == 5
    assert outcome["get_median_ms"] > 0
    assert outcome["post_median_ms"] > 0


@pytest.mark.urls(__name__)
def test_form_sequence_counts_a_refused_submission_as_an_error(live_server):
    outcome = run_client(
        {
            "mode": "form-sequence",
            "base_url": live_server.url,
            "paths": ["/formulaire/"],
            "status": 302,
            "form": {"fields": {"nom": "Sans adresse"}},
            "requests": 3,
        }
    )

    assert outcome["errors"] == 3
    assert outcome["error_kinds"] == {"POST HTTP 400": 3}
    assert outcome["post_median_ms"] is None


@pytest.mark.urls(__name__)
def test_load_mode_posts_the_form_from_concurrent_clients(live_server):
    outcome = run_client(
        {
            "base_url": live_server.url,
            "method": "POST",
            "paths": ["/formulaire/"],
            "status": 302,
            "form": {"fields": ANSWERS},
            "clients": 2,
            "duration": 0.3,
            "warmup": 0.05,
        }
    )

    assert outcome["clients"] == 2
    assert outcome["errors"] == 0, outcome["error_kinds"]
    assert outcome["ok"] > 0
    assert outcome["rps"] > 0


def prepared(count: int) -> list[dict]:
    return [
        {"path": "/une-fois/", "cookies": {"jeton": f"j{i}"}, "fields": {"jeton": f"j{i}"}}
        for i in range(count)
    ]


@pytest.mark.urls(__name__)
def test_prepared_posts_are_each_sent_once_and_alone_timed(live_server):
    USED_TOKENS.clear()
    outcome = run_client(
        {
            "base_url": live_server.url,
            "method": "POST",
            "paths": ["/une-fois/"],
            "status": 302,
            "prepared": prepared(10),
            "clients": 3,
            "requests": 10,
            "duration": None,
            "warmup": 0,
        }
    )

    assert outcome["errors"] == 0, outcome["error_kinds"]
    assert outcome["ok"] == 10
    assert sorted(USED_TOKENS) == sorted(f"j{i}" for i in range(10))  # no GET, each once


@pytest.mark.urls(__name__)
def test_running_out_of_prepared_posts_counts_as_errors(live_server):
    USED_TOKENS.clear()
    outcome = run_client(
        {
            "base_url": live_server.url,
            "method": "POST",
            "paths": ["/une-fois/"],
            "status": 302,
            "prepared": prepared(4),
            "clients": 2,
            "requests": 6,
            "duration": None,
            "warmup": 0,
        }
    )

    assert outcome["ok"] == 4
    assert outcome["error_kinds"] == {"no prepared request left": 2}


def test_each_level_gets_prepared_posts_of_its_own():
    args = run.parse_args(["--scale", "small", "--clients", "1,16", "--workers", "2"])
    count = run.prepared_count(args)
    ready = list(range(count))
    slices = run._slices(ready, [4, (count - 4) // 2, (count - 4) // 2])
    assert [len(s) for s in slices] == [4, (count - 4) // 2, (count - 4) // 2]
    assert not set(slices[1]) & set(slices[2])
    # Enough for PREPARED_PER_SECOND over each level's warm-up and measurement.
    per_level = run.PREPARED_PER_SECOND * (args.duration + args.warmup)
    assert count == 2 * 2 + 2 * int(per_level)  # the warm-up's: two per worker


@pytest.mark.urls(__name__)
def test_load_mode_with_a_fixed_number_of_requests(live_server):
    outcome = run_client(
        {
            "base_url": live_server.url,
            "paths": ["/formulaire/"],
            "clients": 3,
            "requests": 10,
            "duration": None,
            "warmup": 0,
        }
    )

    assert outcome["requests"] == outcome["ok"] == 10


@pytest.mark.urls(__name__)
def test_multi_page_form_walks_its_pages_then_times_the_last(live_server):
    common = {
        "base_url": live_server.url,
        **MULTI_PAGE,
        "status": 302,
        "form": {"fields": ANSWERS, "path": "../fin/"},
    }

    sequence = run_client({**common, "mode": "form-sequence", "requests": 3})
    load_run = run_client(
        {**common, "method": "POST", "clients": 2, "duration": 0.3, "warmup": 0.05}
    )

    assert sequence["errors"] == 0, sequence["error_kinds"]
    assert sequence["post"]["ok"] == 3
    assert load_run["errors"] == 0, load_run["error_kinds"]
    assert load_run["ok"] > 0


@pytest.mark.urls(__name__)
def test_multi_page_form_names_the_step_that_failed(live_server):
    outcome = run_client(
        {
            "base_url": live_server.url,
            "mode": "form-sequence",
            "paths": ["/etapes/"],
            "before": [{"fields": {}}],  # no name: the first page refuses
            "form": {"fields": ANSWERS},
            "requests": 2,
        }
    )
    assert outcome["error_kinds"] == {"step 1 POST HTTP 400": 2}


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_count_queries_walks_a_multi_page_form_in_process():
    page = registry.Page(
        "etapes",
        "/etapes/",
        method="POST",
        before=(registry.Form({"nom": "Garnier"}), registry.Form(None)),
        form=registry.Form(ANSWERS, path="../fin/"),
    )
    assert registry.count_queries(page, Client(enforce_csrf_checks=True), page.path) == 0


def test_load_mode_counts_what_does_not_answer_as_errors():
    port = run.free_port()  # nothing listens there
    outcome = run_client(
        {"base_url": f"http://127.0.0.1:{port}", "clients": 1, "requests": 3, "warmup": 0}
    )

    assert outcome["ok"] == 0
    assert outcome["errors"] == 3
    assert outcome["error_kinds"] == {"ConnectionRefusedError": 3}


# -- pure parts ------------------------------------------------------------------------------


def test_percentile_interpolates_between_ranks():
    assert load.percentile([4, 1, 3, 2], 50) == 2.5
    assert load.percentile([1, 2, 3, 4], 0) == 1
    assert load.percentile([1, 2, 3, 4], 100) == 4
    assert load.percentile(list(range(1, 101)), 95) == pytest.approx(95.05)
    assert load.percentile([7], 99) == 7
    assert load.percentile([], 50) is None
    with pytest.raises(ValueError):
        load.percentile([1], 101)


def test_summarize_reports_milliseconds_throughput_and_errors():
    summary = load.summarize([0.001, 0.002, 0.003, 0.004], Counter({"HTTP 500": 1}), 0.5)

    assert summary["requests"] == 5
    assert summary["ok"] == 4
    assert summary["errors"] == 1
    assert summary["error_kinds"] == {"HTTP 500": 1}
    assert summary["p50_ms"] == 2.5
    assert summary["max_ms"] == 4.0
    assert summary["rps"] == 8.0  # successful requests only


def test_summarize_of_nothing_has_no_figures():
    summary = load.summarize([], {}, 0.0)
    assert summary["p50_ms"] is None
    assert summary["rps"] is None


def test_find_post_form_keeps_what_a_browser_sends():
    html = (
        '<form method="get" action="/recherche/"><input name="q" value="x"></form>'
        '<form method="POST" action="envoyer/">'
        '<input type="hidden" name="csrfmiddlewaretoken" value="jeton">'
        '<input type="hidden" name="cle" value="a&amp;b">'
        '<input type="checkbox" name="coche" value="1" checked>'
        '<input type="checkbox" name="pas_coche" value="1">'
        '<input type="submit" name="action" value="Envoyer">'
        "</form>"
    )

    form = load.find_post_form(html)

    assert form.action == "envoyer/"
    assert form.fields == [
        ("csrfmiddlewaretoken", "jeton"),
        ("cle", "a&b"),
        ("coche", "1"),
        ("action", "Envoyer"),
    ]
    target, fields, multipart = load.submission("/demarches/x/", html, {"nom": "L", "cle": "c"})
    assert target == "/demarches/x/envoyer/"
    assert fields == {
        "csrfmiddlewaretoken": "jeton",
        "cle": "c",
        "coche": "1",
        "action": "Envoyer",  # the first submit button, as Enter sends it
        "nom": "L",
    }
    assert multipart is False
    with pytest.raises(load.FormNotFound):
        load.find_post_form("<p>rien</p>")


def test_first_submit_button_and_multipart_encoding():
    html = (
        '<form method="post" enctype="multipart/form-data">'
        '<button type="button" name="aide" value="1">?</button>'
        '<button name="action" value="next">Suivant</button>'
        '<input type="submit" name="action" value="previous"></form>'
    )
    form = load.find_post_form(html)
    assert form.fields == [("action", "next")]
    assert form.multipart is True
    body, content_type = load.encode_form({"nom": "Lefèvre", "choix": ["a", "b"]}, multipart=True)
    boundary = content_type.split("boundary=")[1]
    assert content_type.startswith("multipart/form-data; ")
    assert body.decode().count(f"--{boundary}\r\n") == 3
    assert 'name="nom"\r\n\r\nLefèvre\r\n' in body.decode()
    assert body.decode().endswith(f"--{boundary}--\r\n")


def test_session_keeps_and_drops_cookies():
    session = load.Session("http://127.0.0.1:8000")
    session._keep_cookie("csrftoken=abc; expires=Sat, 27 Nov 2027 14:00:00 GMT; Path=/")
    session._keep_cookie("sessionid=s1; HttpOnly; Path=/; SameSite=Lax")
    assert session.cookies == {"csrftoken": "abc", "sessionid": "s1"}
    session._keep_cookie('sessionid=""; expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/')
    assert session.cookies == {"csrftoken": "abc"}
    with pytest.raises(ValueError):
        load.Session("https://example.org")


def test_ratio_to_the_floor():
    assert run.ratio(30.0, 10.0) == 3.0
    assert run.ratio(None, 10.0) is None
    assert run.ratio(5.0, None) is None
    assert run.ratio(5.0, 0) is None
    runs = {"16": {"p50_ms": 20.0, "p95_ms": 60.0}}
    floor = {"16": {"p50_ms": 10.0, "p95_ms": 20.0}}
    assert run.floor_ratios(runs, floor, 16) == {"clients": 16, "p50": 2.0, "p95": 3.0}
    assert run.floor_ratios(runs, {}, 16) is None


def figures(p50=2.0, p95=4.0, rps=100.0, errors=0) -> dict:
    return {
        "requests": 10 + errors,
        "ok": 10,
        "errors": errors,
        "error_kinds": {"HTTP 500": errors} if errors else {},
        "p50_ms": p50,
        "p95_ms": p95,
        "p99_ms": p95 * 1.5,
        "mean_ms": p50,
        "max_ms": p95 * 2,
        "elapsed_s": 1.0,
        "rps": rps,
    }


def sample_document() -> dict:
    page = registry.Page
    floor = registry.Target(page("healthz", "/healthz", audience="probe"), ["/healthz"])
    home = registry.Target(page("home", "/"), ["/"])
    slow = registry.Target(page("lent", "/lent/"), ["/lent/"])
    missing = registry.Target(page("catalogue", "/demarches/"), absent="issue 4: catalogue")
    form = registry.Page("depot", "/d/", method="POST", form=registry.Form({"a": "b"}))
    meta = {
        "scale": "small",
        "started_at": "2026-01-05T10:00:00+01:00",
        "git_commit": "abc1234",
        "python": "3.11.7",
        "cpus": 2,
        "load_average": {"before": 0.5, "after": 1.5},
        "server": {"workers": 5, "threads": 1, "static": "manifest", "command": []},
        "measurement": {
            "clients": [1, 16],
            "duration_s": 2.0,
            "requests": None,
            "warmup_s": 0.5,
            "wcs_requests": 50,
            "seed": 0,
        },
        "dataset": {"citizens": 6, "requests": 12},
        "floor": "healthz",
        "peer": run.PEER,
    }
    pages = [
        run.page_result(floor, queries=0, runs={"1": figures(1, 2), "16": figures(10, 20)}),
        run.page_result(home, queries=3, runs={"1": figures(3, 5), "16": figures(30, 60)}),
        run.page_result(slow, queries=9, runs={"1": figures(9, 9), "16": figures(90, 150)}),
        run.page_result(missing),
    ]
    wcs = [
        run.wcs_result(
            registry.Target(form, ["/d/"]),
            {
                "requests": 50,
                "errors": 0,
                "error_kinds": {},
                "get_median_ms": 9.75,
                "post_median_ms": 12.5,
            },
        )
    ]
    return run.results_document(meta, pages, wcs)


def test_results_document_shape():
    document = json.loads(json.dumps(sample_document()))  # what is written is JSON

    assert set(document) == {"meta", "pages", "wcs"}
    floor, home, slow, missing = document["pages"]
    assert floor["floor_ratio"] == {"clients": 16, "p50": 1.0, "p95": 1.0}
    assert home["floor_ratio"] == {"clients": 16, "p50": 3.0, "p95": 3.0}
    assert set(home) >= {"name", "method", "path", "status", "queries", "runs", "errors"}
    assert set(home["runs"]) == {"1", "16"}
    assert set(home["runs"]["16"]) >= {"p50_ms", "p95_ms", "p99_ms", "rps", "errors"}
    assert home["meets_targets"] is True
    assert slow["meets_targets"] is False  # p95 150 ms, 7.5 times the floor's
    assert floor["meets_targets"] is None  # a probe has no target
    assert missing == {
        "name": "catalogue",
        "method": "GET",
        "path": "/demarches/",
        "urls": 0,
        "audience": "citizen",
        "status": "absent",
        "absent_reason": "issue 4: catalogue",
    }
    assert document["wcs"][0]["get_share_of_peer"] == 0.25
    assert document["wcs"][0]["post_share_of_peer"] == 0.27


def test_errors_or_a_slow_submission_miss_the_targets():
    base = {"status": "measured", "audience": "citizen", "method": "GET"}
    fine = {**base, "runs": {"16": figures()}, "floor_ratio": {"p95": 1.5}}
    assert run.meets_targets(fine, 16) is True
    failing = {**fine, "runs": {"16": figures(errors=1)}}
    assert run.meets_targets(failing, 16) is False
    slow_post = {**fine, "method": "POST", "runs": {"16": figures(rps=12.0)}}
    assert run.meets_targets(slow_post, 16) is False


def test_format_table_prints_every_page_and_the_peer():
    table = run.format_table(sample_document())
    lines = table.splitlines()

    header = next(line for line in lines if line.startswith("page "))
    assert "p50@1" in header
    assert "p95@16" in header
    assert "rps@16" in header
    row = next(line for line in lines if line.startswith("home "))
    assert row.split() == [
        "home",
        "GET",
        "/",
        "3",
        *["3.00", "5.00", "7.50", "100"],
        *["30.0", "60.0", "90.0", "100"],
        "0",
        "3.00",
        "3.00",
        "met",
    ]
    assert any(line.startswith("healthz (floor)") for line in lines)
    assert "MISSED" in next(line for line in lines if line.startswith("lent "))
    absent = next(line for line in lines if line.startswith("catalogue "))
    assert absent.split()[1:] == ["GET", "/demarches/", "absent:", "issue", "4:", "catalogue"]
    assert "w.c.s. comparison" in table
    wcs = next(line for line in lines if line.startswith("depot "))
    assert wcs.split()[3:] == ["9.75", "39.0", "≤", "19.5", "12.5", "47.0", "≤", "23.5", "0"]


def test_render_table_aligns_text_left_and_numbers_right():
    rows = [["a", "1", "10"], ["longue", "12", "5"], ["x", "absent: raison"]]
    assert run.render_table(["page", "SQL", "rps"], rows, left=1).splitlines() == [
        "page    SQL  rps",
        "------  ---  ---",
        "a         1   10",
        "longue   12    5",
        "x       absent: raison",
    ]


def test_write_results_names_the_file_by_time_and_scale(tmp_path):
    written = run.write_results(sample_document(), tmp_path / "results")
    assert written.name.endswith("-small.json")
    assert json.loads(written.read_text())["meta"]["scale"] == "small"


def test_arguments_default_to_the_scale():
    assert run.parse_args(["--scale", "city"]).duration == 10.0
    small = run.parse_args([])
    assert (small.duration, small.warmup, small.clients) == (2.0, 0.5, [1, 16])
    assert run.parse_args(["--clients", "16,1,4"]).clients == [1, 4, 16]
    assert run.parse_args(["--requests", "100"]).warmup == 0.5


def test_harness_refuses_to_run_without_a_database(monkeypatch, capsys):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert run.main([]) == 2
    assert "DATABASE_URL" in capsys.readouterr().err


# -- the registry ----------------------------------------------------------------------------


def test_registry_names_are_unique_and_the_floor_is_healthz():
    names = [page.name for page in registry.PAGES]
    assert len(names) == len(set(names))
    assert registry.by_name(registry.FLOOR).path == "/healthz"
    assert {"home", "catalogue", "procedure", "form", "submission", "tracking"} <= set(names)
    assert registry.by_name("submission").form is not None


@pytest.mark.django_db
def test_a_page_whose_url_does_not_resolve_is_absent():
    page = registry.Page("futur", "/pas-encore/", todo="une issue à venir")
    target = registry.locate(page, random.Random(0), Client())
    assert target.absent == "une issue à venir"


@pytest.mark.django_db
def test_a_path_function_without_data_makes_the_page_absent():
    target = registry.locate(registry.by_name("tracking"), random.Random(0), Client())
    assert target.absent == "no data to build its URL from"


@pytest.mark.django_db
def test_tracking_visitor_holds_the_grants_of_the_requests_it_visits(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.DEBUG = True
    load_demo()
    settings.DEBUG = False
    client = Client()

    target = registry.locate(registry.by_name("tracking"), random.Random(1), client)

    assert not target.absent
    assert len(target.paths) > 1
    assert client.get(target.paths[-1]).status_code == 200
    assert registry.visitor_cookies(client).keys() == {settings.SESSION_COOKIE_NAME}


@pytest.mark.django_db
def test_a_signed_in_page_is_visited_with_the_users_session(settings):
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    from tests.factories import UserFactory

    agent = UserFactory(email="agent@ville-demo.invalid", is_staff=True)
    # Agents open the back office with a TOTP authenticator only (gru.middleware).
    TOTP.activate(agent, generate_totp_secret())
    page = registry.Page("admin-index", "/admin/", user="agent@ville-demo.invalid")
    client = Client()

    target = registry.locate(page, random.Random(0), client)

    assert registry.count_queries(page, client, target.paths[0]) > 0
    assert registry.visitor_cookies(client)


@pytest.mark.django_db
def test_count_queries_refuses_an_unexpected_status():
    page = registry.Page("introuvable", "/demarches/nexiste-pas/")
    with pytest.raises(registry.UnexpectedStatus):
        registry.count_queries(page, Client(), page.path)


@pytest.mark.django_db
def test_every_hot_query_runs_under_explain():
    from bench import explain

    values = {
        "team_id": 1,
        "today": "2026-01-05",
        "name": "Lefèvre",
        "typo": "Lfeèvre",
        "phone": "06 12 34 56 78",
    }
    with transaction.atomic():
        for query in explain.QUERIES:
            plan = explain.explain(query, values)
            assert plan[-1].startswith("Execution Time"), query.title
    by_name = next(query for query in explain.QUERIES if "strict pass" in query.title)
    assert "search_name %> lower(gru_unaccent('Lefèvre'))" in explain.shown(by_name.sql, values)


# -- end to end ------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_real_run_measures_every_present_page_under_gunicorn(tmp_path, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.DEBUG = True
    load_demo()  # committed: the server's processes see it
    settings.DEBUG = False
    # Not under coverage's tracer (`make test` measures subprocesses): it would time the tracer.
    env = {name: value for name, value in os.environ.items() if not name.startswith("COVERAGE_")}
    env["DATABASE_URL"] = database_url_of_test_database()
    command = [sys.executable, "-m", "bench.run", "--scale=small", "--clients=1,2"]
    # A fixed number of requests rather than a duration: a loaded machine slows the run down
    # but cannot leave a measurement empty.
    command += ["--requests=4", "--warmup=0", "--workers=2", "--static=finders"]
    command += ["--wcs-requests=2", f"--output={tmp_path}"]

    completed = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=180, check=False
    )

    assert completed.returncode == 0, completed.stderr[-3000:]
    assert "healthz (floor)" in completed.stdout
    (written,) = tmp_path.glob("*-small.json")
    document = json.loads(written.read_text())
    present = {
        page.name
        for page in registry.PAGES
        if not registry.locate(page, random.Random(0), Client()).absent
    }
    measured = {page["name"] for page in document["pages"] if page["status"] == "measured"}
    assert measured == present
    assert {page["name"] for page in document["pages"]} == {p.name for p in registry.PAGES}
    for page in document["pages"]:
        if page["status"] != "measured":
            continue
        assert isinstance(page["queries"], int), page
        for level in ("1", "2"):
            figures = page["runs"][level]
            assert figures["errors"] == 0, (page["name"], level, figures["error_kinds"])
            assert figures["ok"] > 0
            assert figures["p50_ms"] > 0
            assert figures["p99_ms"] >= figures["p95_ms"] >= figures["p50_ms"]
            assert figures["rps"] > 0
        assert page["floor_ratio"]["p50"] > 0
    # Form pages get the w.c.s. comparison; prepared POSTs (the filing alone) have no GET.
    forms = {
        page.name for page in registry.PAGES if page.form is not None and page.prepare is None
    } & present
    assert {entry["name"] for entry in document["wcs"] if entry["status"] == "measured"} == forms
    for entry in document["wcs"]:
        if entry["status"] == "measured":
            assert entry["errors"] == 0, entry["error_kinds"]
            assert entry["get_median_ms"] > 0
            assert entry["post_median_ms"] > 0
    assert document["meta"]["dataset"]["requests"] > 0
    assert connection.vendor == "postgresql"
