"""Merging two records of one person, and undoing it within 30 days.

The record kept takes the other's place everywhere: every foreign key to Citizen, in any app,
is found through the model's meta (`citizens.references`), so a model added later is merged
without anyone keeping a list in step. The other record stays as a tombstone (`merged_into`),
never deleted: the access log, the history and older merges name it. `CitizenMerge` keeps what
the merge overwrote on the kept record and the primary key of every row it moved, which is
what the undo puts back, and nothing else.

Rows whose move would break a constraint (the kept record already represents the same
organisation, a household link would join the person to themselves…) stay on the tombstone:
they duplicate what the kept record holds; the merge reports them (`left_behind`).
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats, timezone

from citizens.models import Citizen, CitizenMerge
from citizens.references import (
    citizen_references,
    move_rows,
    pk_to_json,
    reference_field,
    reference_key,
)
from citizens.selectors import CERTIFIED_FIELDS
from gru.models import User

UNDO_DAYS = 30
KEPT, MERGED = "kept", "merged"

# The fields the agent chooses between, side by side, in the screen's order. What FranceConnect
# certified is not chosen (CERTIFIED_FIELDS, below); the account, the FranceConnect `sub` and
# the identity assurance follow rules, not choices.
CHOSEN_FIELDS = (
    "given_names",
    "family_name",
    "usage_name",
    "birth_date",
    "birth_place",
    "birth_country",
    "sex",
    "email",
    "phone",
    "street",
    "postcode",
    "city",
    "preferred_channel",
    "needs_assistance",
    "email_updates",
)
Assurance = Citizen.IdentityAssurance


class MergeRefused(ValidationError):
    """A merge or an undo that may not happen, with the reason in French (`message`) and a
    `code`: "self" and "missing" are bad input, the others a conflict with the records' state."""

    CONFLICTS = frozenset(
        {
            "already_merged",
            "two_franceconnect",
            "two_accounts",
            "undone",
            "expired",
            "chained",
            "inconsistent",
        }
    )

    @property
    def is_conflict(self) -> bool:
        return self.code in self.CONFLICTS


# --- Values ---------------------------------------------------------------------------------------


def _to_json(value: Any) -> Any:
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def _from_json(name: str, value: Any) -> Any:
    if value is None:
        return None
    return Citizen._meta.get_field(name).to_python(value)


def identity_source(kept: Citizen, merged: Citizen) -> Citizen | None:
    """The record whose identity FranceConnect certified, if one is: its identity wins."""
    certified = [c for c in (kept, merged) if c.identity_assurance == Assurance.FRANCECONNECT]
    with_sub = [c for c in certified if c.franceconnect_sub]
    return (with_sub or certified or [None])[0]


def merged_values(kept: Citizen, merged: Citizen, choices: Mapping[str, str]) -> dict[str, Any]:
    """The kept record's identity and contacts once merged: each chosen field from the side the
    agent chose (the kept one when not said), the certified identity whatever was chosen, and
    the assurance that goes with the result."""
    values = {}
    for name in CHOSEN_FIELDS:
        source = merged if choices.get(name, KEPT) == MERGED else kept
        values[name] = getattr(source, name)
    certified = identity_source(kept, merged)
    if certified is not None:
        values.update({name: getattr(certified, name) for name in CERTIFIED_FIELDS})
        values["identity_assurance"] = Assurance.FRANCECONNECT
    else:
        # Checked at the counter holds only for the identity that was checked: kept when the
        # result is that record's identity, field for field; else the identity is declared.
        checked = any(
            record.identity_assurance == Assurance.COUNTER
            and all(getattr(record, name) == values[name] for name in CERTIFIED_FIELDS)
            for record in (kept, merged)
        )
        values["identity_assurance"] = Assurance.COUNTER if checked else Assurance.DECLARED
    return values


# --- Merge ----------------------------------------------------------------------------------------


def _locked_pair(kept_pk: int, merged_pk: int) -> tuple[Citizen, Citizen]:
    """Both records, locked in the order of their ids (two merges at once cannot deadlock).
    FOR UPDATE, not FOR NO KEY UPDATE: a row being inserted that points at either waits."""
    locked = {
        citizen.pk: citizen
        for citizen in Citizen.objects.select_for_update()
        .filter(pk__in=[kept_pk, merged_pk])
        .order_by("pk")
    }
    if len(locked) < 2:
        raise MergeRefused("Cette fiche d'usager n'existe pas ou plus.", code="missing")
    return locked[kept_pk], locked[merged_pk]


