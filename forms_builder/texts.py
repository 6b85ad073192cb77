"""Plain-French wording of a procedure's legal frame, for citizens."""

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from forms_builder.models import SilenceRule

UNITS = {
    "D": lambda n: ngettext("%(n)d jour", "%(n)d jours", n) % {"n": n},
    "W": lambda n: ngettext("%(n)d semaine", "%(n)d semaines", n) % {"n": n},
    "M": lambda n: _("%(n)d mois") % {"n": n},
}


def describe_delay(delay: str) -> str:
    """« P2M » → « 2 mois »; « P30D » → « 30 jours »."""
    return UNITS[delay[-1]](int(delay[1:-1]))


def describe_silence(rule: str, delay: str) -> str:
    """What happens when the administration does not answer, in one sentence."""
    if rule == SilenceRule.ACCEPTANCE:
        return _(
            "Sans réponse de notre part dans un délai de %(delay)s à compter de la réception "
            "de votre demande complète, votre demande est acceptée : vous pourrez alors obtenir "
            "une attestation d'acceptation."
        ) % {"delay": describe_delay(delay)}
    if rule == SilenceRule.REJECTION:
        return _(
            "Sans réponse de notre part dans un délai de %(delay)s à compter de la réception "
            "de votre demande, elle est considérée comme refusée. Vous pourrez alors demander "
            "les motifs de ce refus et le contester."
        ) % {"delay": describe_delay(delay)}
    return _(
        "Cette démarche n'appelle pas de décision administrative : votre demande est traitée "
        "et vous êtes informé de sa suite."
    )
