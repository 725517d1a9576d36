"""allauth's (and Django's `timesince`) own words on the sign-in, sign-up, password and account pages, listed so that
makemessages keeps them in the Welsh catalogue (allauth ships no Welsh). Each msgid is allauth's
exactly; locale/cy translates it and locale/en_GB gives the British English, sentence-case form.
Add a msgid here when a Welsh page still shows one of allauth's English strings."""

from __future__ import annotations

from django.utils.translation import gettext_noop, ngettext_lazy

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
    # The messages allauth shows after signing in or out and changing addresses or passwords.
    gettext_noop("Successfully signed in as %(name)s."),
    gettext_noop("You have signed out."),
    gettext_noop("Password successfully changed."),
    gettext_noop("Password successfully set."),
    gettext_noop("Confirmation email sent to %(email)s."),
    gettext_noop("You have confirmed %(email)s."),
    gettext_noop("Primary email address set."),
    gettext_noop("Removed email address %(email)s."),
    gettext_noop("Your primary email address must be verified."),
    gettext_noop("You cannot remove your primary email address (%(email)s)."),
    gettext_noop(
        "Unable to confirm %(email)s because it is already confirmed by a different account."
    ),
]

# Django's own Welsh catalogue has no words for the units of `timesince` ("2 days, 5 hours
# ago" on home, the requests and the inbox) and joins them without a space: ours gives them,
# with Welsh plurals.
TIMESINCE_WORDS = [
    gettext_noop(", "),  # Django's Welsh joins the units with "," and no space
    ngettext_lazy("%(num)d year", "%(num)d years", "num"),
    ngettext_lazy("%(num)d month", "%(num)d months", "num"),
    ngettext_lazy("%(num)d week", "%(num)d weeks", "num"),
    ngettext_lazy("%(num)d day", "%(num)d days", "num"),
    ngettext_lazy("%(num)d hour", "%(num)d hours", "num"),
    ngettext_lazy("%(num)d minute", "%(num)d minutes", "num"),
]
