"""A new citizen's record, its likely duplicates first."""

from __future__ import annotations

from django.contrib import messages as flash
from django.shortcuts import redirect

from backoffice.access import agent_required
from backoffice.on_behalf_forms import (
    NewCitizenForm,
    prefill_from_query,
)
from backoffice.views.common import render_agent
from backoffice.views.on_behalf.common import check_right
from citizens.duplicates import likely_duplicates
from citizens.models import Citizen
from citizens.services import citizen_create_by_agent
from gru.forms import error_summary
from gru.models import AccessLog
from gru.services import access_log_record


@agent_required
def new_citizen(request):
    """The record of a citizen met for the first time. On submit, the likely duplicates come
    first (who, and why each matched): « C'est cette personne » opens that record, « Créer quand
    même » posts the same details again with the proof they were seen."""
    check_right(request.user)
    candidates = []
    if request.method == "POST":
        form = NewCitizenForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            made = Citizen.objects.filter(creation_key=data["creation_key"]).first()
            if data["creation_key"] and made is not None:  # a double click: the record made
                return redirect("backoffice:file_choose", pk=made.pk)
            if not form.duplicates_confirmed():
                candidates = likely_duplicates(
                    given_names=data["given_names"],
                    family_name=data["family_name"],
                    usage_name=data["usage_name"],
                    birth_date=data["birth_date"],
                    email=data["email"],
                    phone=data["phone"],
                )
            if not candidates:
                citizen = citizen_create_by_agent(actor=request.user, **form.record_values())
                flash.success(request, f"La fiche de {citizen.display_name} est créée.")
                return redirect("backoffice:file_choose", pk=citizen.pk)
            # The candidates are personal data read by the agent: logged as a search.
            access_log_record(
                user=request.user,
                action=AccessLog.Action.SEARCH,
                detail=f"doublons possibles : {data['given_names']} {data['family_name']}",
            )
            form.data = form.data.copy()
            form.data["duplicates_seen"] = form.fingerprint()
    else:
        form = NewCitizenForm(initial=prefill_from_query(request.GET.get("q", "")))
    invalid = form.is_bound and not form.is_valid()
    context = {
        "form": form,
        "error_summary": error_summary(form) if invalid else [],
        "candidates": candidates,
        "query": request.GET.get("q", "")[:200],
    }
    return render_agent(
        request, "backoffice/on_behalf/citizen_new.html", context, status=400 if invalid else 200
    )
