"""Find a citizen from whatever the agent was given: a name with or without accents and with a
typo or two, a usage name, a phone number in any French format, an email, a birth date as people
type it, a SIRET, SIREN or RNA number of an organisation they represent, a street address, or a
request reference (recognised by the caller: `citizens` knows nothing of requests).

The query is read term by term (`read_query`). Exact criteria (email, phone, birth date,
organisation numbers) select; the words then only rank, so that « dupont 12/03/1980 » lists the
people born that day, the Duponts first, typo or not. Words alone select through trigram word
similarity (pg_trgm) on the accent-free, lower-case `search_name` and `search_address` columns,
whose GIN indexes serve the `%>` operator: each word must be close to a word of the name or of
the address; the first CANDIDATES rows found are ranked. A first pass is strict (few
candidates, even for « martin »); when it finds fewer than asked and nobody with every word as
typed, a tolerant pass forgives two typos (most of them: two letters swapped in a short name may
fall below it, and the birth date then finds the person). Merged records (tombstones) never
show. How the query is read is in `citizens.search.reading`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.contrib.postgres.search import TrigramWordSimilarity
from django.db import connection, transaction
from django.db.models import (
    BooleanField,
    Case,
    Expression,
    F,
    FloatField,
    Func,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Greatest, Lower

from citizens.models import Citizen, Organisation, Representation, Unaccent
from citizens.search.reading import ReadQuery, ReferenceLookup, read_query

__all__ = [
    "DEFAULT_LIMIT",
    "MAX_QUERY_LENGTH",
    "CitizenHit",
    "OrganisationHit",
    "ReadQuery",
    "ReferenceLookup",
    "SearchResults",
    "read_query",
    "search_citizens",
]

MAX_QUERY_LENGTH = 200
DEFAULT_LIMIT = 25
# pg_trgm's word similarity a word must reach: the strict pass keeps the candidates few on a
# common name (« martin » would otherwise read every « mar… »); the tolerant one forgives two
# typos in a name (« granier » for « garnier »: 0.375).
STRICT_SIMILARITY = 0.5
TOLERANT_SIMILARITY = 0.3
# An address matching a word counts for a little less than a name matching it.
ADDRESS_WEIGHT = 0.8
# How many rows a word search ranks at most: a common name (« martin », « jean ») matches
# thousands, and each costs two trigram comparisons (the index's recheck, the rank), some 10 µs
# apiece; the agent is asked to add a birth date or a given name when the first 25 are not the
# person, and a rarer name has fewer candidates than this, all ranked.
CANDIDATES = 200


@dataclass(frozen=True)
class CitizenHit:
    """What tells namesakes apart, and nothing more."""

    pk: int
    display_name: str
    birth_name: str  # when the usage name differs from it, else ""
    birth_date: date | None
    city: str
    last_contact: datetime | None = None


@dataclass(frozen=True)
class OrganisationHit:
    pk: int
    name: str
    kind: str  # its label
    number: str  # SIRET or RNA


@dataclass
class SearchResults:
    query: ReadQuery
    citizens: list[CitizenHit]
    organisations: list[OrganisationHit]


class _AmongIds(Func):
    """`pk = ANY(ARRAY(subquery))`: the subquery runs once (an InitPlan) and its ids are read
    through the primary key, under an OR as well, where `pk IN (subquery)` would be checked row
    by row over the whole table."""

    output_field = BooleanField()

    def __init__(self, ids: QuerySet):
        super().__init__(F("pk"), Subquery(ids))

    def as_sql(self, compiler, connection, **extra_context):
        (pk, pk_params), (ids, ids_params) = (
            compiler.compile(expression) for expression in self.get_source_expressions()
        )
        return f"{pk} = ANY(ARRAY{ids})", (*pk_params, *ids_params)


def _among(citizen_ids: QuerySet) -> Q:
    return Q(_AmongIds(citizen_ids))


def _normalised(word: str) -> Expression:
    """The word as `search_name` and `search_address` hold theirs: by PostgreSQL's unaccent."""
    return Lower(Unaccent(Value(word)))


