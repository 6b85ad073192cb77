"""The démarches beyond the demo's, up to the number asked, each with a published form version
(a fifth with a second one, published since: requests filed after it pin it), and what the
stories need to know of every démarche, the demo's included."""

import random
from dataclasses import dataclass

from django.conf import settings

from bench.dataset import catalogue
from bench.dataset.authority import TeamInfo, unique_slug
from bench.dataset.context import Clock, Ids, to_json
from bench.dataset.places import DISTRICTS
from bench.dataset.writer import Table, Writer
from forms_builder.models import FormVersion, Procedure
from gru.models import Team


@dataclass
class VersionInfo:
    id: int
    number: int
    published_day: int  # ordinal
    fields: list[tuple]  # (id, type, required, options, minimum, maximum)
    first_page: int  # how many of `fields` the first page has: what a draft fills


@dataclass
class ProcedureInfo:
    id: int
    title: str
    kind: str
    rule: str
    delay: str
    identification: str
    audiences: frozenset
    team_id: int
    documents: list[str]
    versions: list[VersionInfo]

    def version_on(self, day: int) -> VersionInfo:
        """The version in force on `day`: the latest published by then (the first otherwise)."""
        chosen = self.versions[0]
        for version in self.versions[1:]:
            if version.published_day <= day:
                chosen = version
        return chosen


def compile_fields(schema: dict) -> tuple[list[tuple], int]:
    """The fields of every page, as `fill.Filler` reads them, and how many the first page has."""
    compiled, first_page = [], 0
    for index, page in enumerate(schema.get("pages", [])):
        for item in page.get("fields", []):
            options = [option["value"] for option in item.get("options", [])]
            minimum, maximum = item.get("min", 0), item.get("max", 5000)
            # A bound may be another field's answer (a cross-field rule) or "today": the
            # dataset's numbers keep to the default range then.
            minimum = minimum if isinstance(minimum, int | float) else 0
            maximum = maximum if isinstance(maximum, int | float) else 5000
            compiled.append((item["id"], item["type"], item.get("required", False), options,
                             minimum, maximum))  # fmt: skip
        if index == 0:
            first_page = len(compiled)
    return compiled, first_page


def existing(clock: Clock) -> list[ProcedureInfo]:
    """The demo's démarches, with their published versions (taken as in force all along)."""
    infos = []
    for procedure in Procedure.objects.order_by("id").prefetch_related("versions"):
        versions = [
            VersionInfo(v.id, v.number, clock.start.toordinal(), *compile_fields(v.schema))
            for v in sorted(procedure.versions.all(), key=lambda v: v.number)
            if v.published_at is not None
        ]
        if versions:
            infos.append(ProcedureInfo(
                procedure.id, procedure.title, procedure.kind, procedure.silence_rule,
                procedure.silence_delay, procedure.identification,
                frozenset(procedure.audiences), procedure.default_team_id,
                list(procedure.required_documents), versions,
            ))  # fmt: skip
    return infos


PROCEDURE_FIELDS = ("id", "slug", "title", "summary", "description", "category", "audiences",
                    "kind", "identification", "silence_rule", "silence_delay", "default_team_id",
                    "required_documents", "retention_months", "is_published", "created_at",
                    "updated_at")  # fmt: skip
VERSION_FIELDS = ("id", "procedure_id", "number", "schema", "silence_rule", "silence_delay",
                  "published_at", "created_at")  # fmt: skip


def generate(rng: random.Random, clock: Clock, ids: Ids, teams: list[TeamInfo], n: int,
             writer: Writer) -> list[ProcedureInfo]:  # fmt: skip
    """`n` démarches from the catalogue (then its titles again, for a district), each owned by
    a team of its category when there is one."""
    by_category: dict[str, list[int]] = {}
    for team in teams:
        if team.category:
            by_category.setdefault(team.category, []).append(team.id)
    business = [team.id for team in teams if team.kind == Team.Kind.BUSINESS] or [teams[0].id]
    taken = set(Procedure.objects.values_list("slug", flat=True))
    specs = list(catalogue.PROCEDURES)
    rng.shuffle(specs)
    opened = clock.start.toordinal() - 30
    created = clock.datetime(clock.at(opened - 10, 10 * 3600))
    procedures, rows, version_rows = [], [], []
    for index in range(max(n, 0)):
        spec = specs[index % len(specs)]
        title, again = spec.title, index // len(specs)
        if again:
            title = f"{title} — mairie de quartier {DISTRICTS[(again - 1) % len(DISTRICTS)]}"
            if again > len(DISTRICTS):
                title = f"{title} ({again})"
        procedure_id, team_id = ids.take(Procedure), rng.choice(by_category.get(spec.category)
                                                                or business)  # fmt: skip
        days = [opened]
        if rng.random() < 0.2:  # revised once since: requests filed after it pin version 2
            days.append(clock.start.toordinal() + rng.randrange(4 * 365))
        schema, versions = catalogue.schema(spec.form), []
        for number, day in enumerate(days, start=1):
            schema = _revised(schema) if number > 1 else schema
            version_id = ids.take(FormVersion)
            published = clock.datetime(clock.at(day, 8 * 3600))
            versions.append(VersionInfo(version_id, number, day, *compile_fields(schema)))
            version_rows.append((version_id, procedure_id, number, to_json(schema), spec.rule,
                                 spec.delay, published, published))  # fmt: skip
        documents = catalogue.REQUIRED_DOCUMENTS[spec.form]
        summary = (f"{title} : déposez votre demande en ligne, à l'accueil de la mairie ou par "
                   "courrier, et suivez-la sur votre espace.")  # fmt: skip
        description = (f"Cette démarche est instruite par les services de la "
                       f"{settings.AUTHORITY_NAME}. {_frame(spec)}")  # fmt: skip
        rows.append((procedure_id, unique_slug(title, taken), title[:200], summary[:300],
                     description, spec.category, list(spec.audiences), spec.kind,
                     spec.identification, spec.rule, spec.delay, team_id, to_json(documents),
                     rng.choice((12, 24, 60, 120)), rng.random() < 0.95, created,
                     published))  # fmt: skip
        procedures.append(ProcedureInfo(procedure_id, title, spec.kind, spec.rule, spec.delay,
                                        spec.identification, frozenset(spec.audiences), team_id,
                                        documents, versions))  # fmt: skip
    writer.copy(Table.of(Procedure, PROCEDURE_FIELDS), rows)
    writer.copy(Table.of(FormVersion, VERSION_FIELDS), version_rows)
    return procedures


def _revised(schema: dict) -> dict:
    pages = [dict(page, fields=list(page["fields"])) for page in schema["pages"]]
    pages[-1]["fields"].append(
        {"id": "precisions_v2", "type": "textarea", "label": "Autres précisions", "required": False}
    )
    return {"version": 1, "pages": pages}


def _frame(spec: catalogue.ProcedureSpec) -> str:
    if spec.rule == "acceptance":
        return "Sans réponse de notre part dans le délai indiqué, votre demande est acceptée."
    if spec.rule == "rejection":
        return "Sans réponse de notre part dans le délai indiqué, votre demande est rejetée."
    return "Cette démarche n'appelle pas de décision implicite."
