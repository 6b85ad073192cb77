"""What the code imports is what pyproject.toml declares (issue 13): a package that arrives
only through another one can vanish with that one's next release."""

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = [
    "gru",
    "citizens",
    "service_requests",
    "forms_builder",
    "backoffice",
    "demo",
    "bench",
    "pilotage",
    "api",
    "open311",
    "webhooks",
]
# Imported only by the test support code that lives in the packages (gru.pytest_plugin) or by
# the embedded servers' fallback (the `embedded` extra); both extras are declared too.
FIRST_PARTY = set(PACKAGES)


def _declared() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    requirements = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        requirements.extend(extra)
    return {
        re.split(r"[\[<>=!~; ]", r, maxsplit=1)[0].lower().replace("_", "-") for r in requirements
    }


def _imported() -> set[str]:
    names = set()
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(), str(path))):
                if isinstance(node, ast.Import):
                    names.update(alias.name.split(".")[0] for alias in node.names)
                elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                    names.add(node.module.split(".")[0])
    return {n for n in names if n not in FIRST_PARTY and n not in sys.stdlib_module_names}


def test_every_third_party_module_imported_comes_from_a_declared_distribution():
    distributions = packages_distributions()
    declared = _declared()
    undeclared = {
        module: distributions.get(module, ["?"])
        for module in _imported()
        if not {d.lower().replace("_", "-") for d in distributions.get(module, [])} & declared
    }
    assert not undeclared, f"imported but not declared in pyproject.toml: {undeclared}"


def test_the_unused_socialaccount_extra_is_not_asked_for():
    assert "socialaccount" not in (ROOT / "pyproject.toml").read_text()