def check_mergeable(kept: Citizen, merged: Citizen) -> None:
    """Raise MergeRefused when these two records may not be merged (read before locking too,
    for the merge screen)."""
    if kept.pk == merged.pk:
        raise MergeRefused(
            "Une fiche ne peut pas être fusionnée avec elle-même : choisissez deux fiches "
            "différentes.",
            code="self",
        )
    for record in (kept, merged):
        if record.merged_into_id is not None:
            raise MergeRefused(
                f"La fiche n° {record.pk} a déjà été fusionnée dans la fiche n° "
                f"{record.merged_into_id} : c'est cette dernière qu'il faut comparer.",
                code="already_merged",
            )
    if kept.franceconnect_sub and merged.franceconnect_sub:
        raise MergeRefused(
            "Les deux fiches portent chacune une identité FranceConnect, et ce ne sont pas les "
            "mêmes : pour l'État, ce sont deux personnes différentes. Elles ne peuvent pas être "
            "fusionnées.",
            code="two_franceconnect",
        )
    if kept.user_id and merged.user_id:
        raise MergeRefused(
            "Les deux fiches sont reliées chacune à un compte en ligne. Une fiche ne se relie "
            "qu'à un seul compte : la fusion ferait perdre à l'usager l'accès à l'un d'eux. Elles "
            "ne peuvent pas être fusionnées tant que l'usager a deux comptes.",
            code="two_accounts",
        )


def citizen_merge(
    *, kept: Citizen, merged: Citizen, choices: Mapping[str, str], actor: User
) -> CitizenMerge:
    """Merge `merged` into `kept`: `kept` takes the chosen values ("kept" or "merged" per field
    of CHOSEN_FIELDS, "kept" when not said) and FranceConnect's identity if either record has
    it, the account and the FranceConnect `sub` if only `merged` has them, and every row that
    pointed at `merged`; `merged` becomes a tombstone. One transaction; MergeRefused when the
    merge may not happen, nothing changed. The merge returned carries `left_behind`
    ({key: [pk]}), the rows that stayed on the tombstone."""
    for name, side in choices.items():
        if name not in CHOSEN_FIELDS or side not in (KEPT, MERGED):
            raise ValueError(f"unknown choice {name!r}: {side!r}")
    if kept.pk == merged.pk:
        check_mergeable(kept, merged)
    with transaction.atomic():
        kept, merged = _locked_pair(kept.pk, merged.pk)
        check_mergeable(kept, merged)
        replaced = {}
        for name, value in merged_values(kept, merged, choices).items():
            if getattr(kept, name) != value:
                replaced[name] = _to_json(getattr(kept, name))
                setattr(kept, name, value)
        # Unique columns: off the tombstone first, then onto the kept record.
        tombstone_fields = ["merged_into", "updated_at"]
        sub = merged.franceconnect_sub if not kept.franceconnect_sub else None
        account = merged.user_id if not kept.user_id else None
        if sub:
            merged.franceconnect_sub = None
            tombstone_fields.append("franceconnect_sub")
        if account:
            merged.user = None
            tombstone_fields.append("user")
        merged.merged_into = kept
        merged._history_user = actor
        merged._change_reason = f"Fusionnée dans la fiche n° {kept.pk}"
        merged.save(update_fields=tombstone_fields)
        if sub:
            replaced["franceconnect_sub"] = None
            kept.franceconnect_sub = sub
        if account:
            replaced["user"] = None
            kept.user_id = account
        kept._history_user = actor
        kept._change_reason = f"Fusion de la fiche n° {merged.pk} dans celle-ci"
        kept.save(update_fields=[*replaced, "updated_at"])

        reason = f"Fusion de la fiche usager n° {merged.pk} dans la fiche n° {kept.pk}"
        moved, left = {}, {}
        for field in citizen_references():
            rows, stayed = move_rows(
                field, pks=None, source=merged, target=kept, actor=actor, reason=reason
            )
            if rows:
                moved[reference_key(field)] = [pk_to_json(pk) for pk in rows]
            if stayed:
                left[reference_key(field)] = stayed
        merge = CitizenMerge.objects.create(
            kept=kept, merged=merged, replaced_values=replaced, moved=moved, merged_by=actor
        )
    merge.left_behind = left
    return merge


# --- Undo -----------------------------------------------------------------------------------------


def undo_deadline(merge: CitizenMerge) -> datetime.datetime:
    return merge.merged_at + timedelta(days=UNDO_DAYS)


