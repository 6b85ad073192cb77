"""The API's documentation page: every axe-core rule at 1280 and 390 px, nothing blocked by the
CSP (no script, no outside resource), no sideways scrolling at 320 px."""

from django.urls import reverse


def test_the_api_docs_page_is_accessible(live_server, page, every_rule, csp_violations):
    response = page.goto(live_server.url + reverse("api:docs"))
    assert response.status == 200
    assert page.get_by_role("heading", name="POST /api/v1/requests/{reference}/decision/").count()
    every_rule()
    assert not csp_violations(), csp_violations()


def test_the_api_docs_page_reflows_at_320_css_pixels(live_server, page):
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(live_server.url + reverse("api:docs"))
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"the API docs scroll sideways by {overflow}px at 320px"
