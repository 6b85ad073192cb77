"""The load generator. It runs as a process of its own and imports nothing but the standard
library, so that it shares no interpreter, no lock and no memory with the server it measures
nor with the harness that starts it (bench/run.py).

    python -m bench.client < plans.json              # what the harness does
    python -m bench.client http://127.0.0.1:8000/healthz --clients 16 --duration 5

A plan is a JSON object (see `PLAN_DEFAULTS`); its figures are a line of JSON on stdout. Given
a list of plans, the client measures them one after the other, a line each.
Two modes:

- "load": `clients` concurrent clients, one process each, each with its own connection (kept
  alive when the server allows it: gunicorn's sync workers close it after every response),
  request the page in a loop for `duration` seconds, or until `requests` in all, after
  `warmup` seconds that are not recorded. A POST page is first fetched (GET, not timed) for
  its form, CSRF token and cookie (a multi-page form: its earlier pages are filled first, the
  `before` steps), then posted: only the POST is timed, and throughput counts whole cycles,
  which is what a citizen filing a form costs the server.
- "form-sequence": the w.c.s. comparison. `requests` times in a row, GET the form page on a
  new connection, then POST it on another new connection with its token and cookie. Both are
  timed; the medians are what the peer figures are.
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import multiprocessing
import sys
import time
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.cookies import CookieError, SimpleCookie
from urllib.parse import urlencode, urljoin, urlsplit

PLAN_DEFAULTS = {
    "mode": "load",  # or "form-sequence"
    "base_url": "http://127.0.0.1:8000",
    "method": "GET",  # POST: the page holds a form, `form` says what to fill
    "paths": ["/"],  # cycled through, each client starting at its own offset
    "status": 200,  # the expected status (of the POST for a form); anything else is an error
    "form": None,  # {"fields": {name: value or [values]}, "path": ""}: the form posted
    "before": [],  # the earlier pages of a multi-page form: [{"fields", "status", "path"}]
    "cookies": {},  # e.g. a session cookie for a signed-in page
    "headers": {},  # sent with every request, e.g. an API token
    # POSTs ready to send, each once: [{"path", "cookies", "fields"}] (a filing of its own
    # session, its CSRF token and cookie made beforehand). Only the POST is made and timed,
    # so throughput counts filings; an exhausted list is counted as errors.
    "prepared": None,
    "clients": 1,
    "duration": 2.0,  # seconds of measurement, unless `requests` is given
    "requests": None,  # a fixed number of requests in all, split between the clients
    "warmup": 0.5,  # seconds of requests before the measurement, not recorded
    "timeout": 30.0,  # per request
}

# What a dropped or refused connection raises; recorded as an error, never fatal.
TRANSPORT_ERRORS = (OSError, http.client.HTTPException)


class FormNotFound(ValueError):
    """The page holds no <form method="post">."""


# -- statistics ------------------------------------------------------------------------------


def percentile(values: Sequence[float], p: float) -> float | None:
    """The p-th percentile, interpolated between the closest ranks (as numpy's default and
    spreadsheets' PERCENTILE.INC). None for no value."""
    if not values:
        return None
    if not 0 <= p <= 100:
        raise ValueError(f"percentile out of range: {p}")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * p / 100
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def summarize(latencies: Sequence[float], errors: Counter | dict, elapsed: float) -> dict:
    """Latencies in seconds of the successful requests, errors by kind, wall time of the
    measurement in seconds -> the figures the harness reports (milliseconds, requests/s)."""
    ms = sorted(seconds * 1000 for seconds in latencies)
    error_count = sum(errors.values())

    def rounded(value):
        return None if value is None else round(value, 3)

    return {
        "requests": len(ms) + error_count,
        "ok": len(ms),
        "errors": error_count,
        "error_kinds": dict(sorted(errors.items())),
        "p50_ms": rounded(percentile(ms, 50)),
        "p95_ms": rounded(percentile(ms, 95)),
        "p99_ms": rounded(percentile(ms, 99)),
        "mean_ms": rounded(sum(ms) / len(ms)) if ms else None,
        "max_ms": rounded(ms[-1]) if ms else None,
        "elapsed_s": round(elapsed, 3),
        "rps": round(len(ms) / elapsed, 1) if elapsed > 0 else None,
    }


# -- HTTP ------------------------------------------------------------------------------------


@dataclass
class Response:
    status: int
    body: bytes
    location: str = ""  # of a redirect

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


@dataclass
class Session:
    """One client: its cookies and, with keep-alive, its one connection."""

    base_url: str
    cookies: dict[str, str] = field(default_factory=dict)
    keep_alive: bool = True
    headers: dict[str, str] = field(default_factory=dict)
    timeout: float = 30.0
    _connection: http.client.HTTPConnection | None = field(default=None, repr=False)

    def __post_init__(self):
        parts = urlsplit(self.base_url)
        if parts.scheme != "http" or not parts.hostname:
            raise ValueError(f"plain http://host:port expected, not {self.base_url!r}")
        self.host, self.port = parts.hostname, parts.port or 80
        self.origin = f"http://{parts.netloc}"
        self.cookies = dict(self.cookies)

    def get(self, path: str) -> Response:
        return self.request("GET", path)

    def post(self, path: str, fields: dict, *, multipart: bool = False) -> Response:
        body, content_type = encode_form(fields, multipart=multipart)
        # Origin as a browser sends it: Django's CSRF check compares it with the host.
        headers = {
            "Content-Type": content_type,
            "Origin": self.origin,
            "Referer": self.origin + path,
        }
        return self.request("POST", path, body, headers)

    def request(self, method: str, path: str, body: bytes | None = None, headers=None):
        headers = {
            "Accept": "text/html,*/*;q=0.8",
            "User-Agent": "gru-bench",
            **self.headers,
            **(headers or {}),
        }
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if not self.keep_alive:
            headers["Connection"] = "close"
        reused = self._connection is not None
        try:
            return self._send(method, path, body, headers)
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            self.close()
            if not reused:
                raise
            # A kept-alive connection the server had closed meanwhile: the request never
            # reached it. Any client retries that once, on a new connection.
            return self._send(method, path, body, headers)
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def _send(self, method, path, body, headers) -> Response:
        if self._connection is None:
            self._connection = http.client.HTTPConnection(
                self.host, self.port, timeout=self.timeout
            )
        self._connection.request(method, path, body=body, headers=headers)
        response = self._connection.getresponse()
        data = response.read()
        for header in response.headers.get_all("Set-Cookie") or []:
            self._keep_cookie(header)
        if response.will_close or not self.keep_alive:
            self.close()
        return Response(response.status, data, response.headers.get("Location", ""))

    def _keep_cookie(self, header: str) -> None:
        cookie = SimpleCookie()
        try:
            cookie.load(header)
        except CookieError:
            return
        for name, morsel in cookie.items():
            if morsel.value == "" or morsel["max-age"] == "0":
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = morsel.value


# -- forms ---------------------------------------------------------------------------------


def encode_form(fields: dict, *, multipart: bool = False) -> tuple[bytes, str]:
    """A form's body and content type, as a browser encodes it (values may be lists)."""
    if not multipart:
        return urlencode(fields, doseq=True).encode(), "application/x-www-form-urlencoded"
    boundary = f"gru-bench-{uuid.uuid4().hex}"
    parts = []
    for name, values in fields.items():
        quoted = str(name).replace('"', "%22")
        for value in values if isinstance(values, list | tuple) else [values]:
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{quoted}"\r\n\r\n'
                f"{value}\r\n"
            )
    body = "".join(parts) + f"--{boundary}--\r\n"
    return body.encode(), f"multipart/form-data; boundary={boundary}"


