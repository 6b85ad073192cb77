"""Plain-French wording of a procedure's legal frame, for citizens."""

from django.utils.translation import gettext as _

from forms_builder.models import SilenceRule
from gru.templatetags.french import duration_words, prep


def describe_delay(delay: str) -> str:
    """« P2M » → « deux mois »; « P1M » → « un mois »; « P30D » → « 30 jours »."""
    return duration_words(delay)


def describe_silence(rule: str, delay: str) -> str:
    """What happens when the administration does not answer, in one sentence."""
    if rule == SilenceRule.ACCEPTANCE:
        return _(
            "Sans réponse de notre part dans un délai %(delay)s à compter de la réception "
            "de votre demande complète, votre demande est acceptée : vous pourrez alors obtenir "
            "une attestation d'acceptation."
        ) % {"delay": prep(describe_delay(delay), "de")}
    if rule == SilenceRule.REJECTION:
        return _(
            "Sans réponse de notre part dans un délai %(delay)s à compter de la réception "
            "de votre demande, elle est considérée comme refusée. Vous pourrez alors demander "
            "les motifs de ce refus et le contester."
        ) % {"delay": prep(describe_delay(delay), "de")}
    return _(
        "Cette démarche n'appelle pas de décision administrative : votre demande est traitée "
        "et vous êtes informé de sa suite."
    )
