"""The signed-in citizen's profile at /compte/profil/: contacts, identity, preferences, the
organisations they act for, and the links to the account's own pages (allauth)."""

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from citizens import selectors
from citizens.forms import ProfileForm
from citizens.services import citizen_get_or_create_for_user, citizen_update_profile
from gru.accounts import is_agent
from gru.forms import error_summary


@login_required
def profile(request):
    # An account without a citizen record yet (an administrator's, one made before the
    # record) gets one from the account's names on its first visit.
    citizen, _created = citizen_get_or_create_for_user(user=request.user)
    certified = selectors.certified_fields(citizen)
    form = ProfileForm(
        request.POST or None, initial=ProfileForm.initial_from(citizen), certified=certified
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            citizen_update_profile(citizen=citizen, actor=request.user, changes=form.cleaned_data)
            flash.success(request, _("Votre profil a été enregistré."))
            return redirect("citizens:profile")
        status = 400
    context = {
        "citizen": citizen,
        "form": form,
        "error_summary": error_summary(form) if form.is_bound else [],
        "certified": bool(certified),
        "identity_lines": selectors.identity_lines(citizen) if certified else [],
        "representations": list(selectors.representations_of(citizen)),
        "account_email": request.user.email,
        # As the session knows it (gru.middleware), without a query of its own.
        "is_agent": request.is_agent if hasattr(request, "is_agent") else is_agent(request.user),
        "may_link_franceconnect": not citizen.franceconnect_sub,
    }
    return render(request, "citizens/profile.html", context, status=status)
