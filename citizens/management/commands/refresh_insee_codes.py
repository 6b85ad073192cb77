"""Rebuild the INSEE code lists that name places of birth (`citizens/places.py`).

In production, from INSEE's Code officiel géographique (insee.fr, « Code officiel géographique
au 1er janvier », CSV files; their addresses change each year, so they are given here):

    manage.py refresh_insee_codes \\
        --communes https://www.insee.fr/…/v_commune_2026.csv \\
        --departements https://www.insee.fr/…/v_departement_2026.csv \\
        --pays https://www.insee.fr/…/v_pays_territoire_2026.csv \\
        [--historique https://www.insee.fr/…/v_commune_depuis_1943.csv]

Each source is a URL or a local file. `--etalab DIR` reads the communes and departments from
the data folder of the npm package @etalab/decoupage-administratif instead (how the shipped
lists were built: it carries the communes, the municipal arrondissements, the communes
déléguées and associées, and the former codes of merged communes). Lists not given are left
as they are. The files are written to `citizens/data/` (or `--output`), sorted by code.
"""

from __future__ import annotations

import csv
import io
import json
import urllib.request
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from citizens import places

HEADERS = {
    "communes.csv": ["code", "name", "department", "merged_into"],
    "departements.csv": ["code", "name"],
    "pays.csv": ["code", "name"],
}


def department_of(code: str) -> str:
    """The department of a commune code: three characters overseas (971…, 975…), else two."""
    return code[:3] if code[:2] in {"97", "98"} else code[:2]


def _read(source: str) -> str:
    if source.startswith(("https://", "http://")):
        with urllib.request.urlopen(source, timeout=60) as response:  # noqa: S310 - an https URL given by the operator
            raw = response.read()
    else:
        raw = Path(source).read_bytes()
    for encoding in ("utf-8-sig", "cp1252"):  # INSEE's older files are in Windows-1252
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise CommandError(f"{source} : encodage inconnu")


def _csv(source: str) -> list[dict]:
    text = _read(source)
    dialect = csv.Sniffer().sniff(text.splitlines()[0], delimiters=",;\t")
    return list(csv.DictReader(io.StringIO(text), dialect=dialect))


def insee_communes(rows: list[dict], history: list[dict] | None = None) -> list[dict]:
    """v_commune_YYYY.csv (TYPECOM, COM, DEP, LIBELLE, COMPARENT), and optionally
    v_commune_depuis_1943.csv (COM, LIBELLE, DATE_DEBUT) for the codes no longer in use."""
    communes: dict[str, dict] = {}
    order = {"COM": 0, "ARM": 1, "COMD": 2, "COMA": 3}
    for row in sorted(rows, key=lambda row: order.get(row["TYPECOM"], 9)):
        code = row["COM"]
        if code in communes or row["TYPECOM"] not in order:
            continue
        merged = row.get("COMPARENT", "") if row["TYPECOM"] in {"COMD", "COMA"} else ""
        communes[code] = {
            "code": code,
            "name": row["LIBELLE"],
            "department": row.get("DEP") or department_of(code),
            "merged_into": merged if merged != code else "",
        }
    for row in sorted(history or [], key=lambda row: row.get("DATE_DEBUT", "")):
        code = row["COM"]
        if code not in communes or communes[code].get("historical"):
            communes[code] = {
                "code": code,
                "name": row["LIBELLE"],
                "department": department_of(code),
                "merged_into": "",
                "historical": True,
            }
    return [{key: row[key] for key in HEADERS["communes.csv"]} for row in communes.values()]


def insee_departments(rows: list[dict]) -> list[dict]:
    return [{"code": row["DEP"], "name": row["LIBELLE"]} for row in rows]


def insee_countries(rows: list[dict]) -> list[dict]:
    """v_pays_territoire_YYYY.csv: the states, current (ACTUAL 1) or former (2), by code;
    territories share their state's code and are left out."""
    countries: dict[str, str] = {}
    for row in rows:
        if row["ACTUAL"] in {"1", "2"} and row["COG"] not in countries:
            countries[row["COG"]] = row["LIBCOG"]
    return [{"code": code, "name": name} for code, name in countries.items()]


def etalab_communes(folder: Path) -> list[dict]:
    data = json.loads((folder / "communes.json").read_text(encoding="utf-8"))
    rank = {"commune-actuelle": 0, "arrondissement-municipal": 1, "commune-deleguee": 2}
    communes: dict[str, dict] = {}
    for item in sorted(data, key=lambda item: rank.get(item["type"], 3)):
        code = item["code"]
        if code in communes:
            continue
        merged = ""
        if item["type"] in {"commune-deleguee", "commune-associee"}:
            merged = item.get("chefLieu") or item.get("commune") or ""
        communes[code] = {
            "code": code,
            "name": item["nom"],
            "department": item.get("departement") or department_of(code),
            "merged_into": merged if merged != code else "",
        }
    for item in data:  # former codes of merged communes: named after the commune they joined
        if item["type"] != "commune-actuelle":
            continue
        for old in item.get("anciensCodes", []):
            communes.setdefault(
                old,
                {
                    "code": old,
                    "name": item["nom"],
                    # Corsica's codes were 20xxx before 1976: the department of today.
                    "department": item.get("departement") or department_of(old),
                    "merged_into": item["code"],
                },
            )
    return list(communes.values())


def etalab_departments(folder: Path) -> list[dict]:
    data = json.loads((folder / "departements.json").read_text(encoding="utf-8"))
    return [{"code": item["code"], "name": item["nom"]} for item in data]


def write(folder: Path, name: str, rows: list[dict]) -> int:
    rows = sorted(rows, key=lambda row: row["code"])
    if not rows:
        raise CommandError(f"{name} : aucune ligne lue, fichier laissé tel quel")
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / name).open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=HEADERS[name], lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return len(rows)


class Command(BaseCommand):
    help = "Met à jour les listes INSEE des communes, départements et pays (lieux de naissance)."

    def add_arguments(self, parser):
        parser.add_argument("--communes", help="v_commune_AAAA.csv de l'INSEE (URL ou fichier)")
        parser.add_argument("--historique", help="v_commune_depuis_1943.csv (URL ou fichier)")
        parser.add_argument("--departements", help="v_departement_AAAA.csv (URL ou fichier)")
        parser.add_argument("--pays", help="v_pays_territoire_AAAA.csv (URL ou fichier)")
        parser.add_argument("--etalab", help="dossier data/ de @etalab/decoupage-administratif")
        parser.add_argument("--output", default=str(places.DATA_DIR))

    def handle(self, *args, **options):
        output = Path(options["output"])
        lists: dict[str, list[dict]] = {}
        if options["etalab"]:
            folder = Path(options["etalab"])
            lists["communes.csv"] = etalab_communes(folder)
            lists["departements.csv"] = etalab_departments(folder)
        if options["communes"]:
            history = _csv(options["historique"]) if options["historique"] else None
            lists["communes.csv"] = insee_communes(_csv(options["communes"]), history)
        if options["departements"]:
            lists["departements.csv"] = insee_departments(_csv(options["departements"]))
        if options["pays"]:
            lists["pays.csv"] = insee_countries(_csv(options["pays"]))
        if not lists:
            raise CommandError("Indiquez au moins une source (--communes, --pays, --etalab…).")
        for name, rows in lists.items():
            count = write(output, name, rows)
            self.stdout.write(f"{name} : {count} lignes écrites dans {output}")
        places.communes.cache_clear()
        places.departments.cache_clear()
        places.countries.cache_clear()
