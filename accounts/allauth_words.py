"""allauth's own words on the sign-in, sign-up, password and account pages, listed so that
makemessages keeps them in the Welsh catalogue (allauth ships no Welsh). Each msgid is allauth's
exactly; locale/cy translates it and locale/en_GB gives the British English, sentence-case form.
Add a msgid here when a Welsh page still shows one of allauth's English strings."""

from __future__ import annotations

from django.utils.translation import gettext_noop

ALLAUTH_WORDS = [
    gettext_noop("Sign In"),
    gettext_noop("Sign Up"),
    gettext_noop("Signup"),
    gettext_noop("Sign Out"),
    gettext_noop("Remember Me"),
    gettext_noop("Forgot your password?"),
    gettext_noop(
        "If you have not created an account yet, then please %(link)ssign up%(end_link)s first."
    ),
    gettext_noop("Already have an account? Then please %(link)ssign in%(end_link)s."),
    gettext_noop("Password Reset"),
    gettext_noop(
        "Forgotten your password? Enter your email address below, and we'll send you an email "
        "allowing you to reset it."
    ),
    gettext_noop("Reset My Password"),
    gettext_noop("Please contact us if you have any trouble resetting your password."),
    gettext_noop("Change Password"),
    gettext_noop("Current Password"),
    gettext_noop("New Password"),
    gettext_noop("New Password (again)"),
    gettext_noop("Email Addresses"),
    gettext_noop("Two-Factor Authentication"),
]
