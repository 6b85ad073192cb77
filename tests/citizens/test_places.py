"""Places of birth by name from their INSEE codes (issue 12, item 12): the shipped lists, what
the profile and the 360° view show, and the command that refreshes the lists from INSEE's files
(tested on local files: production downloads them from insee.fr)."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from citizens import places
from citizens.models import Citizen
from tests.factories import CitizenFactory, UserFactory


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("75056", "Paris (Paris)"),
        ("69123", "Lyon (Rhône)"),
        ("69383", "Lyon 3e Arrondissement (Rhône)"),  # a municipal arrondissement
        ("13055", "Marseille (Bouches-du-Rhône)"),
        ("2A004", "Ajaccio (Corse-du-Sud)"),  # Corsica's letters
        ("97411", "Saint-Denis (La Réunion)"),  # overseas: a three-digit department
        ("97502", "Saint-Pierre (Saint-Pierre-et-Miquelon)"),
        # A commune merged since: its former code still resolves.
        ("69232", "Lyon (Rhône)"),  # Saint-Rambert-l'Île-Barbe, joined Lyon in 1963
        ("01039", "Béon (Ain)"),  # a commune déléguée keeps its own name
        # Not a known code: shown as it came (typed by an agent).
        ("Lyon", "Lyon"),
        ("00000", "00000"),
        ("", ""),
    ],
)
def test_communes_by_name(code, expected):
    assert places.commune_label(code) == expected


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("99100", "France"),
        ("99350", "Maroc"),
        ("99134", "Espagne"),
        ("99109", "Allemagne"),
        ("99404", "États-Unis"),
        ("99352", "Algérie"),
        ("99141", "République démocratique allemande"),  # a former state
        ("99999", "99999"),
        ("Belgique", "Belgique"),
        ("", ""),
    ],
)
def test_countries_by_name(code, expected):
    assert places.country_label(code) == expected


@pytest.mark.parametrize(
    ("place", "country", "expected"),
    [
        ("69383", "99100", "Lyon 3e Arrondissement (Rhône)"),
        ("", "99350", "Maroc"),  # FranceConnect: no commune when born abroad
        ("Casablanca", "99350", "Casablanca (Maroc)"),  # typed at the counter
        ("75056", "", "Paris (Paris)"),
        ("", "", ""),
    ],
)
def test_birthplace_in_one_line(place, country, expected):
    assert places.birthplace_label(place, country) == expected


def test_every_shipped_commune_names_a_known_department():
    departments = places.departments()
    assert len(places.communes()) > 35_000
    assert all(commune.department in departments for commune in places.communes().values())
    assert all(code.startswith("99") and len(code) == 5 for code in places.countries())


@pytest.mark.django_db
def test_the_profile_and_the_360_view_name_the_places_not_the_codes(client):
    user = UserFactory(email="jb@exemple.fr")
    citizen = CitizenFactory(
        user=user,
        birth_place="69383",
        birth_country="99100",
        identity_assurance=Citizen.IdentityAssurance.FRANCECONNECT,
        franceconnect_sub="f" * 64,
    )
    client.force_login(user)
    html = client.get(reverse("citizens:profile")).content.decode()
    assert "Lyon 3e Arrondissement (Rhône)" in html and "France" in html
    assert "69383" not in html and "99100" not in html
    from citizens.selectors import identity_lines

    values = {line.label: line.value for line in identity_lines(citizen)}
    assert values["Lieu de naissance"] == "Lyon 3e Arrondissement (Rhône)"
    assert values["Pays de naissance"] == "France"


# --- The refresh command ------------------------------------------------------------------------

INSEE_COMMUNES = """TYPECOM,COM,REG,DEP,CTCD,ARR,TNCC,NCC,NCCENR,LIBELLE,CAN,COMPARENT
COM,01015,84,01,01D,011,1,ARBOYS EN BUGEY,Arboys en Bugey,Arboys en Bugey,0108,
COMD,01015,,,,,0,ARBIGNIEU,Arbignieu,Arbignieu,,01015
COMD,01340,,,,,0,SAINT BOIS,Saint-Bois,Saint-Bois,,01015
COM,69123,84,69,69D,691,0,LYON,Lyon,Lyon,6999,
ARM,69383,,,,,0,LYON 3E ARRONDISSEMENT,Lyon 3e Arrondissement,Lyon 3e Arrondissement,,69123
"""
INSEE_HISTORY = """COM,TNCC,NCC,NCCENR,LIBELLE,DATE_DEBUT,DATE_FIN
69232,0,ST RAMBERT,Saint-Rambert,Saint-Rambert-l'Île-Barbe,1943-01-01,1963-03-12
69123,0,LYON,Lyon,Lyon,1943-01-01,
"""
INSEE_DEPARTMENTS = """DEP,REG,CHEFLIEU,TNCC,NCC,NCCENR,LIBELLE
01,84,01053,5,AIN,Ain,Ain
69,84,69123,2,RHONE,Rhône,Rhône
"""
INSEE_COUNTRIES = """COG,ACTUAL,CRPAY,ANI,LIBCOG,LIBENR,CODEISO2,CODEISO3,CODENUM3
99100,1,,,France,République française,FR,FRA,250
99350,1,,,Maroc,Royaume du Maroc,MA,MAR,504
99141,2,,1990,République démocratique allemande,République démocratique allemande,,,
99101,3,,,Féroé (îles),Îles Féroé,FO,FRO,234
99101,1,,,Danemark,Royaume du Danemark,DK,DNK,208
"""


@pytest.fixture
def isolated_lists(tmp_path, monkeypatch):
    """The command writes to a folder of the test; the module reads from it."""
    monkeypatch.setattr(places, "DATA_DIR", tmp_path)
    for cached in (places.communes, places.departments, places.countries):
        cached.cache_clear()
    yield tmp_path
    monkeypatch.undo()
    for cached in (places.communes, places.departments, places.countries):
        cached.cache_clear()


def test_the_command_rebuilds_the_lists_from_insee_files(isolated_lists):
    folder = isolated_lists
    sources = {
        "communes": INSEE_COMMUNES,
        "historique": INSEE_HISTORY,
        "departements": INSEE_DEPARTMENTS,
        "pays": INSEE_COUNTRIES,
    }
    options = {}
    for name, text in sources.items():
        path = folder / f"source-{name}.csv"
        path.write_text(text, encoding="cp1252" if name == "departements" else "utf-8")
        options[name] = str(path)
    out = StringIO()
    call_command("refresh_insee_codes", output=str(folder), stdout=out, **options)
    assert "communes.csv : 5 lignes" in out.getvalue()
    assert places.commune_label("01015") == "Arboys en Bugey (Ain)"  # the commune, not COMD
    assert places.commune_label("01340") == "Saint-Bois (Ain)"
    assert places.communes()["01340"].merged_into == "01015"
    assert places.commune_label("69383") == "Lyon 3e Arrondissement (Rhône)"
    assert places.commune_label("69232") == "Saint-Rambert-l'Île-Barbe (Rhône)"  # historical
    assert places.country_label("99101") == "Danemark"  # the state, not its territory
    assert places.country_label("99141") == "République démocratique allemande"
    assert places.country_label("99350") == "Maroc"


def test_the_command_reads_the_etalab_package(isolated_lists):
    folder = isolated_lists
    package = folder / "etalab"
    package.mkdir()
    communes = [
        {"code": "69123", "nom": "Lyon", "departement": "69", "type": "commune-actuelle",
         "anciensCodes": ["69232"]},
        {"code": "69383", "nom": "Lyon 3e Arrondissement", "departement": "69",
         "type": "arrondissement-municipal", "commune": "69123"},
        {"code": "01340", "nom": "Saint-Bois", "type": "commune-deleguee", "chefLieu": "01015"},
    ]  # fmt: skip
    (package / "communes.json").write_text(json.dumps(communes), encoding="utf-8")
    departments = [{"code": "69", "nom": "Rhône"}, {"code": "01", "nom": "Ain"}]
    (package / "departements.json").write_text(json.dumps(departments), encoding="utf-8")
    (folder / "pays.csv").write_text("code,name\n99100,France\n", encoding="utf-8")
    call_command("refresh_insee_codes", etalab=str(package), output=str(folder), stdout=StringIO())
    assert places.commune_label("69232") == "Lyon (Rhône)"
    assert places.communes()["69232"].merged_into == "69123"
    assert places.commune_label("01340") == "Saint-Bois (Ain)"
    assert places.country_label("99100") == "France"  # a list not given is left as it was


def test_the_command_wants_a_source():
    with pytest.raises(Exception, match="au moins une source"):
        call_command("refresh_insee_codes", stdout=StringIO())
