"""Template filters for French, loaded in every template (settings.TEMPLATES builtins)."""

from django import template

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
