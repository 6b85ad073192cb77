from django.conf import settings
from django.shortcuts import render
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from gru import selectors
from gru.models import SitePage

# Placeholder text shown until the authority writes its own page in the admin.
PLACEHOLDERS = {
    SitePage.Slug.ACCESSIBILITY: _(
        "{authority_subject} s'engage à rendre ce portail accessible conformément à "
        "l'article 47 de la loi n° 2005-102 du 11 février 2005.\n\n"
        "État de conformité : la déclaration d'accessibilité, établie après audit selon le "
        "référentiel RGAA 4.1.2, sera publiée ici par la collectivité.\n\n"
        "Si vous ne parvenez pas à accéder à un contenu ou à un service, contactez-nous à "
        "{email} ou au {phone} : nous vous aiderons ou vous fournirons l'information sous une "
        "autre forme.\n\n"
        "Si vous n'obtenez pas de réponse satisfaisante, vous pouvez saisir le Défenseur des "
        "droits."
    ),
    SitePage.Slug.LEGAL_NOTICE: _(
        "Éditeur : {authority}, {address}. Téléphone : {phone}. Courriel : {email}.\n\n"
        "Directeur ou directrice de la publication, hébergeur et crédits : à compléter par la "
        "collectivité dans l'administration du portail."
    ),
    SitePage.Slug.PERSONAL_DATA: _(
        "Responsable du traitement : {authority}, {address}.\n\n"
        "Les données que vous transmettez servent à traiter vos demandes, dans le cadre de la "
        "mission d'intérêt public de la collectivité (article 6.1.e du RGPD). Chaque démarche "
        "précise ses destinataires et sa durée de conservation.\n\n"
        "Vous disposez d'un droit d'accès, de rectification, de limitation et d'opposition. "
        "Pour l'exercer, écrivez à {email}. Vous pouvez adresser une réclamation à la CNIL.\n\n"
        "Coordonnées du délégué à la protection des données : à compléter par la collectivité."
    ),
}


def home(request):
    return render(request, "gru/home.html")


def assistance(request):
    """How to file with an agent: at the counter, on the phone, in writing."""
    return render(request, "gru/assistance.html")


def site_page(request, slug: str):
    """The authority's own text when written in the admin, else an honest placeholder."""
    page = selectors.site_page(slug)
    if page is not None:
        title, body, updated_at = page.title, page.body, page.updated_at
    else:
        kind = SitePage.Slug(slug)
        title, body, updated_at = kind.label, _placeholder(kind), None
    return render(
        request,
        "gru/site_page.html",
        {
            "title": title,
            "paragraphs": _paragraphs(body),
            "is_placeholder": page is None,
            "updated_at": updated_at,
        },
    )


def _paragraphs(body: str) -> list[str]:
    # Text typed in the admin comes with Windows line ends.
    blocks = body.replace("\r\n", "\n").split("\n\n")
    return [block.strip() for block in blocks if block.strip()]


def _placeholder(kind: SitePage.Slug) -> str:
    return str(PLACEHOLDERS[kind]).format(
        authority=settings.AUTHORITY_NAME,
        authority_subject=capfirst(settings.AUTHORITY_NAME_WITH_ARTICLE),
        address=settings.AUTHORITY_ADDRESS,
        email=settings.AUTHORITY_EMAIL,
        phone=settings.AUTHORITY_PHONE,
    )
