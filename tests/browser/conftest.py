"""Browser fixtures: Debian's Chromium driven by Playwright, axe-core from npm.

Both are installed by CI (`apt-get install chromium`, `npm ci`); when one is missing the tests
fail and say how to install it: a skipped accessibility suite would pass unnoticed.

axe-core is injected with `page.evaluate` (through the DevTools protocol, which the page's
Content-Security-Policy does not govern) rather than with `bypass_csp=True`: the page under
test keeps its real policy, so a style or script the policy blocks shows up here too.
"""

import os
import time
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
AXE_SOURCE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="package")
def _allow_sync_database_access_under_playwright():
    """Playwright's sync API runs an event loop in the test thread, and Django refuses database
    access (the transactional_db flush) while one runs. Only for this package: a variable left
    in os.environ would reach the other tests and their subprocesses (`check --deploy`)."""
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="package")
def browser(_allow_sync_database_access_under_playwright):
    # Package scope: Playwright's event loop stops with the last browser test, before any
    # other test touches the database.
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: install Debian's Chromium with "
            "`apt-get update && apt-get install -y chromium` (never `playwright install`).",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE_SOURCE.exists():
        pytest.fail(
            f"{AXE_SOURCE} is missing: run `npm ci` at the repository root to install axe-core.",
            pytrace=False,
        )
    return AXE_SOURCE.read_text(encoding="utf-8")


# Runs before the page's own scripts, through the DevTools protocol (outside the page's CSP).
RECORD_CSP_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
    window.__cspViolations.push(
        `${event.effectiveDirective} blocked ${event.blockedURI || "inline"}`
        + ` at ${event.sourceFile || event.documentURI}:${event.lineNumber}`
    );
});
"""


@pytest.fixture
def page(browser):
    """A fresh French-speaking page that records what its Content-Security-Policy blocks."""
    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 800})
    context.add_init_script(RECORD_CSP_VIOLATIONS)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def csp_violations(page):
    """What the page's policy blocked so far (an inline style or script, a foreign source)."""
    return lambda: page.evaluate("() => window.__cspViolations")


def _format(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
        lines.append(f"  {violation['helpUrl']}")
        for node in violation["nodes"]:
            lines.append(f"    at {' '.join(node['target'])}: {node['html'][:160]}")
            summary = node.get("failureSummary", "").replace("\n", "\n      ")
            lines.append(f"      {summary}")
    return "\n".join(lines)


WIDTHS = (1280, 390)  # a desktop screen and a phone held upright


def _axe_at_every_width(page, axe_source) -> None:
    """axe-core with every rule it has, best practices included, on the page as it stands at
    each of WIDTHS (the layout, hence what is visible and its contrast, changes with the
    width); the viewport is put back as it was. Fails listing each violation with the
    elements at fault and how to fix them."""
    original = page.viewport_size
    try:
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": original["height"]})
            if not page.evaluate("() => typeof window.axe === 'object'"):
                page.evaluate(axe_source)
            violations = page.evaluate(
                "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
            )
            if violations:
                pytest.fail(
                    f"axe-core at {width} px on {page.url}:\n{_format(violations)}",
                    pytrace=False,
                )
    finally:
        page.set_viewport_size(original)


@pytest.fixture
def assert_accessible(page, axe_source):
    """Every page a test visits is held to every axe-core rule at 1280 and 390 px (issue 12:
    citizen and agent pages alike)."""
    return lambda: _axe_at_every_width(page, axe_source)


@pytest.fixture
def every_rule(page, axe_source):
    """The same check as `assert_accessible` (kept as a name for the agents' tests)."""
    return lambda: _axe_at_every_width(page, axe_source)


@pytest.fixture(autouse=True)
def _live_server_quiet_before_flush(transactional_db):
    """The database is emptied (TRUNCATE) after each test. A request the browser set off just
    before the test ended may still run in a live-server thread and lock rows TRUNCATE needs:
    PostgreSQL then breaks the tie with a deadlock error. Wait for those requests to end."""
    yield
    from django.db import connection

    deadline = time.monotonic() + 15
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid() AND state IN ('active', 'idle in transaction')"
            )
            if cursor.fetchone()[0] == 0:
                return
            time.sleep(0.05)
