"""Who may open which matching URL (the pair's page and ending a pair: tests/sessions_log).

Every URL in matching/urls.py has a row here, and a test fails when one is added without a
row. Someone else's request or mentorship is a 404 (never a 403 that confirms it exists), for
staff too: administrators work in the admin. State changes are POST-only.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from matching import urls as matching_urls
from matching.conversations import conversation_for_request
from tests.factories import (
    MenteeProfileFactory,
    MentorProfileFactory,
    MentorshipRequestFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "mentee_owner", "mentor_owner", "other_mentee", "other_mentor", "staff"]
LOGIN = "login"  # a redirect to the sign-in page, coming back afterwards

# What each URL is about: "mentor" (a listed mentor's profile), "request" (a pending request
# from mentee_owner to mentor_owner) or None. The pair's page is the sessions log's.
SUBJECT = {
    "mentor-detail": "mentor",
    "request-create": "mentor",
    "request-list": None,
    "request-detail": "request",
    "request-accept": "request",
    "request-decline": "request",
    "request-withdraw": "request",
    "request-report": "request",
    "mentorship-list": None,
    "informal-record": None,
    "request-messages": "request",
    "inbox": None,
    # Each mentor's own availability page: nobody else's is reachable (no id in the URL).
    "mentor-away": None,
    # The request's first message (mentee_owner's Interested message, in their conversation).
    "message-report": "message",
}

# The body each POST sends: valid, so the owners' rows show what really happens.
POST_DATA = {
    "request-create": {"message": "I would like help planning a move into finance. " * 2},
    "request-decline": {"reason": "not_available"},
    "request-report": {"report-reason": "The message was abusive about my colleagues."},
    "request-messages": {"body": "Before I answer: which city are you in?"},
    "message-report": {"reason": "The message asked for my home address."},
    "mentor-away": {"action": "back"},
}


def _row(*expected) -> dict:
    return dict(zip(ROLES, expected, strict=True))


# url name -> method -> expected status (or LOGIN) for each role, in the order of ROLES:
#                   anonymous, mentee_owner, mentor_owner, other_mentee, other_mentor, staff
# 302 for an owner's POST is the view's redirect: to the new mentorship after an accept, back to
# the page with a message otherwise, a refusal included (a mentee pressing accept, say).
MATRIX = {
    # A listed mentor's page is for everyone signed in, the mentor themself included.
    "mentor-detail": {"GET": _row(LOGIN, 200, 200, 200, 200, 200)},
    "request-create": {
        # Anyone signed in may open a listed mentor's form. The service refuses the mentor
        # themself and people with no mentee profile with a sentence on the form (200).
        "GET": _row(LOGIN, 200, 200, 200, 200, 200),
        "POST": _row(LOGIN, 302, 200, 302, 200, 200),
    },
    "request-list": {"GET": _row(LOGIN, 200, 200, 200, 200, 200)},
    "request-detail": {"GET": _row(LOGIN, 200, 200, 404, 404, 404)},
    "request-accept": {
        "GET": _row(LOGIN, 405, 405, 405, 405, 405),
        "POST": _row(LOGIN, 302, 302, 404, 404, 404),
    },
    "request-decline": {
        "GET": _row(LOGIN, 405, 405, 405, 405, 405),
        "POST": _row(LOGIN, 302, 302, 404, 404, 404),
    },
    # GET asks "Withdraw your request?"; the mentor, who cannot withdraw it, is sent back.
    "request-withdraw": {
        "GET": _row(LOGIN, 200, 302, 404, 404, 404),
        "POST": _row(LOGIN, 302, 302, 404, 404, 404),
    },
    # Only the mentor may report; the mentee pressing it is refused with a message (302).
    "request-report": {
        "GET": _row(LOGIN, 405, 405, 405, 405, 405),
        "POST": _row(LOGIN, 302, 302, 404, 404, 404),
    },
    "mentorship-list": {"GET": _row(LOGIN, 200, 200, 200, 200, 200)},
    # Only for members of a programme that records informal pairs, which the default one does
    # not (tests/matching/test_informal.py covers a programme that does).
    "informal-record": {
        "GET": _row(LOGIN, 404, 404, 404, 404, 404),
        "POST": _row(LOGIN, 404, 404, 404, 404, 404),
    },
    # Only the two people read and write a conversation: coordinators and staff get 404 too.
    "request-messages": {
        "GET": _row(LOGIN, 405, 405, 405, 405, 405),
        "POST": _row(LOGIN, 302, 302, 404, 404, 404),
    },
    "inbox": {"GET": _row(LOGIN, 200, 200, 200, 200, 200)},
    # A mentor's own page: a person with no mentor profile (staff included) gets 404.
    "mentor-away": {
        "GET": _row(LOGIN, 404, 200, 404, 200, 404),
        "POST": _row(LOGIN, 404, 302, 404, 302, 404),
    },
    # Only the other person may report a message: its author gets 404, as strangers do.
    "message-report": {
        "GET": _row(LOGIN, 404, 200, 404, 404, 404),
        "POST": _row(LOGIN, 404, 302, 404, 404, 404),
    },
}

CASES = [
    pytest.param(name, method, role, id=f"{name}-{method}-{role}")
    for name, methods in MATRIX.items()
    for method, roles in methods.items()
    for role in ROLES
]


# Not for people signed in: mail providers post replies there with a shared secret
# (tests/matching/test_reply_by_email.py checks who may).
SECRET_URLS = {"inbound-email"}


def _url_names() -> list[str]:
    return [p.name for p in matching_urls.urlpatterns if p.name not in SECRET_URLS]


@pytest.fixture
def cast():
    mentor_owner = MentorProfileFactory(user__full_name="Owen Mentor").user
    mentee_owner = MenteeProfileFactory(user__full_name="Mia Mentee").user
    other_mentee = MenteeProfileFactory(user__full_name="Otto Mentee").user
    other_mentor = MentorProfileFactory(user__full_name="Olga Mentor").user
    # The others have requests and mentorships of their own, so a 404 is not just an empty table.
    MentorshipRequestFactory(mentee=other_mentee, mentor=other_mentor)
    return {
        "anonymous": None,
        "mentee_owner": mentee_owner,
        "mentor_owner": mentor_owner,
        "other_mentee": other_mentee,
        "other_mentor": other_mentor,
        "staff": UserFactory(full_name="Stella Staff", is_staff=True, is_superuser=True),
    }


def _subject_url(name: str, cast: dict) -> str:
    subject = SUBJECT[name]
    mentee, mentor = cast["mentee_owner"], cast["mentor_owner"]
    if subject == "mentor":
        return reverse(f"matching:{name}", args=[mentor.mentor_profile.pk])
    if subject == "message":
        req = MentorshipRequestFactory(mentee=mentee, mentor=mentor)
        message = conversation_for_request(req).messages.get()
        return reverse(f"matching:{name}", args=[message.pk])
    if subject == "request":
        req = MentorshipRequestFactory(mentee=mentee, mentor=mentor)
        return reverse(f"matching:{name}", args=[req.pk])
    return reverse(f"matching:{name}")


def test_every_matching_url_has_a_row_in_the_matrix():
    names = _url_names()

    assert all(names), "every matching URL needs a name to be checked here"
    assert sorted(names) == sorted(MATRIX), (
        "matching/urls.py and MATRIX differ: add a row for each new URL"
    )
    assert sorted(SUBJECT) == sorted(MATRIX)


def test_state_changes_are_post_only_in_the_matrix():
    # A URL that answers POST must refuse GET, except the form that shows itself on GET.
    forms = ("request-create", "message-report", "informal-record", "mentor-away")
    # Asks "are you sure?" on GET (a confirmation page, no JavaScript), changes on POST.
    confirmed = ("request-withdraw",)
    changes = [n for n, m in MATRIX.items() if "POST" in m and n not in forms + confirmed]

    assert sorted(changes) == [
        "request-accept",
        "request-decline",
        "request-messages",
        "request-report",
    ]
    for name in changes:
        signed_in = {role: s for role, s in MATRIX[name]["GET"].items() if role != "anonymous"}
        assert set(signed_in.values()) == {405}, name


@pytest.mark.parametrize(("name", "method", "role"), CASES)
def test_access(client_for, cast, name, method, role):
    url = _subject_url(name, cast)
    client = client_for(cast[role])
    expected = MATRIX[name][method][role]

    if method == "GET":
        response = client.get(url)
    else:
        response = client.post(url, POST_DATA.get(name, {}))

    if expected == LOGIN:
        assert response.status_code == 302
        assert response["Location"] == f"{reverse('account_login')}?next={url}"
    else:
        assert response.status_code == expected


@pytest.mark.parametrize(
    "unlisted",
    [
        {"review_status": "draft"},
        {"review_status": "submitted"},
        {"review_status": "changes_requested"},
        {"is_active": False},
        {"user__is_active": False},
    ],
    ids=["draft", "submitted", "changes-requested", "switched-off", "account-closed"],
)
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_interested_in_an_unlisted_mentor_is_404(client_for, mentee_profile, unlisted, method):
    profile = MentorProfileFactory(**unlisted)
    url = reverse("matching:request-create", args=[profile.pk])
    client = client_for(mentee_profile.user)

    response = client.get(url) if method == "GET" else client.post(url, POST_DATA["request-create"])

    assert response.status_code == 404


def test_interested_in_an_unlisted_mentor_is_404_for_staff_too(client_for, admin_user):
    profile = MentorProfileFactory(review_status="submitted")

    response = client_for(admin_user).get(reverse("matching:request-create", args=[profile.pk]))

    assert response.status_code == 404


def test_interested_in_a_mentor_who_does_not_exist_is_404(client_for, mentee_profile):
    response = client_for(mentee_profile.user).get(
        reverse("matching:request-create", args=[999_999])
    )

    assert response.status_code == 404