def check_undoable(merge: CitizenMerge, *, now: datetime.datetime | None = None) -> None:
    """Raise MergeRefused when this merge may not be undone any more (read before locking too,
    for the screen)."""
    now = now or timezone.now()
    if merge.undone_at is not None:
        when = formats.date_format(timezone.localtime(merge.undone_at), "j F Y à H:i")
        raise MergeRefused(f"Cette fusion a déjà été annulée, le {when}.", code="undone")
    if now > undo_deadline(merge):
        when = formats.date_format(timezone.localtime(merge.merged_at), "j F Y")
        raise MergeRefused(
            f"Cette fusion date du {when} : elle ne peut être annulée que dans les {UNDO_DAYS} "
            "jours qui suivent. Pour séparer de nouveau ces personnes, créez une fiche et "
            "rattachez-y ce qui la concerne.",
            code="expired",
        )


def citizen_merge_undo(*, merge: CitizenMerge, actor: User) -> CitizenMerge:
    """Undo `merge` within UNDO_DAYS days: the tombstone lives again with its account and its
    FranceConnect `sub` if they moved, exactly the rows the merge moved go back to it (those
    still on the kept record), and the kept record gets back the values the merge replaced,
    unless one was changed since (that change stands). MergeRefused when too late, already
    undone, or when the kept record was merged since (that merge is undone first). The merge
    returned carries `not_moved_back` ({key: [pk]}) and `not_restored` (field names)."""
    with transaction.atomic():
        merge = CitizenMerge.objects.select_for_update().get(pk=merge.pk)
        check_undoable(merge)
        kept, merged = _locked_pair(merge.kept_id, merge.merged_id)
        if kept.merged_into_id is not None:
            raise MergeRefused(
                f"La fiche conservée (n° {kept.pk}) a depuis été fusionnée dans la fiche n° "
                f"{kept.merged_into_id} : annulez d'abord cette fusion-là.",
                code="chained",
            )
        if merged.merged_into_id != kept.pk:
            raise MergeRefused(
                f"La fiche n° {merged.pk} n'est plus fusionnée dans la fiche n° {kept.pk}.",
                code="inconsistent",
            )
        replaced = dict(merge.replaced_values)
        sub = account = None
        if "franceconnect_sub" in replaced and kept.franceconnect_sub:
            sub, kept.franceconnect_sub = (
                kept.franceconnect_sub,
                _from_json("franceconnect_sub", replaced.pop("franceconnect_sub")),
            )
        if "user" in replaced and kept.user_id:
            account, kept.user_id = kept.user_id, replaced.pop("user")
        restored = ["franceconnect_sub"] if sub else []
        restored += ["user"] if account else []
        not_restored = []
        for name, before in replaced.items():
            if name not in CHOSEN_FIELDS and name != "identity_assurance":
                continue
            # The merge wrote the tombstone's value (or the certified one, the tombstone's
            # too); another value there now is a later change, which stands.
            if name in CHOSEN_FIELDS and getattr(kept, name) != getattr(merged, name):
                not_restored.append(name)
                continue
            setattr(kept, name, _from_json(name, before))
            restored.append(name)
        kept._history_user = actor
        kept._change_reason = f"Annulation de la fusion de la fiche n° {merged.pk}"
        kept.save(update_fields=[*restored, "updated_at"])
        merged.merged_into = None
        fields = ["merged_into", "updated_at"]
        if sub:
            merged.franceconnect_sub = sub
            fields.append("franceconnect_sub")
        if account:
            merged.user_id = account
            fields.append("user")
        merged._history_user = actor
        merged._change_reason = f"Annulation de sa fusion dans la fiche n° {kept.pk}"
        merged.save(update_fields=fields)

        reason = f"Annulation de la fusion de la fiche usager n° {merged.pk}"
        not_moved_back = {}
        for key, pks in merge.moved.items():
            field = reference_field(key)
            if field is None:  # a model or field removed since: nothing to move back
                not_moved_back[key] = list(pks)
                continue
            moved, _ = move_rows(
                field, pks=pks, source=kept, target=merged, actor=actor, reason=reason
            )
            # Not back: rows that would now break a constraint, or were moved elsewhere since.
            back = {pk_to_json(pk) for pk in moved}
            if len(back) < len(pks):
                not_moved_back[key] = [pk for pk in pks if pk not in back]
        merge.undone_by = actor
        merge.undone_at = timezone.now()
        merge.save(update_fields=["undone_by", "undone_at"])
    merge.not_moved_back = not_moved_back
    merge.not_restored = not_restored
    return merge


# --- For the screens -----------------------------------------------------------------------------


def undoable_merges(citizen: Citizen) -> list[CitizenMerge]:
    """The merges into this record that may still be undone, newest first (for a 360° view)."""
    since = timezone.now() - timedelta(days=UNDO_DAYS)
    return list(
        CitizenMerge.objects.filter(kept=citizen, undone_at__isnull=True, merged_at__gte=since)
        .select_related("merged", "merged_by")
        .order_by("-merged_at")
    )
