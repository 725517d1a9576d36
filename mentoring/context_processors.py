from django.conf import settings


def scheme(request):
    return {
        "SCHEME_NAME": settings.SCHEME_NAME,
        "SCHEME_CONTACT_EMAIL": settings.SCHEME_CONTACT_EMAIL,
        # The languages offered, each named in itself ("Cymraeg"), for the language switcher.
        "LANGUAGES_OFFERED": settings.LANGUAGES,
    }
