from django.conf import settings


def authority(request):
    return {
        "authority_name": settings.AUTHORITY_NAME,
        "authority_address": settings.AUTHORITY_ADDRESS,
        "authority_email": settings.AUTHORITY_EMAIL,
        "authority_phone": settings.AUTHORITY_PHONE,
    }
