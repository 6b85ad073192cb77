"""Front office: the catalogue of démarches and each démarche's page."""

from django.conf import settings
from django.http import Http404
from django.shortcuts import render

from forms_builder import selectors
from forms_builder.models import Audience, Procedure
from forms_builder.texts import describe_delay, describe_silence


def catalogue(request):
    query = request.GET.get("q", "")[:200]
    audience = request.GET.get("public", "")
    audience = audience if audience in Audience.values else ""
    category = request.GET.get("categorie", "")[:80]
    procedures = list(selectors.catalogue(query=query, audience=audience, category=category))
    groups: dict[str, list[Procedure]] = {}
    for procedure in procedures:
        groups.setdefault(procedure.category, []).append(procedure)
    return render(
        request,
        "forms_builder/catalogue.html",
        {
            "query": query,
            "audience": audience,
            "category": category,
            "audiences": Audience.choices,
            "categories": selectors.categories(),
            "groups": groups if not query else {},
            "results": procedures,
            "is_search": bool(query),
        },
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
