"""Reads of the catalogue of démarches."""

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db.models import Count, Max, Q, QuerySet

from forms_builder.models import Procedure

SEARCH_CONFIG = "fr_unaccent"


def published_procedures() -> QuerySet[Procedure]:
    return Procedure.objects.filter(is_published=True)


def catalogue(*, query: str = "", audience: str = "", category: str = "") -> QuerySet[Procedure]:
    """Published procedures matching the citizen's words (accent-insensitive, French stemming,
    or a piece of the title) and filters; best matches first."""
    procedures = published_procedures().only(
        "slug", "title", "summary", "category", "audiences", "identification"
    )
    if audience:
        procedures = procedures.filter(audiences__contains=[audience])
    if category:
        procedures = procedures.filter(category=category)
    query = query.strip()
    if not query:
        return procedures.order_by("category", "title")
    vector = SearchVector("title", weight="A", config=SEARCH_CONFIG) + SearchVector(
        "summary", "category", "description", weight="B", config=SEARCH_CONFIG
    )
    search = SearchQuery(query, config=SEARCH_CONFIG, search_type="websearch")
    return (
        procedures.annotate(document=vector, rank=SearchRank(vector, search))
        .filter(Q(document=search) | Q(title__unaccent__icontains=query))
        .order_by("-rank", "title")
    )


def catalogue_stamp() -> str:
    """Changes whenever what the catalogue shows may change (a procedure saved, published,
    unpublished or deleted): the key of its cached rendering."""
    state = published_procedures().aggregate(count=Count("id"), last=Max("updated_at"))
    last = state["last"].isoformat() if state["last"] else ""
    return f"{state['count']}:{last}"


def categories() -> list[str]:
    return list(
        published_procedures().order_by("category").values_list("category", flat=True).distinct()
    )


def procedure_for_citizens(slug: str) -> Procedure:
    """A published procedure with its team; Procedure.DoesNotExist otherwise."""
    return published_procedures().select_related("default_team").get(slug=slug)
