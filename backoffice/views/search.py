"""The one-stop shop's search: one box, whatever the agent was given (`citizens.search`). Every
search is recorded in the agents' access log: it reads who matches."""

from urllib.parse import urlencode

from django import forms
from django.http import Http404
from django.urls import reverse

from backoffice.access import agent_required
from backoffice.views.common import render_agent
from citizens.search import DEFAULT_LIMIT, MAX_QUERY_LENGTH, search_citizens
from gru.forms import error_summary
from gru.models import AccessLog
from gru.services import access_log_record
from service_requests.citizen_search import citizens_by_reference, last_contact
from service_requests.permissions import may


class CitizenSearchForm(forms.Form):
    q = forms.CharField(
        label="Rechercher un usager",
        help_text=(
            "Nom (avec ou sans accents, même mal orthographié), téléphone, adresse "
            "électronique, date de naissance, adresse, référence de demande, SIRET, SIREN ou "
            "numéro RNA."
        ),
        max_length=MAX_QUERY_LENGTH,
        # Not "(facultatif)" next to the page's only box: an empty one is answered by the view.
        required=True,
        widget=forms.SearchInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        strip=True,
        error_messages={
            "max_length": (
                f"La recherche est limitée à {MAX_QUERY_LENGTH} caractères "
                "(elle en compte %(show_value)d) : gardez le nom, le numéro ou la date."
            )
        },
    )


@agent_required
def search(request):
    user = request.user
    if not may(user, "find"):
        raise Http404
    asked = request.GET.get("q")
    blank = asked is not None and not asked.strip()
    form = CitizenSearchForm(request.GET if asked is not None and not blank else None)
    context = {"form": form, "results": None, "asked_nothing": blank, "query": ""}
    context["limit"] = DEFAULT_LIMIT
    if form.is_bound and not form.is_valid():
        context["error_summary"] = error_summary(form)
        return render_agent(request, "backoffice/citizen_search.html", context, status=400)
    query = form.cleaned_data["q"] if form.is_bound else ""
    if query:
        results = search_citizens(
            query, by_reference=citizens_by_reference, annotations={"last_contact": last_contact()}
        )
        access_log_record(user=user, action=AccessLog.Action.SEARCH, detail=query)
        context.update(results=results, query=query)
    new_citizen = reverse("backoffice:citizen_new")
    context["new_citizen_url"] = (
        f"{new_citizen}?{urlencode({'q': query})}" if query else new_citizen
    )
    return render_agent(request, "backoffice/citizen_search.html", context)
