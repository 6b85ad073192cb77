"""The monthly activity report (`/agents/pilotage/rapport/`): choose a month, get its PDF
(pilotage.report). Within the dashboard scope; aggregates only, whoever asks."""

from django import forms
from django.http import HttpResponse
from django.utils import timezone

from backoffice.views.pilotage import dashboard_required, render_pilotage
from gru.forms import error_summary
from pilotage.report import month_of, monthly_report_pdf, selectable_months
from service_requests.permissions import dashboard_scope


class MonthForm(forms.Form):
    mois = forms.ChoiceField(
        label="Mois",
        error_messages={
            "required": "Choisissez un mois.",
            "invalid_choice": "Choisissez un mois de la liste (les 24 derniers).",
        },
    )

    def __init__(self, *args, today, **kwargs):
        super().__init__(*args, **kwargs)
        months = selectable_months(today)
        self.fields["mois"].choices = [(f"{m.start:%Y-%m}", m.label) for m in months]
        self.fields["mois"].initial = f"{months[1].start:%Y-%m}"  # the last full month
        self.months = {f"{m.start:%Y-%m}": m for m in months}


@dashboard_required
def report(request):
    form = MonthForm(today=timezone.localdate())
    context = {"form": form}
    return render_pilotage(request, "backoffice/radar/report.html", context)


@dashboard_required
def report_pdf(request):
    today = timezone.localdate()
    form = MonthForm(request.GET, today=today)
    if not form.is_valid():
        context = {"form": form, "error_summary": error_summary(form)}
        return render_pilotage(request, "backoffice/radar/report.html", context, status=400)
    month = month_of(form.months[form.cleaned_data["mois"]].start)
    pdf = monthly_report_pdf(dashboard_scope(request.user), month, today=today)
    response = HttpResponse(pdf, content_type="application/pdf")
    name = f"rapport-activite-{month.start:%Y-%m}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response
