"""Components written in Python where a page repeats them: `{% field form.email %}` gives the
markup of components/field.html (the label, hint, errors and widget of a bound field) without
an include per field (about 0.1 ms each). tests/gru/test_components.py compares both."""

from django import template
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext

register = template.Library()


@register.simple_tag
def field(bound_field) -> SafeString:
    """components/field.html, with its line breaks."""
    auto_id = bound_field.auto_id
    errors = bound_field.errors
    error_class = " field--error" if errors else ""
    label = conditional_escape(bound_field.label)
    if not bound_field.field.required:
        label += format_html(' <span class="field__optional">{}</span>', gettext("(facultatif)"))
    if bound_field.use_fieldset:
        described = []
        if bound_field.help_text:
            described.append(f"{auto_id}_helptext")
        if errors:
            described.append(f"{auto_id}_error")
        describedby = (
            format_html(' aria-describedby="{}"', " ".join(described)) if described else ""
        )
        opening = format_html(
            '<fieldset class="field{}"{}>\n  <legend class="field__label">{}</legend>\n',
            error_class,
            describedby,
            label,
        )
        closing = "</fieldset>"
    else:
        opening = format_html(
            '<div class="field{}">\n  <label class="field__label" for="{}">{}</label>\n',
            error_class,
            bound_field.id_for_label,
            label,
        )
        closing = "</div>"
    hint = ""
    if bound_field.help_text:
        hint = format_html(
            '<p class="field__hint" id="{}_helptext">{}</p>', auto_id, bound_field.help_text
        )
    error_list = ""
    if errors:
        error_list = format_html(
            '<ul class="field__errors" id="{}_error">{}</ul>',
            auto_id,
            format_html_join(
                "",
                '<li><span class="visually-hidden">{} </span>{}</li>',
                ((gettext("Erreur :"), error) for error in errors),
            ),
        )
    return format_html(
        "{}  {}\n  {}\n  {}\n{}\n", opening, hint, error_list, bound_field, SafeString(closing)
    )