@dataclass
class PostForm:
    action: str
    fields: list[tuple[str, str]]
    multipart: bool = False


class _FormParser(HTMLParser):
    """The forms of a page, with what a browser sends of their <input> elements (hidden ones:
    the CSRF token, an idempotency key…) and of their first submit button (the one Enter
    presses). <select> and <textarea> are left to the values the page entry fills."""

    SKIPPED = frozenset({"submit", "button", "image", "reset", "file"})

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._current: dict | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form":
            self._current = {
                "method": (attributes.get("method") or "get").lower(),
                "action": attributes.get("action") or "",
                "enctype": (attributes.get("enctype") or "").lower(),
                "fields": [],
                "button": None,
            }
            self.forms.append(self._current)
            return
        if self._current is None or not attributes.get("name"):
            return
        kind = (attributes.get("type") or ("submit" if tag == "button" else "text")).lower()
        if tag == "button" or (tag == "input" and kind in {"submit", "image"}):
            if kind == "submit" and self._current["button"] is None:
                self._current["button"] = (attributes["name"], attributes.get("value") or "")
            return
        if tag != "input":
            return
        unchecked = kind in {"checkbox", "radio"} and "checked" not in attributes
        if kind in self.SKIPPED or unchecked:
            return
        self._current["fields"].append((attributes["name"], attributes.get("value") or ""))

    def handle_endtag(self, tag):
        if tag == "form":
            self._current = None


def find_post_form(html: str) -> PostForm:
    """The first <form method="post"> of the page."""
    parser = _FormParser()
    parser.feed(html)
    for form in parser.forms:
        if form["method"] == "post":
            button = [form["button"]] if form["button"] else []
            return PostForm(
                action=form["action"],
                fields=form["fields"] + button,
                multipart=form["enctype"] == "multipart/form-data",
            )
    raise FormNotFound("no <form method=post> on the page")


