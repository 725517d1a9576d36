from django.conf import settings


def scheme(request):
    return {
        "SCHEME_NAME": settings.SCHEME_NAME,
        "SCHEME_CONTACT_EMAIL": settings.SCHEME_CONTACT_EMAIL,
    }
