"""Front office: the catalogue of démarches and each démarche's page."""

import hashlib
import logging

from django.conf import settings
from django.core.cache import cache
from django.http import Http404
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from forms_builder import selectors
from forms_builder.models import Audience, Procedure
from forms_builder.texts import describe_delay, describe_silence

logger = logging.getLogger(__name__)
CATALOGUE_CACHE_SECONDS = 15 * 60


def catalogue(request):
    query = request.GET.get("q", "")[:200]
    audience = request.GET.get("public", "")
    audience = audience if audience in Audience.values else ""
    category = request.GET.get("categorie", "")[:80]
    return render(
        request,
        "forms_builder/catalogue.html",
        {
            "query": query,
            "audience": audience,
            "category": category,
            "audiences": Audience.choices,
            "categories": selectors.categories(),
            "results_html": _catalogue_results(query=query, audience=audience, category=category),
        },
    )


def _catalogue_results(*, query: str, audience: str, category: str) -> str:
    """The list of démarches, rendered once per state of the catalogue and search: listing
    two hundred démarches costs far more than a cache read. Without Redis, rendered each time."""
    words = f"{selectors.catalogue_stamp()}|{query.strip().lower()}|{audience}|{category}"
    key = "catalogue:" + hashlib.sha256(words.encode()).hexdigest()
    try:
        cached = cache.get(key)
    except Exception:
        logger.warning("catalogue cache unreachable", exc_info=True)
        cached = None
    if cached is not None:
        return mark_safe(cached)  # noqa: S308 - our own template's output, as cached below
    procedures = list(selectors.catalogue(query=query, audience=audience, category=category))
    groups: dict[str, list[Procedure]] = {}
    for procedure in procedures:
        groups.setdefault(procedure.category, []).append(procedure)
    html = render_to_string(
        "forms_builder/_catalogue_results.html",
        {"results": procedures, "groups": groups, "is_search": bool(query.strip())},
    )
    try:
        cache.set(key, html, timeout=CATALOGUE_CACHE_SECONDS)
    except Exception:
        logger.warning("catalogue cache unreachable", exc_info=True)
    return mark_safe(html)  # noqa: S308 - our own template's output


def procedure_detail(request, slug: str):
    try:
        procedure = selectors.procedure_for_citizens(slug)
    except Procedure.DoesNotExist as exc:
        raise Http404 from exc
    audience_labels = [
        Audience(value).label for value in procedure.audiences if value in Audience.values
    ]
    return render(
        request,
        "forms_builder/procedure_detail.html",
        {
            "procedure": procedure,
            "audience_labels": audience_labels,
            "silence_text": describe_silence(procedure.silence_rule, procedure.silence_delay),
            "delay_text": describe_delay(procedure.silence_delay)
            if procedure.silence_delay
            else "",
            "retention_months": procedure.retention_months,
            "authority_address": settings.AUTHORITY_ADDRESS,
        },
    )