def _similarity(word: str, *, with_addresses: bool) -> Expression:
    """How close `word` comes to a word of the name (or, a little less, of the address)."""
    name = TrigramWordSimilarity(_normalised(word), "search_name")
    if not with_addresses:
        return name
    address = TrigramWordSimilarity(_normalised(word), "search_address") * ADDRESS_WEIGHT
    return Greatest(name, address, output_field=FloatField())


def _selection(read: ReadQuery) -> tuple[Q, Expression]:
    """The rows the exact criteria select, and how many of them each row meets."""
    conditions = []
    for email in read.emails:
        conditions.append(Q(email_lower=Lower(Value(email))))
    for phone in read.phones:
        conditions.append(Q(phone=phone))
    for day in read.birth_dates:
        conditions.append(Q(birth_date=day))
    if read.organisation_numbers:
        organisations = Organisation.objects.filter(_organisation_numbers(read))
        represented = Representation.objects.filter(organisation__in=organisations)
        conditions.append(_among(represented.values("citizen_id")))
    selected = Q()
    met: Expression = Value(0.0)
    for condition in conditions:
        selected |= condition
        met = met + Case(When(condition, then=Value(1.0)), default=Value(0.0))
    return selected, met


def _candidates(read: ReadQuery, *, with_addresses: bool) -> QuerySet:
    """The first CANDIDATES rows each word of which is close to a word of the name (or of the
    address), as the GIN indexes find them under the threshold in force."""
    close = Q()
    for word in read.words:
        normalised = _normalised(word)
        one = Q(search_name__trigram_word_similar=normalised)
        if with_addresses:
            one |= Q(search_address__trigram_word_similar=normalised)
        close &= one
    rows = Citizen.objects.filter(close, merged_into__isnull=True)
    return rows.values("pk")[:CANDIDATES]


def _ranked(
    read: ReadQuery,
    annotations: dict[str, Expression],
    limit: int,
    *,
    candidates: QuerySet | None = None,
    with_addresses: bool = True,
) -> list[dict]:
    """One query: the rows the criteria select (or the word candidates), or a reference names,
    best first, with the caller's annotations."""
    rows = Citizen.objects.filter(merged_into__isnull=True)
    if read.emails:
        rows = rows.alias(email_lower=Lower("email"))
    found, rank = _selection(read) if read.selects else (Q(), Value(0.0))
    if candidates is not None:
        found |= _among(candidates)
    for word in read.words:
        rank = rank + _similarity(word, with_addresses=with_addresses)
    references = Q()
    for citizen_ids in read.reference_citizens:
        references |= _among(citizen_ids)
    if references:
        found |= references
        rank = rank + Case(When(references, then=Value(10.0)), default=Value(0.0))
    if not found:
        return []
    rows = rows.filter(found).annotate(rank=rank, **annotations)
    fields = ["pk", "given_names", "family_name", "usage_name", "birth_date", "city", "rank"]
    order = (F("rank").desc(), "family_name", "given_names", "pk")
    return list(rows.order_by(*order).values(*fields, *annotations)[:limit])


