"""Places of birth by name, from their INSEE codes (LEGAL.md §3: FranceConnect gives
`birthplace`, the INSEE code of a French commune, empty when born abroad, and `birthcountry`,
the INSEE code of a country, 99100 for France).

The official lists (Code officiel géographique) are shipped as data in `citizens/data/`:
`communes.csv` (code, name, department code, and for a commune that merged since, the code of
the commune it joined), `departements.csv` and `pays.csv`. `manage.py refresh_insee_codes`
rebuilds them from INSEE's files (see its help). They are read once per process.

What is shown: « Lyon 3e Arrondissement (Rhône) », « Saint-Pierre (Saint-Pierre-et-Miquelon) »;
a commune that has merged since keeps its own name when the list knows it (a commune déléguée
or associée), else the name of the commune it joined; a country by its name (« Maroc »). A
value that is not a known code (typed by an agent, or a code the list lacks) is shown as
it is.
"""

from __future__ import annotations

import csv
import functools
import re
from dataclasses import dataclass
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
FRANCE = "99100"
_COMMUNE_CODE = re.compile(r"^(\d{5}|2[AB]\d{3})$")
_COUNTRY_CODE = re.compile(r"^99\d{3}$")


@dataclass(frozen=True)
class Commune:
    code: str
    name: str
    department: str  # its code
    merged_into: str = ""  # the code of the commune it joined, for a former commune


def _rows(name: str) -> list[dict]:
    with (DATA_DIR / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@functools.cache
def communes() -> dict[str, Commune]:
    return {
        row["code"]: Commune(row["code"], row["name"], row["department"], row["merged_into"])
        for row in _rows("communes.csv")
    }


@functools.cache
def departments() -> dict[str, str]:
    return {row["code"]: row["name"] for row in _rows("departements.csv")}


@functools.cache
def countries() -> dict[str, str]:
    return {row["code"]: row["name"] for row in _rows("pays.csv")}


def commune_label(code: str) -> str:
    """« Lyon 3e Arrondissement (Rhône) » for 69383; the value itself when it is no known
    commune code."""
    value = (code or "").strip()
    commune = communes().get(value.upper()) if _COMMUNE_CODE.match(value.upper()) else None
    if commune is None:
        return value
    department = departments().get(commune.department, "")
    return f"{commune.name} ({department})" if department else commune.name


def country_label(code: str) -> str:
    """« France » for 99100, « Maroc » for 99350; the value itself when it is no known code."""
    value = (code or "").strip()
    if _COUNTRY_CODE.match(value):
        return countries().get(value, value)
    return value


def birthplace_label(place: str, country: str) -> str:
    """Where a person was born, as one line: « Lyon 3e Arrondissement (Rhône) » in France,
    « Maroc » abroad, « Casablanca (Maroc) » when a place abroad was typed; "" when nothing
    is known."""
    town, nation = commune_label(place), country_label(country)
    born_abroad = bool(country) and country.strip() != FRANCE
    if town and born_abroad and nation:
        return f"{town} ({nation})"
    return town or nation
