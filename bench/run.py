"""`make bench`: how fast every page is, against the dataset DATABASE_URL holds.

    DATABASE_URL=postgres://… REDIS_URL=redis://… python -m bench.run --scale small

Starts the application as production runs it (gunicorn, sync workers, DEBUG off, static
files collected into a manifest and served by WhiteNoise), then, for each page of
bench/pages.py, measures from a separate process (bench/client.py) the latency and throughput
at each concurrency level, and counts the SQL queries of one request in this process through
Django's test client. Prints a table and writes it as JSON under bench/results/. See
bench/README.md.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import platform
import random
import shlex
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"

SCALES = ("small", "city", "10x")
# Seconds of measurement per page and concurrency level: quick on the small dataset (CI).
DURATIONS = {"small": 2.0, "city": 10.0, "10x": 10.0}

# Production settings (DEBUG off), over plain HTTP on 127.0.0.1: no SSL redirect, and cookies
# without the Secure flag so that a plain HTTP client keeps them.
BENCH_ENVIRONMENT = {
    "DJANGO_SETTINGS_MODULE": "gru.settings",
    "DEBUG": "false",
    "SECRET_KEY": "bench-only-secret-key-not-a-secret-0123456789-abcdefghijklmnopqrstuvwxyz",
    "ALLOWED_HOSTS": "127.0.0.1",
    "SECURE_SSL_REDIRECT": "false",
    "SESSION_COOKIE_SECURE": "false",
    "CSRF_COOKIE_SECURE": "false",
    "EMAIL_URL": "consolemail://",
    "LOG_LEVEL": "WARNING",
}
# "manifest": as the production image, collectstatic into a temporary folder, hashed names
# from the manifest, compressed copies (7 s on 2 cores). "finders": no collection, WhiteNoise
# finds the files in the source tree (as the test suite does): quicker, for smoke runs.
STATIC_MODES = {
    "manifest": {"STATIC_MANIFEST": "true", "WHITENOISE_USE_FINDERS": "false"},
    "finders": {"STATIC_MANIFEST": "false", "WHITENOISE_USE_FINDERS": "true"},
}

# Publik's form server on this kind of machine (issue 3): a 3-field public form page and its
# submission, median of 50 sequential requests on new connections. Ours should take half.
PEER = {"name": "w.c.s.", "get_ms": 39.0, "post_ms": 47.0, "target_share": 0.5}
# The targets for citizen pages at 16 clients, city-scale data.
TARGET_P95_MS = 100.0
TARGET_FLOOR_RATIO = 4.0
TARGET_SUBMISSIONS_PER_S = 30.0
# Issue 12: the filing alone (a page with prepared POSTs, each a request filed).
TARGET_FILINGS_PER_S = 50.0
# Prepared POSTs made per concurrency level: enough for this rate over the warm-up and the
# measurement; beyond it, the client counts "no prepared request left" as errors.
PREPARED_PER_SECOND = 250


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# -- pure parts: figures, table, document ----------------------------------------------------


def ratio(value: float | None, floor: float | None) -> float | None:
    if value is None or not floor:
        return None
    return round(value / floor, 2)


def floor_ratios(runs: dict, floor_runs: dict, clients: int) -> dict | None:
    """A page's p50 and p95 over the floor's, at the same number of clients."""
    run, floor = runs.get(str(clients)), floor_runs.get(str(clients))
    if not run or not floor:
        return None
    return {
        "clients": clients,
        "p50": ratio(run["p50_ms"], floor["p50_ms"]),
        "p95": ratio(run["p95_ms"], floor["p95_ms"]),
    }


def meets_targets(page: dict, clients: int) -> bool | None:
    """The issue's targets, for citizen pages at the highest concurrency: p95 ≤ 100 ms and
    ≤ 4 times the floor; a submission also ≥ 30/s. Errors fail any page. None: no target."""
    run = page.get("runs", {}).get(str(clients))
    if page.get("status") != "measured" or not run:
        return None
    if run["errors"]:
        return False
    if page["audience"] != "citizen":
        return None
    ratios = page.get("floor_ratio") or {}
    ok = (run["p95_ms"] or 0) <= TARGET_P95_MS and (ratios.get("p95") or 0) <= TARGET_FLOOR_RATIO
    if page["method"] == "POST":
        least = TARGET_FILINGS_PER_S if page.get("prepared") else TARGET_SUBMISSIONS_PER_S
        ok = ok and (run["rps"] or 0) >= least
    return ok


def page_result(target, *, queries=None, queries_error="", runs=None) -> dict:
    page = target.page
    result = {
        "name": page.name,
        "method": page.method,
        "path": target.paths[0]
        if target.paths
        else (page.path if isinstance(page.path, str) else ""),
        "urls": len(target.paths),
        "audience": page.audience,
        "status": "absent" if target.absent else "measured",
    }
    if page.prepare is not None:
        result["prepared"] = True
    if target.absent:
        result["absent_reason"] = target.absent
        return result
    result.update(queries=queries, runs=runs or {})
    if queries_error:
        result["queries_error"] = queries_error
    result["errors"] = sum(run["errors"] for run in result["runs"].values())
    return result


def wcs_result(target, outcome: dict | None = None) -> dict:
    page = target.page
    result = {
        "name": page.name,
        "path": target.paths[0] if target.paths else "",
        # A multi-page form: the pages walked (untimed) before the one GET and POST are timed on.
        "steps_before": len(page.before),
        "form_path": page.form.path if page.form else "",
    }
    if target.absent:
        return {**result, "status": "absent", "absent_reason": target.absent}
    return {
        **result,
        "status": "measured",
        "requests": outcome["requests"],
        "errors": outcome["errors"],
        "error_kinds": outcome["error_kinds"],
        "get_median_ms": outcome["get_median_ms"],
        "post_median_ms": outcome["post_median_ms"],
        "peer_get_ms": PEER["get_ms"],
        "peer_post_ms": PEER["post_ms"],
        "get_share_of_peer": ratio(outcome["get_median_ms"], PEER["get_ms"]),
        "post_share_of_peer": ratio(outcome["post_median_ms"], PEER["post_ms"]),
    }


def results_document(meta: dict, pages: list[dict], wcs: list[dict]) -> dict:
    """The JSON written under bench/results/: `meta`, one entry per page, the w.c.s. runs.
    Each measured page gets its ratio to the floor at the highest concurrency level."""
    levels = meta["measurement"]["clients"]
    top = max(levels)
    floor = next((p for p in pages if p["name"] == meta["floor"]), None)
    for page in pages:
        if page["status"] == "measured":
            page["floor_ratio"] = floor_ratios(page["runs"], (floor or {}).get("runs", {}), top)
            page["meets_targets"] = meets_targets(page, top)
    return {"meta": meta, "pages": pages, "wcs": wcs}


def _ms(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.2f}" if value < 10 else f"{value:.1f}" if value < 100 else f"{value:.0f}"


def _number(value: float | None, digits: int = 0) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def _request(page: dict) -> str:
    path = page["path"] if len(page["path"]) <= 44 else page["path"][:43] + "…"
    more = f" (+{page['urls'] - 1} URLs)" if page.get("urls", 0) > 1 else ""
    return f"{page['method']} {path}{more}"


def render_table(headers: list[str], rows: list[list[str]], left: int = 2) -> str:
    """Columns padded to their widest cell; the first `left` aligned left, numbers right. A row
    shorter than the headers is a note: its last cell runs on unpadded."""
    full = [row for row in rows if len(row) == len(headers)]
    widths = [max([len(h), *(len(row[i]) for row in full)]) for i, h in enumerate(headers)]
    for row in rows:
        for i, cell in enumerate(row[:-1] if len(row) < len(headers) else []):
            widths[i] = max(widths[i], len(cell))

    def line(cells: list[str]) -> str:
        if len(cells) < len(headers):
            padded = [cell.ljust(widths[i]) for i, cell in enumerate(cells[:-1])]
            return "  ".join([*padded, cells[-1]]).rstrip()
        return "  ".join(
            cell.ljust(w) if i < left else cell.rjust(w)
            for i, (cell, w) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(headers), rule, *(line(row) for row in rows)])


def format_table(document: dict) -> str:
    meta, levels = document["meta"], document["meta"]["measurement"]["clients"]
    top = max(levels)
    headers = ["page", "request", "SQL"]
    for level in levels:
        headers += [f"p50@{level}", f"p95@{level}", f"p99@{level}", f"rps@{level}"]
    headers += ["err", f"floor p50@{top}", f"p95@{top}", "targets"]
    rows = []
    for page in document["pages"]:
        name = f"{page['name']} (floor)" if page["name"] == meta["floor"] else page["name"]
        if page["status"] == "absent":
            rows.append([name, _request(page), f"absent: {page['absent_reason']}"])
            continue
        row = [name, _request(page), _number(page["queries"])]
        for level in levels:
            run = page["runs"].get(str(level), {})
            row += [_ms(run.get("p50_ms")), _ms(run.get("p95_ms")), _ms(run.get("p99_ms"))]
            row.append(_number(run.get("rps")))
        ratios = page.get("floor_ratio") or {}
        targets = {True: "met", False: "MISSED", None: ""}[page.get("meets_targets")]
        row += [str(page["errors"]), _number(ratios.get("p50"), 2), _number(ratios.get("p95"), 2)]
        rows.append([*row, targets])
    measurement = meta["measurement"]
    per = (
        f"{measurement['requests']} requests"
        if measurement["requests"]
        else f"{measurement['duration_s']:g} s"
    )
    server = meta["server"]
    dataset = ", ".join(f"{count} {name}" for name, count in meta["dataset"].items())
    lines = [
        f"GRU bench · scale {meta['scale']} · {meta['started_at']} · commit {meta['git_commit']}",
        f"gunicorn {server['workers']} workers, {server['threads']} thread(s), "
        f"static {server['static']} · {meta['cpus']} CPUs, load average "
        f"{meta['load_average']['before']:.2f} before, {meta['load_average']['after']:.2f} after",
        f"{per} per measurement (+{measurement['warmup_s']:g} s warm-up) · data: {dataset}",
        "",
        render_table(headers, rows),
        "",
        "Latencies in ms, measured from a separate process. rps: successful requests per "
        "second (a POST page: GET + POST cycles).",
        "SQL: queries of one request (in-process test client). floor: the page's p50 and p95 "
        f"over /healthz's at {top} clients.",
        f"targets (citizen pages, {top} clients): p95 ≤ {TARGET_P95_MS:g} ms and "
        f"≤ {TARGET_FLOOR_RATIO:g} times the floor's, submissions ≥ "
        f"{TARGET_SUBMISSIONS_PER_S:g}/s (whole cycles), filings ≥ {TARGET_FILINGS_PER_S:g}/s "
        "(prepared POSTs), no error.",
    ]
    if document["wcs"]:
        lines += ["", format_wcs(document["wcs"], meta)]
    return "\n".join(lines)


def format_wcs(entries: list[dict], meta: dict) -> str:
    target = PEER["target_share"]
    headers = ["form", "request", "GET ms", PEER["name"], "target", "POST ms", PEER["name"]]
    headers += ["target", "errors"]
    rows = []
    for entry in entries:
        request = f"GET+POST {entry['path']}"
        if entry.get("steps_before"):
            request = f"{request} {entry['form_path']} (after {entry['steps_before']} pages)"
        if entry["status"] == "absent":
            rows.append([entry["name"], request, f"absent: {entry['absent_reason']}"])
            continue
        rows.append(
            [
                entry["name"],
                request,
                _ms(entry["get_median_ms"]),
                _ms(PEER["get_ms"]),
                f"≤ {_ms(PEER['get_ms'] * target)}",
                _ms(entry["post_median_ms"]),
                _ms(PEER["post_ms"]),
                f"≤ {_ms(PEER['post_ms'] * target)}",
                str(entry["errors"]),
            ]
        )
    title = (
        f"{PEER['name']} comparison: sequential, a new connection each, GET the form then POST "
        f"it with its token and cookie, median of {meta['measurement']['wcs_requests']}"
    )
    return f"{title}\n{render_table(headers, rows)}"


def write_results(document: dict, directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%dT%H%M%S")
    path = directory / f"{stamp}-{document['meta']['scale']}.json"
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


# -- processes: environment, static files, dataset, gunicorn, the load generator ------------


def environment(static: str, static_root: Path) -> dict[str, str]:
    """What the server, this process and the manage.py commands run with."""
    return {**BENCH_ENVIRONMENT, **STATIC_MODES[static], "STATIC_ROOT": str(static_root)}


def manage(env: dict[str, str], *arguments: str) -> None:
    subprocess.run(
        [sys.executable, "manage.py", *arguments], cwd=ROOT, env={**os.environ, **env}, check=True
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def answers(port: int, path: str = "/healthz") -> bool:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
    try:
        connection.request("GET", path)
        return connection.getresponse().status == 200
    except OSError:
        return False
    finally:
        connection.close()


# gunicorn's default access log line, after the worker's process id (to see which have served).
ACCESS_LOG_FORMAT = '%(p)s %(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s"'


def served_by(access_log: Path) -> set[str]:
    """The process ids of the workers that have answered a request."""
    if not access_log.exists():
        return set()
    return {line.split(" ", 1)[0] for line in access_log.read_text().splitlines() if line}


@contextlib.contextmanager
def gunicorn(env: dict[str, str], *, workers: int, threads: int, logs: Path) -> Iterator[dict]:
    """gunicorn serving gru.wsgi as docker-compose runs it, on a free port of 127.0.0.1,
    once every worker has answered (each imports the URLconf, and all it imports, on its first
    request: most of a second of CPU)."""
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "gru.wsgi:application",
        f"--bind=127.0.0.1:{port}",
        f"--workers={workers}",
        f"--threads={threads}",
        "--timeout=60",
        f"--access-logfile={logs / 'access.log'}",
        f"--access-logformat={ACCESS_LOG_FORMAT}",
        f"--error-logfile={logs / 'gunicorn.log'}",
        "--log-level=warning",
    ]
    with open(logs / "output.log", "w") as output:
        process = subprocess.Popen(
            command, cwd=ROOT, env={**os.environ, **env}, stdout=output, stderr=output
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120

        def check_alive():
            if process.poll() is not None or time.monotonic() > deadline:
                tail = (logs / "gunicorn.log").read_text(errors="replace")[-3000:]
                raise RuntimeError(f"gunicorn did not start:\n{tail}")

        while not answers(port):
            check_alive()
            time.sleep(0.1)
        while len(served_by(logs / "access.log")) < workers:
            check_alive()
            # Concurrent requests, so that the busy workers leave some to the others.
            plan = {"base_url": base_url, "paths": ["/healthz"], "clients": 2 * workers}
            list(measure([{**plan, "duration": 0.5, "warmup": 0}]))
        yield {"base_url": base_url, "command": command[2:], "pid": process.pid}
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def measure(plans: list[dict]) -> Iterator[dict]:
    """The figures of each plan, measured one after the other by the load generator, in a
    process of its own."""
    with tempfile.TemporaryFile("w+") as errors:
        process = subprocess.Popen(
            [sys.executable, "-m", "bench.client"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
            cwd=ROOT,
        )
        try:
            process.stdin.write(json.dumps(plans))
            process.stdin.close()
            for line in process.stdout:
                yield json.loads(line)
        finally:
            if process.wait() != 0:
                errors.seek(0)
                raise RuntimeError(f"the load generator failed:\n{errors.read()[-3000:]}")


def git_commit() -> str:
    completed = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    return completed.stdout.strip() or "unknown"


def cpu_count() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()


# -- the run ---------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.run", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "--scale",
        choices=SCALES,
        default="small",
        help="the dataset's size: names the results and sets the default duration",
    )
    parser.add_argument(
        "--generate",
        action="store_true",
        help="first load the dataset with manage.py generate_dataset --scale SCALE",
    )
    parser.add_argument(
        "--generate-args",
        default="",
        help='more arguments for generate_dataset, e.g. "--replace --seed 2"',
    )
    parser.add_argument(
        "--clients",
        default="1,16",
        type=lambda text: sorted({int(n) for n in text.split(",")}),
        help="concurrency levels, comma-separated (default 1,16)",
    )
    parser.add_argument(
        "--duration",
        type=float,
        help="seconds per measurement (default: 2 at small, 10 at city and 10x)",
    )
    parser.add_argument(
        "--requests", type=int, help="a fixed number of requests per measurement instead"
    )
    parser.add_argument(
        "--warmup",
        type=float,
        help="unrecorded seconds before each measurement (default ¼ of it, ≤ 1 s)",
    )
    parser.add_argument(
        "--workers", type=int, default=2 * cpu_count() + 1, help="gunicorn workers (2 per CPU + 1)"
    )
    parser.add_argument(
        "--threads", type=int, default=1, help="threads per worker (>1: gthread, keep-alive)"
    )
    parser.add_argument("--static", choices=tuple(STATIC_MODES), default="manifest")
    parser.add_argument("--pages", help="only these pages, comma-separated (the floor always)")
    parser.add_argument(
        "--wcs-requests",
        type=int,
        default=50,
        help="sequential GET+POST pairs of the w.c.s. comparison (0: skip it)",
    )
    parser.add_argument("--seed", type=int, default=0, help="for URLs drawn from the database")
    parser.add_argument("--output", type=Path, default=RESULTS, help="where the JSON goes")
    args = parser.parse_args(argv)
    if args.duration is None:
        args.duration = DURATIONS[args.scale]
    if args.warmup is None:
        args.warmup = 0.5 if args.requests else min(1.0, args.duration / 4)
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    missing = [name for name in ("DATABASE_URL", "REDIS_URL") if not os.environ.get(name)]
    if missing:
        log(f"bench: set {' and '.join(missing)}: the database holding the dataset to measure.")
        return 2
    started_at = datetime.now().astimezone().isoformat(timespec="seconds")
    load_before = os.getloadavg()[0]
    with contextlib.ExitStack() as stack:
        scratch = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="gru-bench-")))
        static_root = scratch / "static"  # empty with "finders": WhiteNoise wants a folder
        static_root.mkdir()
        env = environment(args.static, static_root)
        if args.static == "manifest":
            log("bench: collectstatic (manifest, compressed)…")
            manage(env, "collectstatic", "--noinput", "--verbosity=0")
        os.environ.update(env)
        import django

        django.setup()
        if args.generate:
            generate_dataset(env, args.scale, args.generate_args)
        prepared = prepare(args)
        with gunicorn(env, workers=args.workers, threads=args.threads, logs=scratch) as server:
            pages, wcs = run_measurements(args, prepared, server["base_url"])
        meta = {
            "scale": args.scale,
            "started_at": started_at,
            "git_commit": git_commit(),
            "python": platform.python_version(),
            "cpus": cpu_count(),
            # The machine's 1-minute load average: anything else running skews the figures.
            "load_average": {"before": load_before, "after": os.getloadavg()[0]},
            "server": {
                "workers": args.workers,
                "threads": args.threads,
                "static": args.static,
                "command": server["command"],
            },
            "measurement": {
                "clients": args.clients,
                "duration_s": None if args.requests else args.duration,
                "requests": args.requests,
                "warmup_s": args.warmup,
                "wcs_requests": args.wcs_requests,
                "seed": args.seed,
            },
            "dataset": prepared["dataset"],
            "floor": prepared["floor"],
            "peer": PEER,
        }
    document = results_document(meta, pages, wcs)
    print(format_table(document))
    path = write_results(document, args.output)
    print(f"\nResults: {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
    return 0


def generate_dataset(env: dict[str, str], scale: str, extra: str) -> None:
    from django.core.management import get_commands

    if "generate_dataset" not in get_commands():
        log("bench: manage.py generate_dataset does not exist yet; measuring the data in place.")
        return
    arguments = ["generate_dataset", f"--scale={scale}", *shlex.split(extra)]
    log(f"bench: {' '.join(arguments)}…")
    # DEBUG on for this command only, as `make run` loads the demo: like load_demo it refuses
    # to create accounts with a public password on what could be a production database.
    manage({**env, "DEBUG": "true"}, *arguments)


def prepare(args) -> dict:
    """In this process, against the database: each page's URLs (or why it is absent), the SQL
    queries of one request, the session cookie of signed-in pages, the dataset's size."""
    from django.db import connections
    from django.test import Client

    from bench import pages as registry

    rng = random.Random(args.seed)  # noqa: S311 (which rows to request, not a secret)
    wanted = set(args.pages.split(",")) | {registry.FLOOR} if args.pages else None
    unknown = (wanted or set()) - {page.name for page in registry.PAGES}
    if unknown:
        raise SystemExit(f"bench: unknown page(s): {', '.join(sorted(unknown))}")
    entries = []
    for page in registry.PAGES:
        if wanted is not None and page.name not in wanted:
            continue
        client = Client(SERVER_NAME="127.0.0.1", enforce_csrf_checks=True)
        target = registry.locate(page, rng, client)
        # The visitor as prepared (signed in, session filled), before counting makes it
        # request anything: the load generator's clients start from there.
        cookies = registry.visitor_cookies(client)
        entry = {"target": target, "queries": None, "queries_error": "", "cookies": cookies}
        entry["headers"] = target.headers
        if page.prepare is not None and not target.absent:
            log(f"bench: preparing the POSTs of {page.name}…")
            entry["prepared"] = page.prepare(client, prepared_count(args))
        if not target.absent:
            log(f"bench: counting the queries of {page.name}…")
            try:
                entry["queries"] = registry.count_queries(page, client, target.paths[0])
            except Exception as error:  # reported with the page, the load still runs
                entry["queries_error"] = f"{type(error).__name__}: {error}"
        entries.append(entry)
    dataset = dataset_counts()
    connections.close_all()
    return {"entries": entries, "dataset": dataset, "floor": registry.FLOOR}


