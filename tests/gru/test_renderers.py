"""The form renderer writes the common widgets in Python: the same markup as Django's
templates, whatever the widget, its attributes, its value and its errors."""

from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe

from citizens.forms import ProfileForm
from gru.renderers import FormRenderer

CHOICES = [("a", "Alpha <b>"), ("b", "Bêta & co"), (3, "Trois")]


class EveryWidget(forms.Form):
    text = forms.CharField(widget=forms.TextInput(attrs={"autocomplete": "off", "x": None}))
    flag = forms.BooleanField(required=False)
    email = forms.EmailField(help_text="Aide")
    number = forms.IntegerField(widget=forms.NumberInput(attrs={"disabled": True, "y": False}))
    day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    secret = forms.CharField(widget=forms.PasswordInput(render_value=True))
    hidden = forms.CharField(widget=forms.HiddenInput)
    upload = forms.FileField(required=False)
    radio = forms.ChoiceField(choices=CHOICES, widget=forms.RadioSelect(attrs={"class": "c"}))
    boxes = forms.MultipleChoiceField(choices=CHOICES, widget=forms.CheckboxSelectMultiple)
    grouped = forms.ChoiceField(
        choices=[("Groupe", [("g1", "Un"), ("g2", "Deux")]), ("x", "Seul")],
        widget=forms.RadioSelect,
    )
    select = forms.ChoiceField(choices=CHOICES)
    body = forms.CharField(widget=forms.Textarea(attrs={"maxlength": 10}))


def rendered(form_class, renderer, **kwargs) -> list[str]:
    form = form_class(renderer=renderer, **kwargs)
    return [str(form[name]) for name in form.fields]


def same_markup(form_class, **kwargs):
    django = rendered(form_class, DjangoTemplates(), **kwargs)
    ours = rendered(form_class, FormRenderer(), **kwargs)
    assert ours == django


def test_every_widget_unbound_and_bound():
    same_markup(EveryWidget)
    same_markup(EveryWidget, initial={"text": mark_safe("<i>sûr</i>"), "radio": "b"})
    same_markup(
        EveryWidget,
        data={
            "text": 'a "b" <c> & d',
            "number": "x",
            "radio": "3",
            "boxes": ["a", "b"],
            "body": "<p>\nx",
        },
    )


def test_profile_form(db):
    same_markup(ProfileForm)
    same_markup(ProfileForm, data={"given_names": "<Jeanne>", "sex": "F", "phone": "0102"})


def test_it_is_the_projects_renderer(settings):
    assert settings.FORM_RENDERER == "gru.renderers.FormRenderer"