def _set_word_similarity(threshold: float) -> None:
    """pg_trgm's threshold for the `%>` operator, until the transaction ends. Sequential scans
    are off as long: the planner, which counts a trigram comparison as cheap as an equality,
    would read the table in order for a common word until CANDIDATES rows pass (40 ms for
    « jean » at 300,000 citizens) rather than ask the GIN index (a few ms)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('pg_trgm.word_similarity_threshold', %s, true), "
            "set_config('enable_seqscan', 'off', true)",
            [str(threshold)],
        )


def _word_pass(read, annotations, limit, *, threshold: float, with_addresses: bool) -> list[dict]:
    _set_word_similarity(threshold)
    candidates = _candidates(read, with_addresses=with_addresses)
    return _ranked(read, annotations, limit, candidates=candidates, with_addresses=with_addresses)


def _best(rows: list[dict], more: list[dict], limit: int) -> list[dict]:
    by_pk = {row["pk"]: row for row in more}
    by_pk.update({row["pk"]: row for row in rows})
    order = sorted(
        by_pk.values(), key=lambda r: (-r["rank"], r["family_name"], r["given_names"], r["pk"])
    )
    return order[:limit]


def _by_words(read: ReadQuery, annotations: dict[str, Expression], limit: int) -> list[dict]:
    """Words alone: a strict pass, then a tolerant one (two typos) if it found fewer than
    `limit` and no row where every word is found as typed (the agent then typed a real name);
    names only unless the query looks like an address, addresses as a last resort."""
    with_addresses = read.mentions_address
    rows = _word_pass(
        read, annotations, limit, threshold=STRICT_SIMILARITY, with_addresses=with_addresses
    )
    exact = bool(rows) and rows[0]["rank"] >= len(read.words) - 0.001
    if len(rows) < limit and not exact:
        tolerant = _word_pass(
            read, annotations, limit, threshold=TOLERANT_SIMILARITY, with_addresses=with_addresses
        )
        rows = _best(rows, tolerant, limit)
    if not rows and not with_addresses:
        rows = _word_pass(
            read, annotations, limit, threshold=TOLERANT_SIMILARITY, with_addresses=True
        )
    return rows


def _hit(row: dict) -> CitizenHit:
    usage, family = row["usage_name"], row["family_name"]
    name = usage or family
    return CitizenHit(
        pk=row["pk"],
        display_name=f"{row['given_names']} {name}".strip(),
        birth_name=family if usage and usage != family else "",
        birth_date=row["birth_date"],
        city=row["city"],
        last_contact=row.get("last_contact"),
    )


def _organisation_numbers(read: ReadQuery) -> Q:
    numbers = Q()
    for siret in read.sirets:
        numbers |= Q(siret=siret)
    for siren in read.sirens:  # the SIRETs of its establishments, through the unique index
        numbers |= Q(siret__gte=f"{siren}00000", siret__lte=f"{siren}99999")
    for rna in read.rnas:
        numbers |= Q(rna=rna)
    return numbers


def _organisations(read: ReadQuery, limit: int) -> list[OrganisationHit]:
    kinds = dict(Organisation.Kind.choices)
    rows = Organisation.objects.filter(_organisation_numbers(read)).order_by("name", "pk")
    fields = ("pk", "name", "kind", "siret", "rna")
    return [
        OrganisationHit(pk=pk, name=name, kind=str(kinds.get(kind, kind)), number=siret or rna)
        for pk, name, kind, siret, rna in rows.values_list(*fields)[:limit]
    ]


def search_citizens(
    query: str,
    *,
    limit: int = DEFAULT_LIMIT,
    by_reference: ReferenceLookup | None = None,
    annotations: dict[str, Expression] | None = None,
) -> SearchResults:
    """The citizens (and organisations) `query` designates, best first, at most `limit`.

    `by_reference` recognises request references (see ReferenceLookup); `annotations` are added
    to the one query that reads the citizens (e.g. `last_contact`, which `CitizenHit` carries),
    so that the caller's data about them costs no further query."""
    read = read_query(query[:MAX_QUERY_LENGTH], by_reference)
    annotations = annotations or {}
    organisations = _organisations(read, limit) if read.organisation_numbers else []
    if read.is_empty:
        return SearchResults(read, [], organisations)
    if read.words and not read.selects:
        with transaction.atomic():  # the thresholds hold for this transaction only
            rows = _by_words(read, annotations, limit)
    else:  # the words, if any, only rank: no threshold
        rows = _ranked(read, annotations, limit)
    return SearchResults(read, [_hit(row) for row in rows], organisations)
