"""PDF rendering of a Django template with WeasyPrint (receipts, attestations, letters).

WeasyPrint is imported on first use: it parses its own stylesheets on import, which every web
process and management command would otherwise pay for (and log) without printing anything.
"""

from functools import cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation


@cache
def _fetcher_class():
    from weasyprint.urls import URLFetcher

    class StaticFilesOnly(URLFetcher):
        """Only the project's static files (fonts, a logo): a letter never makes the worker
        read the network or a private file, whatever a template or a citizen's answer holds."""

        def __init__(self):
            super().__init__(allowed_protocols={"file"}, allow_redirects=False)

        def fetch(self, url, headers=None):
            path = Path(unquote(urlsplit(url).path)).resolve()
            if not path.is_relative_to(settings.BASE_DIR / "static"):
                raise ValueError(f"resource refused in a PDF: {url}")
            return super().fetch(url, headers)

    return StaticFilesOnly


def render_pdf(template_name: str, context: dict) -> bytes:
    """The template rendered in French, as PDF bytes."""
    from weasyprint import HTML

    with translation.override("fr"):
        html = render_to_string(template_name, context)
    base_url = (settings.BASE_DIR / "static").as_uri() + "/"
    return HTML(string=html, base_url=base_url, url_fetcher=_fetcher_class()()).write_pdf()
