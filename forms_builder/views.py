"""Front office: the catalogue of démarches and each démarche's page."""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.http import Http404
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from forms_builder import selectors
from forms_builder.models import Audience, Procedure
from forms_builder.texts import describe_delay, describe_silence

CATALOGUE_CACHE_SECONDS = 15 * 60


def catalogue(request):
    query = request.GET.get("q", "")[:200]
    audience = request.GET.get("public", "")
    audience = audience if audience in Audience.values else ""
    category = request.GET.get("categorie", "")[:80]
    categories = selectors.categories()
    # An unknown category (a renamed one, a forged one) filters nothing and keys no cache.
    category = category if category in categories else ""
    return render(
        request,
        "forms_builder/catalogue.html",
        {
            "query": query,
            "audience": audience,
            "category": category,
            "audiences": Audience.choices,
            "categories": categories,
            "results_html": _catalogue_results(query=query, audience=audience, category=category),
        },
    )


def _catalogue_results(*, query: str, audience: str, category: str) -> str:
    """The list of démarches, rendered once per state of the catalogue and filter: listing two
    hundred démarches costs far more than a cache read. A free-text search is never cached:
    its key would grow the cache with whatever visitors type (issue 13)."""
    if query.strip():
        return mark_safe(_render_results(query=query, audience=audience, category=category))  # noqa: S308 - our own template's output
    words = f"{selectors.catalogue_stamp()}|{audience}|{category}"
    key = "catalogue:" + hashlib.sha256(words.encode()).hexdigest()
    cached = cache.get(key)
    if cached is None:
        cached = _render_results(query="", audience=audience, category=category)
        cache.set(key, cached, timeout=CATALOGUE_CACHE_SECONDS)
    return mark_safe(cached)  # noqa: S308 - our own template's output, as cached above


def _render_results(*, query: str, audience: str, category: str) -> str:
    procedures = list(selectors.catalogue(query=query, audience=audience, category=category))
    groups: dict[str, list[Procedure]] = {}
    for procedure in procedures:
        groups.setdefault(procedure.category, []).append(procedure)
    return render_to_string(
        "forms_builder/_catalogue_results.html",
        {"results": procedures, "groups": groups, "is_search": bool(query.strip())},
    )


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
