"""How the search reads a query: term by term, what is a phone number, a birth date, an
email, an organisation's number, a request reference (as the caller recognises them), and the
words left for names and addresses (`citizens.search`)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from django.db.models import QuerySet
from django.utils import formats, timezone

from gru.phones import normalise_phone

# At most this many words are searched: each is one more condition on the index.
MAX_WORDS = 6
# Words of addresses and names that nearly every row holds: they would make the index return
# most of the table and tell nobody apart. Left out of the words searched (unless nothing else).
# A street kind, or a word with a digit, says that the query is (also) an address.
STREET_KINDS = frozenset((
    "rue", "avenue", "av", "bd", "boulevard", "chemin", "allee", "impasse", "place", "pl",
    "route", "rte", "quai", "cours", "square", "residence", "lotissement", "lieu", "dit", "bis",
    "ter", "passage", "sentier", "hameau", "batiment", "bat", "appartement", "appt",
))  # fmt: skip
# How people are named at the counter and on the phone (« Mme Besson »), not part of a name.
CIVILITIES = frozenset(("mme", "mlle", "mr", "monsieur", "madame", "mademoiselle", "dr", "me"))
COMMON_WORDS = STREET_KINDS | CIVILITIES | {"de", "du", "des", "la", "le", "les", "et"}

_SEPARATED_DATE = re.compile(r"^(\d{1,2})[./\- ]+(\d{1,2})[./\- ]+(\d{4})$")
_COMPACT_DATE = re.compile(r"^(\d{2})(\d{2})(\d{4})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_NUMERIC = re.compile(r"^(?:\+|\(0\)|[\d.\-/()])[\d.\-/()]*$")
_RNA = re.compile(r"^W[0-9A-Z]{9}$")
_REFERENCE_LIKE = re.compile(r"^[0-9A-Za-z]+(?:-[0-9A-Za-z]+)?$")
# How many whitespace-separated pieces one number may be typed in (« +33 6 12 34 56 78 »).
_MAX_PIECES = 7

# Given a term that may be a request reference: None when it is not one, else the reference
# (normalised, for display) and the ids of the citizens it names (a queryset of `citizen_id`
# values, read as a subquery of the search's one query).
ReferenceLookup = Callable[[str], tuple[str, QuerySet] | None]


@dataclass
class ReadQuery:
    """What a query holds, term by term."""

    emails: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)  # display form, as Citizen.phone
    birth_dates: list[date] = field(default_factory=list)
    sirets: list[str] = field(default_factory=list)
    sirens: list[str] = field(default_factory=list)
    rnas: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    reference_citizens: list[QuerySet] = field(default_factory=list, repr=False)
    words: list[str] = field(default_factory=list)  # for names and addresses
    mentions_address: bool = False  # a street kind or a number among the words

    @property
    def organisation_numbers(self) -> bool:
        return bool(self.sirets or self.sirens or self.rnas)

    @property
    def selects(self) -> bool:
        """Whether exact criteria select the rows (the words then only rank them)."""
        return bool(self.emails or self.phones or self.birth_dates or self.organisation_numbers)

    @property
    def is_empty(self) -> bool:
        return not (self.selects or self.references or self.words)

    def criteria(self) -> list[str]:
        """How the query was understood, in French, for the agent."""
        said = [f"adresse électronique {email}" for email in self.emails]
        said += [f"téléphone {phone}" for phone in self.phones]
        said += [
            f"date de naissance {formats.date_format(day, 'd/m/Y')}" for day in self.birth_dates
        ]
        said += [f"SIRET {siret}" for siret in self.sirets]
        said += [f"SIREN {siren}" for siren in self.sirens]
        said += [f"RNA {rna}" for rna in self.rnas]
        said += [f"référence de demande {reference}" for reference in self.references]
        if self.words:
            said.append(f"nom ou adresse « {' '.join(self.words)} »")
        return said


def _plain(text: str) -> str:
    """Lower-case and accent-free, for the list of common words (the database does the same to
    what it compares, with its own unaccent)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _as_date(text: str) -> date | None:
    for pattern, order in ((_SEPARATED_DATE, "dmy"), (_COMPACT_DATE, "dmy"), (_ISO_DATE, "ymd")):
        match = pattern.match(text)
        if match:
            parts = dict(zip(order, map(int, match.groups()), strict=True))
            try:
                day = date(parts["y"], parts["m"], parts["d"])
            except ValueError:
                return None
            return day if 1900 <= day.year <= timezone.localdate().year else None
    return None


def _number(text: str, read: ReadQuery) -> bool:
    """Files `text` (one number, perhaps typed in pieces) where it belongs; False if it is none
    of a phone, a birth date, a SIRET or a SIREN."""
    phone = normalise_phone(text)
    if phone:
        read.phones.append(phone)
        return True
    day = _as_date(text)
    if day:
        read.birth_dates.append(day)
        return True
    digits = re.sub(r"[\s.\-]", "", text)
    if re.fullmatch(r"\d{14}", digits):
        read.sirets.append(digits)
        return True
    if re.fullmatch(r"\d{9}", digits):
        read.sirens.append(digits)
        return True
    return False


def read_query(text: str, by_reference: ReferenceLookup | None = None) -> ReadQuery:
    """The terms of `text`. A number may be typed in several pieces (« 06 12 34 56 78 »,
    « 12 03 1980 »): the longest run of numeric pieces that makes one is taken."""
    read = ReadQuery()
    pieces = text.split()
    i = 0
    while i < len(pieces):
        piece = pieces[i]
        if "@" in piece:
            read.emails.append(piece.strip(".,;<>()"))
            i += 1
            continue
        if _RNA.match(piece.upper()):
            read.rnas.append(piece.upper())
            i += 1
            continue
        if _NUMERIC.match(piece) and any(char.isdigit() for char in piece):
            end = i
            while end < len(pieces) and end - i < _MAX_PIECES and _NUMERIC.match(pieces[end]):
                end += 1
            taken = next(
                (j for j in range(end, i, -1) if _number(" ".join(pieces[i:j]), read)), None
            )
            if taken:
                i = taken
                continue
        width = _reference_at(pieces, i, by_reference, read) if by_reference else 0
        if width and any(char.isdigit() for char in " ".join(pieces[i : i + width])):
            i += width  # a name has no digit; an all-letter reference may be a name as well
            continue
        read.words.append(piece)
        i += 1
    read.mentions_address = any(
        _plain(word) in STREET_KINDS or any(char.isdigit() for char in word) for word in read.words
    )
    read.words = _significant(read.words)
    return read


def _reference_at(pieces: list[str], i: int, by_reference: ReferenceLookup, read: ReadQuery) -> int:
    """How many pieces from the i-th make a request reference (typed whole, or in two halves
    as « K7QM 2X4P »), 0 if none; the reference is filed in `read`."""
    for width in (2, 1):
        if i + width > len(pieces):
            continue
        typed = "".join(pieces[i : i + width])
        found = by_reference(typed) if _REFERENCE_LIKE.match(typed) else None
        if found is not None:
            reference, citizens = found
            read.references.append(reference)
            read.reference_citizens.append(citizens)
            return width
    return 0


def _significant(words: list[str]) -> list[str]:
    """The words worth searching: at least two letters or digits, the common ones left out
    unless there is nothing else, at most MAX_WORDS."""
    words = [word for word in words if sum(char.isalnum() for char in word) >= 2]
    telling = [word for word in words if _plain(word).strip("'\u2019-.,") not in COMMON_WORDS]
    return (telling or words)[:MAX_WORDS]
