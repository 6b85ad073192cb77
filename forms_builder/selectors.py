"""Reads of the catalogue of démarches."""

from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db.models import Case, Count, F, IntegerField, Max, Q, QuerySet, Value, When

from forms_builder.models import SEARCH_CONFIG, Procedure


def category_rank(category: str) -> tuple[int, str]:
    """Where a category stands in the catalogue: in the order GRU_CATALOGUE_CATEGORIES gives
    (the démarches citizens come for most, first), then the others alphabetically."""
    order = settings.GRU_CATALOGUE_CATEGORIES
    return (order.index(category), "") if category in order else (len(order), category)


def _category_position() -> Case:
    order = settings.GRU_CATALOGUE_CATEGORIES
    return Case(
        *(When(category=name, then=Value(index)) for index, name in enumerate(order)),
        default=Value(len(order)),
        output_field=IntegerField(),
    )


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
        return procedures.order_by(_category_position(), "category", "title")
    search = SearchQuery(query, config=SEARCH_CONFIG, search_type="websearch")
    return (
        procedures.annotate(rank=SearchRank(F("search_vector"), search))
        .filter(Q(search_vector=search) | Q(title__unaccent__icontains=query))
        .order_by("-rank", "title")
    )


def catalogue_stamp() -> str:
    """Changes whenever what the catalogue shows may change (a procedure saved, published,
    unpublished or deleted): the key of its cached rendering."""
    state = published_procedures().aggregate(count=Count("id"), last=Max("updated_at"))
    last = state["last"].isoformat() if state["last"] else ""
    order = "|".join(settings.GRU_CATALOGUE_CATEGORIES)  # the rendering follows it
    return f"{state['count']}:{last}:{order}"


def categories() -> list[str]:
    names = published_procedures().order_by().values_list("category", flat=True).distinct()
    return sorted(names, key=category_rank)


def procedure_for_citizens(slug: str) -> Procedure:
    """A published procedure with its team; Procedure.DoesNotExist otherwise."""
    return published_procedures().select_related("default_team").get(slug=slug)
