"""Likely duplicates in the identity store: the records that may be the same person as a
record about to be created, each with why it matched.

Three reasons, as the front desk checks them by hand: the same birth date and similar names
(trigram similarity of the accent-free names), the same email (case aside), the same phone.
Merged records (tombstones) are never candidates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.contrib.postgres.search import TrigramSimilarity
from django.db.models import Q

from citizens.models import Citizen
from gru.phones import normalise_phone

# Names at least this similar (pg_trgm similarity of "given names family name usage name",
# accent-free and lower-case) count as similar when the birth dates are equal.
NAME_SIMILARITY = 0.4
SAME_BIRTH_DATE_AND_NAME = "same_birth_date_and_name"
SAME_EMAIL = "same_email"
SAME_PHONE = "same_phone"
REASON_LABELS = {
    SAME_BIRTH_DATE_AND_NAME: "même date de naissance et nom proche",
    SAME_EMAIL: "même adresse électronique",
    SAME_PHONE: "même téléphone",
}


@dataclass(frozen=True)
class Candidate:
    citizen: Citizen
    reasons: tuple[str, ...]

    @property
    def reason_labels(self) -> list[str]:
        return [REASON_LABELS[reason] for reason in self.reasons]


def searchable_name(given_names: str, family_name: str, usage_name: str = "") -> str:
    """The words `Citizen.search_name` holds for these names, computed the same way (by
    PostgreSQL's own unaccent, so both sides compare alike)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT lower(gru_unaccent(%s || ' ' || %s || ' ' || %s))",
            [given_names, family_name, usage_name],
        )
        return cursor.fetchone()[0]


def likely_duplicates(
    *,
    given_names: str = "",
    family_name: str = "",
    usage_name: str = "",
    birth_date: date | None = None,
    email: str = "",
    phone: str = "",
    exclude: Citizen | None = None,
    limit: int = 10,
) -> list[Candidate]:
    """The records that may be the same person as these details, best first."""
    conditions = Q()
    if birth_date is not None and (given_names or family_name):
        conditions |= Q(birth_date=birth_date)
    if email.strip():
        conditions |= Q(email__iexact=email.strip())
    number = normalise_phone(phone) if phone else None
    if number:
        conditions |= Q(phone=number)
    if not conditions:
        return []
    name = searchable_name(given_names, family_name, usage_name) if family_name else ""
    rows = Citizen.objects.filter(conditions, merged_into__isnull=True)
    if exclude is not None:
        rows = rows.exclude(pk=exclude.pk)
    if name:
        rows = rows.annotate(similarity=TrigramSimilarity("search_name", name))
    candidates = []
    for citizen in rows.order_by("pk")[:200]:
        reasons = []
        if (
            birth_date is not None
            and citizen.birth_date == birth_date
            and name
            and citizen.similarity >= NAME_SIMILARITY
        ):
            reasons.append(SAME_BIRTH_DATE_AND_NAME)
        if email.strip() and citizen.email.lower() == email.strip().lower():
            reasons.append(SAME_EMAIL)
        if number and citizen.phone == number:
            reasons.append(SAME_PHONE)
        if reasons:
            candidates.append(Candidate(citizen, tuple(reasons)))
    candidates.sort(key=lambda c: (-len(c.reasons), -getattr(c.citizen, "similarity", 0)))
    return candidates[:limit]
