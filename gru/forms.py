"""What every page's forms share: the error summary at the top of the page (RGAA), and the
email address field.
"""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.utils.translation import gettext_lazy

CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")


def error_summary(*forms) -> list[dict]:
    """One link per error of the bound `forms`, to the input it concerns: a radio or checkbox
    group's first option (its fieldset has no id to reach), the form itself for an error that
    belongs to no visible field. Unbound or missing forms have no error."""
    summary = []
    for form in forms:
        if form is None or not form.is_bound:
            continue
        for name, messages in form.errors.items():
            if name in form.fields and not form.fields[name].widget.is_hidden:
                target = form[name].auto_id
                if form.fields[name].widget.use_fieldset:
                    target = f"{target}_0"
            else:
                target = f"action-{form.prefix}" if form.prefix else "contenu"
            summary.extend({"message": message, "target": target} for message in messages)
    return summary


class EmailAddressValidator(EmailValidator):
    """Django's email validator, refusing also control characters. RFC 5322 lets a quoted
    local part hold them (`"a\\x01b"@example.org`) and Django accepts it; the address would
    then go raw into a message's `To:` (issue 13, item 14)."""

    message = gettext_lazy("Saisissez une adresse électronique valide, par exemple nom@exemple.fr.")

    def __call__(self, value):
        if CONTROL_CHARACTERS.search(str(value)):
            raise ValidationError(self.message, code=self.code, params={"value": value})
        super().__call__(value)


validate_email_address = EmailAddressValidator()


class EmailAddressField(forms.EmailField):
    """Every form of the portal that asks an email address asks it with this field."""

    default_validators = [validate_email_address]
