"""The one-stop shop's 360° view of a citizen, the edit of their record, and an organisation's
page. Agents who may find citizens (`permissions.may(user, "find")`) open them; anyone else
gets a 404, the answer for a page that does not exist.

Each showing of a citizen's record (the view, the edit form) is a read of personal data and is
recorded in the agents' access log. An organisation's page is not: it shows the organisation
(a legal person), the names and roles of its representatives as the public registers show them
(RNA, SIRENE), and its requests; the representatives' own data stays behind their 360° view,
whose every opening is recorded."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect

from backoffice.access import agent_required
from backoffice.citizen_forms import (
    CONTACT_FIELDS,
    HOUSEHOLD_LINKS,
    PREFERENCE_FIELDS,
    CitizenEditForm,
    RelationshipForm,
    RepresentationForm,
)
from backoffice.views.common import render_agent
from citizens.household import relationship_add
from citizens.merging import undo_deadline, undoable_merges
from citizens.models import Citizen, Organisation
from citizens.organisations import representation_add
from citizens.selectors import certified_fields, citizen_history, identity_lines
from citizens.services import AGENT_EDITABLE_FIELDS, citizen_update_by_agent
from gru.forms import error_summary
from gru.models import AccessLog
from gru.services import access_log_record
from service_requests.citizen_record import citizen_record, organisation_record, timeline_size
from service_requests.permissions import may

# The changed fields as the success message names them.
LABELS = {name: str(Citizen._meta.get_field(name).verbose_name) for name in AGENT_EDITABLE_FIELDS}
# A chain of merges (A into B, then B into C) is followed this far at most.
MERGE_HOPS = 5


def _require(user, action: str) -> None:
    if not may(user, action):
        raise Http404


def _citizen_or_redirect(request, pk: int, *, to: str):
    """The citizen, or a redirect to the record a merged one was merged into."""
    citizen = get_object_or_404(Citizen.objects.select_related("user"), pk=pk)
    if citizen.merged_into_id is None:
        return citizen, None
    kept = citizen.merged_into
    for _hop in range(MERGE_HOPS):
        if kept.merged_into_id is None:
            break
        kept = kept.merged_into
    messages.info(
        request,
        f"La fiche n° {citizen.pk} a été fusionnée dans celle-ci : "
        "toutes ses informations y ont été rattachées.",
    )
    return None, redirect(to, pk=kept.pk)


def _log_view(user, citizen: Citizen) -> None:
    access_log_record(user=user, action=AccessLog.Action.VIEW_CITIZEN, citizen_id=citizen.pk)


@agent_required
def record(request, pk: int):
    user = request.user
    _require(user, "find")
    citizen, moved = _citizen_or_redirect(request, pk, to="backoffice:citizen")
    if moved:
        return moved
    _log_view(user, citizen)
    data = citizen_record(
        citizen, user=user, timeline_entries=timeline_size(request.GET.get("entrees"))
    )
    context = {
        "citizen": citizen,
        "record": data,
        "identity": identity_lines(citizen),
        "certified": bool(certified_fields(citizen)),
        "history": citizen_history(citizen),
        "may_edit": may(user, "edit"),
        "may_contact": may(user, "contact"),
        "may_file": may(user, "file"),
        # The merges into this record still undoable: the way back once the message is gone.
        "merges": [
            {"merge": done, "deadline": undo_deadline(done)}
            for done in (undoable_merges(citizen) if may(user, "merge") else [])
        ],
    }
    return render_agent(request, "backoffice/citizen.html", context)


@agent_required
def edit(request, pk: int):
    user = request.user
    _require(user, "edit")
    citizen, moved = _citizen_or_redirect(request, pk, to="backoffice:citizen_edit")
    if moved:
        return moved
    certified = certified_fields(citizen)
    form = CitizenEditForm(request.POST or None, citizen=citizen, certified=certified)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                changed = citizen_update_by_agent(
                    citizen=citizen,
                    actor=user,
                    changes=form.changes(),
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as invalid:
                if hasattr(invalid, "error_dict"):
                    for field, errors in invalid.error_dict.items():
                        for error in errors:
                            form.add_error(field if field in form.fields else None, error)
                else:
                    for error in invalid.messages:
                        form.add_error(None, error)
            else:
                if changed:
                    labels = ", ".join(LABELS.get(name, name) for name in changed)
                    messages.success(request, f"La fiche de l'usager est modifiée : {labels}.")
                else:
                    messages.info(request, "Rien n'a changé : la fiche est restée telle quelle.")
                return redirect("backoffice:citizen", pk=citizen.pk)
        status = 400
    _log_view(user, citizen)
    context = {
        "citizen": citizen,
        "form": form,
        "certified": bool(certified),
        "identity": identity_lines(citizen) if certified else [],
        "contact_fields": form.section(CONTACT_FIELDS),
        "preference_fields": form.section(PREFERENCE_FIELDS),
        "error_summary": error_summary(form),
    }
    return render_agent(request, "backoffice/citizen_edit.html", context, status=status)


@agent_required
def add_representation(request, pk: int):
    """Record that the citizen acts for a company or an association (created from its number
    the first time it is seen)."""
    user = request.user
    _require(user, "edit")
    citizen, moved = _citizen_or_redirect(request, pk, to="backoffice:citizen_representation")
    if moved:
        return moved
    form = RepresentationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            added = representation_add(citizen=citizen, actor=user, **data)
        except ValidationError as refused:
            _refusal_on(form, refused)
        else:
            messages.success(
                request,
                f"{citizen.display_name} représente désormais {added.organisation.name} "
                f"({added.get_role_display().lower()}).",
            )
            return redirect("backoffice:citizen", pk=citizen.pk)
    context = {"citizen": citizen, "form": form, "error_summary": error_summary(form)}
    status = 400 if form.is_bound else 200
    return render_agent(request, "backoffice/representation_add.html", context, status=status)


def _refusal_on(form, refused: ValidationError) -> None:
    """A service's refusal next to the field it names, the others above the form."""
    errors = refused.error_dict if hasattr(refused, "error_dict") else {None: refused.error_list}
    for field, messages_ in errors.items():
        for error in messages_:
            form.add_error(field if field in form.fields else None, error)


@agent_required
def add_relationship(request, pk: int):
    """Link the citizen to another record of their household (parent, child, guardian)."""
    user = request.user
    _require(user, "edit")
    citizen, moved = _citizen_or_redirect(request, pk, to="backoffice:citizen_relationship")
    if moved:
        return moved
    form = RelationshipForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        kind, citizen_is_first = HOUSEHOLD_LINKS[form.cleaned_data["link"]]
        try:
            relationship_add(
                citizen=citizen,
                other_id=form.cleaned_data["other"],
                kind=kind,
                citizen_is_first=citizen_is_first,
            )
        except ValidationError as refused:
            _refusal_on(form, refused)
        else:
            messages.success(request, "Le lien familial est enregistré.")
            return redirect("backoffice:citizen", pk=citizen.pk)
    context = {"citizen": citizen, "form": form, "error_summary": error_summary(form)}
    status = 400 if form.is_bound else 200
    return render_agent(request, "backoffice/relationship_add.html", context, status=status)


@agent_required
def organisation(request, pk: int):
    user = request.user
    _require(user, "find")
    found = get_object_or_404(Organisation, pk=pk)
    context = {"organisation": found, "record": organisation_record(found, user=user)}
    return render_agent(request, "backoffice/organisation.html", context)
