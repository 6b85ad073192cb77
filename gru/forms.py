"""What every page's forms share: the error summary at the top of the page (RGAA)."""


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
