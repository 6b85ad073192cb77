"""Duplicates and merge, for the front desk (`may(user, "merge")`, else a 404): the list of
likely duplicates with why each pair matched, the two records side by side to choose each
field and the record kept, and the undo within 30 days (`citizens.merging`)."""

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.html import format_html
from django.views.decorators.http import require_http_methods

from backoffice.access import agent_required
from backoffice.views.common import render_agent
from citizens.duplicates import duplicate_pairs
from citizens.merging import (
    CHOSEN_FIELDS,
    KEPT,
    MERGED,
    UNDO_DAYS,
    MergeRefused,
    check_mergeable,
    check_undoable,
    citizen_merge,
    citizen_merge_undo,
    identity_source,
    undo_deadline,
)
from citizens.models import Citizen, CitizenMerge
from citizens.references import reference_counts
from citizens.selectors import CERTIFIED_FIELDS
from gru.forms import error_summary
from gru.models import AccessLog
from gru.services import access_log_record
from service_requests.permissions import may

PAIRS_SHOWN = 50


def _front_desk(user) -> None:
    if not may(user, "merge"):
        raise Http404


def _suggested_kept(first: Citizen, second: Citizen) -> tuple[Citizen, Citizen]:
    """The record to keep by default: the one FranceConnect certified, else the one with an
    account, else the older; then the other."""
    for has in (lambda c: bool(c.franceconnect_sub), lambda c: bool(c.user_id)):
        if has(second) and not has(first):
            return second, first
        if has(first) and not has(second):
            return first, second
    return (first, second) if first.pk < second.pk else (second, first)


@agent_required
def duplicates(request):
    _front_desk(request.user)
    pairs = duplicate_pairs(limit=PAIRS_SHOWN)
    access_log_record(
        user=request.user, action=AccessLog.Action.SEARCH, detail="Doublons probables"
    )
    rows = []
    for pair in pairs:
        kept, other = _suggested_kept(pair.older, pair.newer)
        rows.append(
            {
                "pair": pair,
                "records": (pair.older, pair.newer),
                "url": reverse("backoffice:citizen_merge", args=[kept.pk, other.pk]),
            }
        )
    context = {"rows": rows, "limit": PAIRS_SHOWN}
    return render_agent(request, "backoffice/duplicates.html", context)


# --- The merge screen ----------------------------------------------------------------------------


def _label(name: str) -> str:
    return str(Citizen._meta.get_field(name).verbose_name).capitalize()


def _shown(citizen: Citizen, name: str) -> str:
    value = getattr(citizen, name)
    field = Citizen._meta.get_field(name)
    if field.choices:
        return str(dict(field.choices).get(value, value))
    if isinstance(value, bool):
        return "Oui" if value else "Non"
    if name == "birth_date":
        return formats.date_format(value, "d/m/Y") if value else ""
    return value or ""


def _record_label(citizen: Citizen) -> str:
    created = formats.date_format(timezone.localtime(citizen.created_at), "d/m/Y")
    return f"Fiche n° {citizen.pk} : {citizen.display_name}, créée le {created}"


