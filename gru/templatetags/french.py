"""Template filters for French, loaded in every template (settings.TEMPLATES builtins)."""

import re

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

register = template.Library()


@register.filter
def pluriel(value, suffixes: str = "s") -> str:
    """French plural: the suffix from two on (« 0 paire », « 1 paire », « 2 paires »), unlike
    Django's `pluralize`, which is English and writes « 0 paires ». `suffixes` is "plural" or
    "singular,plural" (« pourrait » / « pourraient »: "t,ent")."""
    singular, _, plural = suffixes.rpartition(",") if "," in suffixes else ("", "", suffixes)
    try:
        many = abs(float(value)) >= 2
    except (TypeError, ValueError):
        try:
            many = len(value) >= 2
        except TypeError:
            return singular
    return plural if many else singular


# --- Numbers and durations in words -----------------------------------------------------------

# Small numbers in letters in running text (« deux mois »), digits from ten (« 10 ans »).
_WORDS = {1: "un", 2: "deux", 3: "trois", 4: "quatre", 5: "cinq", 6: "six", 7: "sept",
          8: "huit", 9: "neuf"}  # fmt: skip
_ISO_DURATION = re.compile(r"^P(\d+)([DWMY])$")
_UNITS = {"D": ("jour", "jours"), "W": ("semaine", "semaines"), "M": ("mois", "mois"),
          "Y": ("an", "ans")}  # fmt: skip


def number_words(n: int) -> str:
    """« un », « deux »… « neuf », then digits: « 10 », « 18 »."""
    return _WORDS.get(n, str(n))


def duration_words(value) -> str:
    """A duration as a sentence says it: an ISO 8601 delay (« P1M » → « un mois », « P2M » →
    « deux mois », « P30D » → « 30 jours ») or a number of months (a retention: 120 → « 10 ans »,
    60 → « cinq ans », 18 → « 18 mois »). Whole years are said in years. Anything else is
    returned as it came."""
    if isinstance(value, int) and not isinstance(value, bool):
        number, unit = value, "M"
    else:
        match = _ISO_DURATION.match(str(value or ""))
        if match is None:
            return str(value or "")
        number, unit = int(match[1]), match[2]
    if unit == "M" and number and number % 12 == 0:
        number, unit = number // 12, "Y"
    singular, plural = _UNITS[unit]
    words = "une" if number == 1 and unit == "W" else number_words(number)  # une semaine
    return f"{words} {singular if number < 2 else plural}"


register.filter("duree", duration_words)


def prep(value, preposition: str = "de") -> str:
    """The preposition « de » or « à » before a noun phrase, elided or contracted as French
    wants: « de » + « un mois » → « d'un mois », « de » + « le Département » → « du Département »,
    « à » + « la Ville de Démo » → « à la Ville de Démo », « à » + « le Département » → « au
    Département ». Plain text; in a template, the filter `prep` escapes what it joins."""
    return _prep(str(value), preposition, str)


@register.filter("prep", needs_autoescape=True)
def prep_filter(value, preposition: str = "de", autoescape: bool = True) -> str:
    escape = conditional_escape if autoescape else str
    return mark_safe(_prep(str(value), preposition, escape))  # noqa: S308 - the value escaped


def _prep(text: str, preposition: str, escape) -> str:
    lowered = text.lower()
    if preposition == "de":
        if lowered.startswith("le "):
            return "du " + escape(text[3:])
        if lowered.startswith("les "):
            return "des " + escape(text[4:])
        if lowered[:1] in _VOWELS:
            return "d'" + escape(text)
        return "de " + escape(text)
    if preposition == "à":
        if lowered.startswith("le "):
            return "au " + escape(text[3:])
        if lowered.startswith("les "):
            return "aux " + escape(text[4:])
    return f"{escape(preposition)} {escape(text)}"


_VOWELS = frozenset("aàâeéèêëiîïoôuùûhy")


# --- File sizes ----------------------------------------------------------------------------------

_SIZE_UNITS = ("Ko", "Mo", "Go")


@register.filter
def taille(size) -> str:
    """A file size in French units, with a decimal comma and a non-breaking space: « 850
    octets », « 1,2 Ko », « 2,4 Mo ». A « Ko » is 1 024 bytes, as the uploads' « Mo »
    (forms_builder.uploads.MEGABYTE)."""
    try:
        size = int(size)
    except (TypeError, ValueError):
        return ""
    if size < 1024:
        return f"{size}\u00a0octet{'s' if size >= 2 else ''}"
    value = float(size)
    for unit in _SIZE_UNITS:
        value /= 1024
        if value < 1024 or unit == _SIZE_UNITS[-1]:
            break
    shown = f"{value:.0f}" if value >= 100 else f"{value:.1f}".removesuffix(".0")
    return f"{shown.replace('.', ',')}\u00a0{unit}"
