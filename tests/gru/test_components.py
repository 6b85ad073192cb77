"""{% field %} gives the markup of components/field.html, whatever the field, its widget,
its hint and its errors."""

from django.template import Context, Template

from citizens.forms import ProfileForm
from service_requests.views.tracking import MessageForm, SatisfactionForm
from tests.gru.test_renderers import EveryWidget

INCLUDED = Template('{% include "components/field.html" with field=field only %}')
TAG = Template("{% load components %}{% field field %}")


def same_markup(form):
    for bound_field in form:
        context = Context({"field": bound_field})
        assert TAG.render(context) == INCLUDED.render(context), bound_field.name


def test_every_widget_with_and_without_errors():
    same_markup(EveryWidget())
    same_markup(EveryWidget(data={"text": "<b>", "radio": "zz", "email": "x"}))


def test_profile_and_tracking_forms(db):
    same_markup(ProfileForm())
    same_markup(ProfileForm(data={"given_names": "", "sex": "?", "phone": "x", "postcode": "1"}))
    same_markup(MessageForm())
    same_markup(MessageForm(data={"body": ""}))
    same_markup(SatisfactionForm())
    same_markup(SatisfactionForm(data={"rating": "x"}))
