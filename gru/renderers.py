"""The form renderer: Django's, with its most common widgets written in Python.

Django renders every <input>, and every option of a radio or checkbox group, through templates
(an include per option, one for the attributes): about 0.1 ms each, 40 % of the profile page's
CPU. The widgets below give the same markup, byte for byte, as Django's templates
(django/forms/templates/django/forms/widgets/); any other template goes through Django's.
tests/gru/test_renderers.py compares both on the project's forms.
"""

from django.forms.renderers import DjangoTemplates
from django.utils.html import conditional_escape

# Templates whose whole content is {% include "django/forms/widgets/input.html" %}.
INPUT_TEMPLATES = frozenset(
    f"django/forms/widgets/{name}.html"
    for name in (
        *("input", "checkbox", "color", "date", "datetime", "email", "file", "hidden"),
        *("number", "password", "search", "tel", "text", "time", "url"),
    )
)
# Radio and checkbox groups: multiple_input.html, an input_option.html per option.
GROUP_TEMPLATES = frozenset(
    {"django/forms/widgets/radio.html", "django/forms/widgets/checkbox_select.html"}
)
OPTION_TEMPLATES = frozenset(
    {"django/forms/widgets/radio_option.html", "django/forms/widgets/checkbox_option.html"}
)


def _text(value) -> str:
    """{{ value|stringformat:'s' }}: the value as text, escaped unless marked safe."""
    return conditional_escape(value if isinstance(value, str) else str(value))


def _attrs(attrs: dict) -> str:
    """django/forms/widgets/attrs.html"""
    return "".join(
        f" {conditional_escape(name)}" + ("" if value is True else f'="{_text(value)}"')
        for name, value in attrs.items()
        if value is not False
    )


def render_input(widget: dict) -> str:
    """django/forms/widgets/input.html, without its final line break."""
    value = "" if widget["value"] is None else f' value="{_text(widget["value"])}"'
    return (
        f'<input type="{conditional_escape(widget["type"])}" '
        f'name="{conditional_escape(widget["name"])}"{value}{_attrs(widget["attrs"])}>'
    )


def render_textarea(widget: dict) -> str:
    """django/forms/widgets/textarea.html, without its final line break."""
    value = conditional_escape(widget["value"]) if widget["value"] else ""
    return (
        f'<textarea name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>\n'
        f"{value}</textarea>"
    )


def render_option(option: dict) -> str:
    """radio_option.html or checkbox_option.html (input_option.html), as included in a group:
    with the line breaks of the templates."""
    html = render_input(option) + "\n"
    if option["wrap_label"]:
        id_ = option["attrs"].get("id")
        label_for = f' for="{conditional_escape(id_)}"' if id_ else ""
        html = f"<label{label_for}>{html} {conditional_escape(option['label'])}</label>"
    return html + "\n\n"


def render_group(widget: dict) -> str:
    """django/forms/widgets/multiple_input.html, without its final line break."""
    id_ = widget["attrs"].get("id")
    class_ = widget["attrs"].get("class")
    parts = [
        "<div",
        f' id="{conditional_escape(id_)}"' if id_ else "",
        f' class="{conditional_escape(class_)}"' if class_ else "",
        ">",
    ]
    for group, options, _index in widget["optgroups"]:
        if group:
            parts.append(f"\n  <div><label>{conditional_escape(group)}</label>")
        for option in options:
            if option["template_name"] not in OPTION_TEMPLATES:
                return ""  # an option of its own template: Django's templates render it
            parts.append(f"<div>\n    {render_option(option)}</div>")
        if group:
            parts.append("\n  </div>")
    parts.append("\n</div>")
    return "".join(parts)


class FormRenderer(DjangoTemplates):
    """Widget._render marks what this returns safe: every value above is escaped."""

    def render(self, template_name, context, request=None):
        if template_name in INPUT_TEMPLATES:
            return render_input(context["widget"])
        if template_name == "django/forms/widgets/textarea.html":
            return render_textarea(context["widget"])
        if template_name in GROUP_TEMPLATES:
            html = render_group(context["widget"])
            if html:
                return html
        return super().render(template_name, context, request)