def prepared_count(args) -> int:
    """How many POSTs a page with prepared ones needs: the warm-up's, then, for each level,
    what PREPARED_PER_SECOND gives over its warm-up and measurement (or its fixed number)."""
    warm = 2 * args.workers * args.threads
    if args.requests:
        per_level = args.requests + PREPARED_PER_SECOND * args.warmup
    else:
        per_level = PREPARED_PER_SECOND * (args.duration + args.warmup)
    return warm + int(per_level) * len(args.clients)


def dataset_counts() -> dict[str, int]:
    from citizens.models import Citizen
    from forms_builder.models import Procedure
    from gru.models import Team
    from service_requests.models import Event, Interaction, ServiceRequest

    models = {
        "citizens": Citizen,
        "requests": ServiceRequest,
        "events": Event,
        "interactions": Interaction,
        "procedures": Procedure,
        "teams": Team,
    }
    return {name: model.objects.count() for name, model in models.items()}


def run_measurements(args, prepared: dict, base_url: str) -> tuple[list[dict], list[dict]]:
    """Every page at every concurrency level, then the w.c.s. comparison of form pages. First,
    unrecorded, each page twice per worker, from as many clients as there are workers (a sync
    worker busy with one request takes no other, so each gets its share): a worker's first
    request to a page compiles its templates, and its first PDF loads the fonts (seconds)."""
    plans, keys, warm = [], [], []
    for index, entry in enumerate(prepared["entries"]):
        target, page = entry["target"], entry["target"].page
        if target.absent:
            continue
        common = {
            "base_url": base_url,
            "method": page.method,
            "paths": target.paths,
            "status": page.expected_status,
            "form": page.form.plan() if page.form else None,
            "before": [step.plan() for step in page.before],
            "cookies": entry["cookies"],
            "headers": entry.get("headers") or {},
        }
        workers = args.workers * args.threads
        # Prepared POSTs are each sent once: every plan gets a slice of its own.
        ready = entry.get("prepared")
        slices = iter(
            _slices(
                ready,
                [2 * workers]
                + [(len(ready) - 2 * workers) // len(args.clients)] * len(args.clients),
            )
            if ready is not None
            else []
        )
        warm.append(
            {
                **common,
                "clients": workers,
                "requests": 2 * workers,
                "warmup": 0,
                "prepared": next(slices, None),
            }
        )
        for clients in args.clients:
            plans.append(
                {
                    **common,
                    "mode": "load",
                    "clients": clients,
                    "duration": args.duration,
                    "requests": args.requests,
                    "warmup": args.warmup,
                    "prepared": next(slices, None),
                }
            )
            keys.append((index, clients))
        if page.form is not None and page.prepare is None and args.wcs_requests:
            plans.append({**common, "mode": "form-sequence", "requests": args.wcs_requests})
            keys.append((index, "wcs"))
    log(f"bench: warming every worker up on {len(warm)} pages…")
    for plan, outcome in zip(warm, measure(warm), strict=True):
        if outcome["errors"]:
            log(f"bench: warm-up of {plan['paths'][0]}: {outcome['error_kinds']}")
    outcomes = {}
    for (index, level), outcome in zip(keys, measure(plans), strict=True):
        name = prepared["entries"][index]["target"].page.name
        if level == "wcs":
            log(
                f"bench: {name}, w.c.s. comparison: GET {outcome['get_median_ms']} ms, "
                f"POST {outcome['post_median_ms']} ms, {outcome['errors']} errors"
            )
        else:
            log(
                f"bench: {name} at {level} client(s): p50 {outcome['p50_ms']} ms, "
                f"p95 {outcome['p95_ms']} ms, {outcome['rps']}/s, {outcome['errors']} errors"
            )
        outcomes[index, level] = outcome
    pages, wcs = [], []
    for index, entry in enumerate(prepared["entries"]):
        target = entry["target"]
        if target.absent:
            pages.append(page_result(target))
        else:
            runs = {str(clients): outcomes[index, clients] for clients in args.clients}
            pages.append(
                page_result(
                    target,
                    queries=entry["queries"],
                    queries_error=entry["queries_error"],
                    runs=runs,
                )
            )
        if target.page.form is not None and target.page.prepare is None and args.wcs_requests:
            wcs.append(wcs_result(target, outcomes.get((index, "wcs"))))
    return pages, wcs


def _slices(items: list, sizes: list[int]) -> list[list]:
    """`items` cut in consecutive slices of these sizes."""
    out, start = [], 0
    for size in sizes:
        out.append(items[start : start + size])
        start += size
    return out


if __name__ == "__main__":
    sys.exit(main())