def submission(page_path: str, html: str, fill: dict) -> tuple[str, dict, bool]:
    """Where to POST the page's form, what (its inputs, then the entry's values), and whether
    as multipart/form-data."""
    form = find_post_form(html)
    fields = dict(form.fields)
    fields.update(fill)
    target = urljoin(page_path, form.action) if form.action else page_path
    return target, fields, form.multipart


class StepFailed(Exception):
    """A page of a multi-page form did not answer as expected."""


def _local(base: str, location: str) -> str:
    """A redirect's target as a path on this server."""
    parts = urlsplit(urljoin(base, location))
    return parts.path + (f"?{parts.query}" if parts.query else "")


def walk(session, start: str, steps: list[dict]) -> str:
    """Go through the first pages of a multi-page form, untimed: for each step, GET its page
    (where the previous POST redirected, the entry's path first, or the step's own `path`
    relative to it), then POST its form with the step's `fields` (a step without fields is
    only visited). Returns the page the last step led to. `session` is a Session, or anything
    with its get() and post() (the harness's in-process test client)."""
    path = start
    for number, step in enumerate(steps, 1):
        path = _local(path, step.get("path") or "")
        page = session.get(path)
        if page.status != 200:
            raise StepFailed(f"step {number} GET HTTP {page.status}")
        if step.get("fields") is None:
            continue
        target, fields, multipart = submission(path, page.text, step["fields"])
        response = session.post(target, fields, multipart=multipart)
        if response.status != step.get("status", 302):
            raise StepFailed(f"step {number} POST HTTP {response.status}")
        path = _local(target, response.location) if response.location else path
    return path


# -- the two modes ---------------------------------------------------------------------------


def _one(session: Session, plan: dict, path: str) -> tuple[float, float, str | None]:
    """One timed request: (when it started, how long it took, the error or None). For a form,
    its earlier pages and the GET of its page are walked first, untimed; the POST is timed."""
    try:
        if plan["method"] == "POST":
            form = plan["form"]
            path = _local(walk(session, path, plan["before"]), form.get("path") or "")
            page = session.get(path)
            if page.status != 200:
                return time.perf_counter(), 0.0, f"form page HTTP {page.status}"
            target, fields, multipart = submission(path, page.text, form["fields"])
            started = time.perf_counter()
            response = session.post(target, fields, multipart=multipart)
        else:
            started = time.perf_counter()
            response = session.request(plan["method"], path)
        elapsed = time.perf_counter() - started
    except (*TRANSPORT_ERRORS, FormNotFound, StepFailed) as error:
        kind = str(error) if isinstance(error, StepFailed) else type(error).__name__
        return time.perf_counter(), 0.0, kind
    error = None if response.status == plan["status"] else f"HTTP {response.status}"
    return started, elapsed, error


def _prepared(plan: dict, item: int) -> tuple[float, float, str | None]:
    """One prepared POST (the `item`-th of the plan's list, sent once), timed."""
    ready = plan["prepared"]
    if item >= len(ready):
        return time.perf_counter(), 0.0, "no prepared request left"
    entry = ready[item]
    session = Session(plan["base_url"], entry["cookies"], keep_alive=False, timeout=plan["timeout"])
    try:
        started = time.perf_counter()
        response = session.post(entry["path"], entry["fields"])
        elapsed = time.perf_counter() - started
    except TRANSPORT_ERRORS as error:
        return time.perf_counter(), 0.0, type(error).__name__
    error = None if response.status == plan["status"] else f"HTTP {response.status}"
    return started, elapsed, error


def _client(plan: dict, index: int, share: int | None, barrier, results) -> None:
    """One concurrent client, in a process of its own."""
    try:
        session = Session(
            plan["base_url"], plan["cookies"], timeout=plan["timeout"], headers=plan["headers"]
        )
        paths = plan["paths"]
        barrier.wait(timeout=60)
        window = time.perf_counter() + plan["warmup"]
        deadline = window + plan["duration"] if share is None else math.inf
        latencies, errors, end, done, turn = [], Counter(), window, 0, index
        while True:
            now = time.perf_counter()
            if now >= deadline or (share is not None and now >= window and done >= share):
                break
            if plan.get("prepared") is not None:
                # Client i sends items i, i + clients, i + 2 * clients…: each once.
                started, elapsed, error = _prepared(plan, turn)
                turn += int(plan["clients"])
            else:
                started, elapsed, error = _one(session, plan, paths[turn % len(paths)])
                turn += 1
            if started < window:
                continue  # warm-up: connections, each worker's first request, caches
            done += 1
            end = max(end, started + elapsed)
            if error:
                errors[error] += 1
            else:
                latencies.append(elapsed)
        session.close()
        results.put({"latencies": latencies, "errors": dict(errors), "window": window, "end": end})
    except BaseException as error:  # the parent must hear of it, whatever it is
        results.put({"crash": f"{type(error).__name__}: {error}"})