class MergeForm(forms.Form):
    """The record kept, one choice per differing field (by record id), the confirmation."""

    def __init__(self, *args, first: Citizen, second: Citizen, chosen: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        records = [(first.pk, f"Fiche n° {first.pk}"), (second.pk, f"Fiche n° {second.pk}")]
        self.fields["kept"] = forms.TypedChoiceField(
            label="Fiche conservée",
            choices=[(c.pk, _record_label(c)) for c in (first, second)],
            coerce=int,
            widget=forms.RadioSelect,
            initial=first.pk,
            help_text=(
                "L'autre fiche ne sera pas supprimée : elle renverra vers la fiche conservée, "
                "qui reçoit tout ce qui lui était rattaché. Son numéro reste valable."
            ),
            error_messages={
                "required": "Choisissez la fiche à conserver.",
                "invalid_choice": "Choisissez l'une des deux fiches comparées.",
            },
        )
        for name in chosen:
            label = _label(name)
            empty_first = getattr(first, name) in ("", None)
            self.fields[f"field_{name}"] = forms.TypedChoiceField(
                label=f"{label} : valeur à garder",
                choices=records,
                coerce=int,
                widget=forms.RadioSelect,
                initial=second.pk if empty_first else first.pk,
                error_messages={
                    "required": f"Choisissez la valeur à garder pour « {label} ».",
                    "invalid_choice": f"Choisissez l'une des deux fiches pour « {label} ».",
                },
            )
        self.fields["confirm"] = forms.BooleanField(
            label="Je confirme que ces deux fiches désignent la même personne.",
            error_messages={
                "required": (
                    "Cochez la confirmation : une fusion rattache tout à une seule personne."
                )
            },
        )

    def choices_for(self, kept_id: int) -> dict[str, str]:
        return {
            name.removeprefix("field_"): KEPT if value == kept_id else MERGED
            for name, value in self.cleaned_data.items()
            if name.startswith("field_")
        }


def _comparison(first: Citizen, second: Citizen) -> tuple[list[dict], list[str], Citizen | None]:
    """The rows of the side-by-side table, the fields the agent chooses, the certified
    record whose identity is fixed (if any)."""
    certified = identity_source(first, second)
    rows, chosen = [], []
    for name in CHOSEN_FIELDS:
        row = {
            "name": name,
            "label": _label(name),
            "values": [_shown(first, name), _shown(second, name)],
        }
        if certified is not None and name in CERTIFIED_FIELDS:
            row["fixed"] = certified
        elif getattr(first, name) == getattr(second, name):
            row["same"] = True
        else:
            chosen.append(name)
        rows.append(row)
    return rows, chosen, certified


def _refused(request, refusal: MergeRefused, context: dict):
    context["refusal"] = refusal.message
    status = 409 if refusal.is_conflict else 400
    return render_agent(request, "backoffice/merge.html", context, status=status)


@agent_required
@require_http_methods(["GET", "POST"])
def merge(request, pk: int, other: int):
    _front_desk(request.user)
    records = Citizen.objects.select_related("user").in_bulk([pk, other])
    if pk not in records or other not in records:
        raise Http404
    first, second = records[pk], records[other]
    context = {"first": first, "second": second}
    try:
        check_mergeable(first, second)
    except MergeRefused as refusal:
        return _refused(request, refusal, context)
    for citizen in (first, second):
        access_log_record(
            user=request.user, action=AccessLog.Action.VIEW_CITIZEN, citizen_id=citizen.pk
        )
    rows, chosen, certified = _comparison(first, second)
    form = MergeForm(
        request.POST if request.method == "POST" else None,
        first=first,
        second=second,
        chosen=chosen,
    )
    for row in rows:
        if row["name"] in chosen:
            row["field"] = form[f"field_{row['name']}"]
    context.update(
        form=form,
        rows=rows,
        certified=certified,
        references=[
            {"label": row.label, "values": [row.counts[first.pk], row.counts[second.pk]]}
            for row in reference_counts([first, second])
        ],
        certified_message=certified
        and (
            f"L'identité de la fiche n° {certified.pk} a été certifiée par FranceConnect : ses "
            "prénoms, nom de naissance, date, lieu et pays de naissance et son sexe sont "
            "conservés, quelle que soit la fiche conservée ; ils ne se choisissent pas."
        ),
        # An account and a FranceConnect identity from two records end up together.
        joins_identities=bool(
            (first.user_id and second.franceconnect_sub and not first.franceconnect_sub)
            or (second.user_id and first.franceconnect_sub and not second.franceconnect_sub)
        ),
    )
    if not form.is_bound:
        return render_agent(request, "backoffice/merge.html", context)
    if not form.is_valid():
        context["error_summary"] = error_summary(form)
        return render_agent(request, "backoffice/merge.html", context, status=400)
    kept_id = form.cleaned_data["kept"]
    kept, merged = (first, second) if kept_id == first.pk else (second, first)
    try:
        done = citizen_merge(
            kept=kept, merged=merged, choices=form.choices_for(kept_id), actor=request.user
        )
    except MergeRefused as refusal:
        return _refused(request, refusal, context)
    messages.success(request, _merged_message(done))
    return redirect("backoffice:citizen", pk=kept.pk)


def _merged_message(done: CitizenMerge):
    left = sum(len(pks) for pks in done.left_behind.values())
    stayed = (
        f" {left} élément(s) que cette fiche avait déjà (même organisation représentée, même "
        "lien) sont restés sur l'ancienne fiche."
        if left
        else ""
    )
    deadline = formats.date_format(timezone.localtime(undo_deadline(done)), "j F Y")
    return format_html(
        "Fiches fusionnées : la fiche n° {} renvoie désormais vers celle-ci, et ce qui lui était "
        'rattaché y est passé.{} Vous pouvez <a href="{}">annuler la fusion</a> jusqu\'au {}.',
        done.merged_id,
        stayed,
        reverse("backoffice:merge_undo", args=[done.pk]),
        deadline,
    )


# --- Undo ----------------------------------------------------------------------------------------


@agent_required
@require_http_methods(["GET", "POST"])
def undo(request, merge_id: int):
    _front_desk(request.user)
    done = get_object_or_404(
        CitizenMerge.objects.select_related("kept", "merged", "merged_by", "undone_by"),
        pk=merge_id,
    )
    context = {"merge": done, "deadline": undo_deadline(done), "undo_days": UNDO_DAYS}
    try:
        check_undoable(done)
    except MergeRefused as refusal:
        context["refusal"] = refusal.message
        status = 409 if request.method == "POST" else 200
        return render_agent(request, "backoffice/merge_undo.html", context, status=status)
    if request.method == "GET":
        return render_agent(request, "backoffice/merge_undo.html", context)
    try:
        undone = citizen_merge_undo(merge=done, actor=request.user)
    except MergeRefused as refusal:
        context["refusal"] = refusal.message
        return render_agent(request, "backoffice/merge_undo.html", context, status=409)
    text = (
        f"Fusion annulée : les fiches n° {undone.kept_id} et n° {undone.merged_id} sont de "
        "nouveau séparées, chacune avec ce qui lui était rattaché."
    )
    if undone.not_restored:
        labels = ", ".join(_label(name).lower() for name in undone.not_restored)
        text += (
            f" Modifiés depuis la fusion, ces champs de la fiche n° {undone.kept_id} gardent "
            f"leur valeur actuelle : {labels}."
        )
    if undone.not_moved_back:
        count = sum(len(pks) for pks in undone.not_moved_back.values())
        text += (
            f" {count} élément(s) déplacé(s) par la fusion ne sont pas revenus sur la fiche "
            f"n° {undone.merged_id} : ils ont été rattachés ailleurs depuis, ou y feraient double."
        )
    messages.success(request, text)
    return redirect("backoffice:citizen", pk=undone.merged_id)
