"""The overview page's content, from the selectors' figures: the headline figures with their
previous period, and the charts (pilotage.charts). Labels in French; no personal data."""

from __future__ import annotations

from dataclasses import dataclass

from citizens.models import Channel
from forms_builder.models import Procedure
from pilotage import charts
from pilotage.facts import AGE_BUCKETS
from pilotage.selectors import Figures

CHANNELS = dict(Channel.choices)
RATINGS = {1: "1 sur 5", 2: "2 sur 5", 3: "3 sur 5", 4: "4 sur 5", 5: "5 sur 5"}
TOP_PROCEDURES = 12
MINUS = "\u2212"  # the typographic minus sign


@dataclass(frozen=True)
class Headline:
    label: str
    value: str
    previous: str
    change: str  # "en hausse de 12 %", "stable"…
    help: str = ""


def _number(x) -> str:
    if x is None:
        return "—"
    if isinstance(x, float):
        return f"{x:.1f}".replace(".", ",").replace(",0", "")
    return f"{x:,}".replace(",", "\u202f")


def _share(x) -> str:
    return "—" if x is None else f"{round(100 * x)} %"


def _change(now, before, *, points: bool = False) -> str:
    if now is None or before is None:
        return "pas de comparaison"
    if points:
        diff = round(100 * (now - before))
        return "stable" if diff == 0 else f"{'+' if diff > 0 else MINUS}{abs(diff)} points"
    if before == 0:
        return "stable" if now == 0 else "nouveau"
    ratio = round(100 * (now - before) / before)
    return "stable" if ratio == 0 else f"{'+' if ratio > 0 else MINUS}{abs(ratio)} %"


def headlines(figures: Figures) -> list[Headline]:
    now, before = figures.current, figures.before

    def h(label, get, fmt=_number, points=False, help=""):
        a, b = get(now), get(before)
        return Headline(label, fmt(a), fmt(b), _change(a, b, points=points), help)

    return [
        h("Demandes reçues", lambda f: f["arrivals"]["total"]),
        h("Contacts", lambda f: f["contacts"]["total"]),
        h(
            "Contacts réglés sur le moment",
            lambda f: f["contacts"]["answered_share"],
            _share,
            True,
            "Part des contacts dont la réponse a été donnée sur le moment (premier contact).",
        ),
        h("Décisions rendues", lambda f: f["decisions"]["count"]),
        h(
            "Délai médian de traitement (jours)",
            lambda f: f["decisions"]["median"],
            help="De la réception à la décision, hors jours d'attente des pièces de l'usager.",
        ),
        h("Délai de traitement, 9 demandes sur 10 (jours)", lambda f: f["decisions"]["p90"]),
        h(
            "Décisions dans le délai légal",
            lambda f: f["decisions"]["within_share"],
            _share,
            True,
            "Décisions expresses rendues avant la naissance de la décision implicite.",
        ),
        h("Acceptations implicites", lambda f: f["decisions"]["implicit_accepted"]),
        h("Rejets implicites", lambda f: f["decisions"]["implicit_rejected"]),
        h("Demandes en cours (fin de période)", lambda f: f["backlog"]["total"]),
        h("Avis de satisfaction", lambda f: f["satisfaction"]["count"]),
        h("Note moyenne (sur 5)", lambda f: f["satisfaction"]["mean"]),
    ]


def build_charts(figures: Figures) -> dict[str, charts.Chart]:
    now, period = figures.current, figures.period
    arrivals = now["arrivals"]
    names = dict(
        Procedure.objects.filter(pk__in=list(arrivals["by_procedure"])).values_list("pk", "title")
    )
    by_procedure = sorted(arrivals["by_procedure"].items(), key=lambda kv: (-kv[1], kv[0]))
    shown = [(names.get(pk, "?"), n) for pk, n in by_procedure[:TOP_PROCEDURES]]
    rest = sum(n for _pk, n in by_procedure[TOP_PROCEDURES:])
    if rest:
        shown.append(("Autres démarches", rest))
    channel_items = lambda counts: [  # noqa: E731
        (CHANNELS.get(c, c), n) for c, n in sorted(counts.items(), key=lambda kv: -kv[1])
    ]
    backlog = now["backlog"]
    result = [
        charts.bars(
            "demandes-par-canal",
            "Demandes reçues par canal",
            channel_items(arrivals["by_channel"]),
            unit="demandes",
            category="Canal",
        ),
        charts.bars(
            "demandes-par-demarche",
            "Demandes reçues par démarche",
            shown,
            unit="demandes",
            category="Démarche",
        ),
        charts.line(
            "demandes-par-jour",
            "Demandes reçues jour par jour",
            arrivals["by_day"],
            period.start,
            period.end,
        ),
        charts.heatmap(
            "arrivees-semaine-jour",
            "Arrivées des demandes par semaine et jour de la semaine",
            arrivals["by_day"],
            period.start,
            period.end,
        ),
        charts.bars(
            "contacts-par-canal",
            "Contacts par canal",
            channel_items(now["contacts"]["by_channel"]),
            unit="contacts",
            category="Canal",
        ),
        charts.bars(
            "demandes-en-cours-par-anciennete",
            "Demandes en cours par ancienneté"
            + (f" (au {backlog['day']:%d/%m/%Y})" if backlog["day"] else ""),
            [
                (label, n)
                for (_a, _b, label), n in zip(AGE_BUCKETS, backlog["buckets"], strict=True)
            ],
            unit="demandes en cours",
            category="Ancienneté",
        ),
        charts.bars(
            "satisfaction",
            "Avis de satisfaction par note",
            [(RATINGS[r], n) for r, n in sorted(now["satisfaction"]["by_rating"].items())],
            unit="avis",
            category="Note",
        ),
    ]
    return {chart.slug: chart for chart in result}
