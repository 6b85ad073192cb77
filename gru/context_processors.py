from django.conf import settings

from gru.templatetags.french import prep


def authority(request):
    return {
        "authority_name": settings.AUTHORITY_NAME,
        "authority_name_with_article": settings.AUTHORITY_NAME_WITH_ARTICLE,
        "authority_of": prep(settings.AUTHORITY_NAME_WITH_ARTICLE, "de"),
        "authority_address": settings.AUTHORITY_ADDRESS,
        "authority_email": settings.AUTHORITY_EMAIL,
        "authority_phone": settings.AUTHORITY_PHONE,
    }