def _shares(total: int | None, clients: int) -> list[int | None]:
    if total is None:
        return [None] * clients
    return [total // clients + (1 if i < total % clients else 0) for i in range(clients)]


def run_load(plan: dict) -> dict:
    plan = {**PLAN_DEFAULTS, **plan}
    clients = int(plan["clients"])
    # fork: this process holds nothing but the standard library, so a child starts at once.
    context = multiprocessing.get_context("fork")
    barrier, results = context.Barrier(clients), context.Queue()
    processes = [
        context.Process(target=_client, args=(plan, i, share, barrier, results), daemon=True)
        for i, share in enumerate(_shares(plan["requests"], clients))
    ]
    for process in processes:
        process.start()
    budget = plan["warmup"] + (plan["duration"] or 0) + plan["timeout"] + 60
    if plan["requests"] is not None:
        budget += plan["requests"] * plan["timeout"]
    outcomes = [results.get(timeout=budget) for _ in processes]
    for process in processes:
        process.join(timeout=10)
    crashes = [outcome["crash"] for outcome in outcomes if "crash" in outcome]
    if crashes:
        raise RuntimeError(f"{len(crashes)} client(s) crashed: {crashes[0]}")
    latencies = [seconds for outcome in outcomes for seconds in outcome["latencies"]]
    errors = sum((Counter(outcome["errors"]) for outcome in outcomes), Counter())
    window = min(outcome["window"] for outcome in outcomes)
    end = max(outcome["end"] for outcome in outcomes)
    return {"clients": clients, **summarize(latencies, errors, end - window)}


def run_form_sequence(plan: dict) -> dict:
    """GET the form page then POST it, one after the other, each on a new connection (a
    multi-page form's earlier pages are walked first, untimed, on new connections too)."""
    plan = {**PLAN_DEFAULTS, **plan}
    gets, posts, errors = [], [], Counter()
    started = time.perf_counter()
    for turn in range(plan["requests"] or 50):
        path = plan["paths"][turn % len(plan["paths"])]
        session = Session(plan["base_url"], plan["cookies"], keep_alive=False)
        form = plan["form"]
        try:
            path = _local(walk(session, path, plan["before"]), form.get("path") or "")
            before = time.perf_counter()
            page = session.get(path)
            get_seconds = time.perf_counter() - before
            if page.status != 200:
                errors[f"GET HTTP {page.status}"] += 1
                continue
            target, fields, multipart = submission(path, page.text, form["fields"])
            before = time.perf_counter()
            response = session.post(target, fields, multipart=multipart)
            post_seconds = time.perf_counter() - before
        except (*TRANSPORT_ERRORS, FormNotFound, StepFailed) as error:
            errors[str(error) if isinstance(error, StepFailed) else type(error).__name__] += 1
            continue
        gets.append(get_seconds)
        if response.status == plan["status"]:
            posts.append(post_seconds)
        else:
            errors[f"POST HTTP {response.status}"] += 1
    elapsed = time.perf_counter() - started
    get, post = summarize(gets, {}, elapsed), summarize(posts, errors, elapsed)
    return {
        "requests": plan["requests"] or 50,
        "errors": post["errors"],
        "error_kinds": post["error_kinds"],
        "get_median_ms": get["p50_ms"],
        "post_median_ms": post["p50_ms"],
        "get": get,
        "post": post,
    }


def run(plan: dict) -> dict:
    mode = plan.get("mode", "load")
    if mode == "load":
        return run_load(plan)
    if mode == "form-sequence":
        return run_form_sequence(plan)
    raise ValueError(f"unknown mode {mode!r}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "url", nargs="?", help="a page to load; without it, a plan or a list of plans on stdin"
    )
    parser.add_argument("-c", "--clients", type=int, default=1)
    parser.add_argument("-d", "--duration", type=float, default=2.0)
    parser.add_argument("-n", "--requests", type=int, default=None)
    parser.add_argument("--warmup", type=float, default=0.5)
    args = parser.parse_args(argv)
    if args.url:
        parts = urlsplit(args.url)
        plans = {
            "base_url": f"{parts.scheme}://{parts.netloc}",
            "paths": [parts.path + (f"?{parts.query}" if parts.query else "") or "/"],
            "clients": args.clients,
            "duration": args.duration,
            "requests": args.requests,
            "warmup": args.warmup,
        }
    else:
        plans = json.load(sys.stdin)
    # A list of plans: one line of JSON per plan, as soon as it is measured.
    for plan in plans if isinstance(plans, list) else [plans]:
        sys.stdout.write(json.dumps(run(plan)) + "\n")
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
