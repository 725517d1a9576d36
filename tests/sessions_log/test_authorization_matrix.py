"""Who may open which sessions log URL.

Every URL in sessions_log/urls.py has a row here, and a test fails when one is added without a
row. Someone else's objective, meeting, calendar file or check-in is a 404 (never a 403 that
confirms it exists), for staff too: administrators work in the admin. State changes that have
no form are POST-only.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from sessions_log import calendar
from sessions_log import urls as sessions_urls
from sessions_log.models import CalendarFeed
from tests.factories import (
    AgreementFactory,
    CheckInFactory,
    MeetingFactory,
    MentorshipFactory,
    ObjectiveFactory,
    UserFactory,
)
from tests.sessions_log.conftest import hours_ago, local_input, next_week

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "mentee_owner", "mentor_owner", "stranger", "staff"]
LOGIN = "login"  # a redirect to the sign-in page, coming back afterwards


def _row(*expected) -> dict:
    return dict(zip(ROLES, expected, strict=True))


OWNERS_ONLY = _row(LOGIN, 200, 200, 404, 404)
OWNERS_CHANGE = _row(LOGIN, 302, 302, 404, 404)
POST_ONLY = _row(LOGIN, 405, 405, 405, 405)

# url name -> method -> expected status (or LOGIN) for each role, in the order of ROLES:
#                          anonymous, mentee_owner, mentor_owner, stranger, staff
# A 302 for an owner's POST is the view's redirect back to the pair's page after the change.
MATRIX = {
    # The pair's page, and ending the pair from it.
    "mentorship-detail": {"GET": OWNERS_ONLY},
    "mentorship-end": {"GET": POST_ONLY, "POST": OWNERS_CHANGE},
    # An informal pair's "Send us reminders and check-ins" (a long-term pair's owners are
    # refused with a message: tests/matching/test_informal.py).
    "scheme-emails": {"GET": POST_ONLY, "POST": OWNERS_CHANGE},
    # The pair's conversation: only the two people write in it (staff too get 404).
    "mentorship-messages": {"GET": POST_ONLY, "POST": OWNERS_CHANGE},
    "objective-add": {"GET": OWNERS_ONLY, "POST": OWNERS_CHANGE},
    "objective-edit": {"GET": OWNERS_ONLY, "POST": OWNERS_CHANGE},
    "objective-update": {"GET": OWNERS_ONLY, "POST": OWNERS_CHANGE},
    "objective-move": {"GET": POST_ONLY, "POST": OWNERS_CHANGE},
    "objective-suggested-add": {"GET": POST_ONLY, "POST": OWNERS_CHANGE},
    # The agreement (tests/sessions_log/test_agreement_views.py: who may agree or withdraw).
    "agreement-edit": {"GET": OWNERS_ONLY, "POST": OWNERS_CHANGE},
    "agreement-agree": {"GET": POST_ONLY, "POST": OWNERS_CHANGE},
    "agreement-withdraw": {"GET": POST_ONLY, "POST": OWNERS_CHANGE},
    "meeting-add": {"GET": OWNERS_ONLY, "POST": OWNERS_CHANGE},
    "meeting-log": {"GET": OWNERS_ONLY, "POST": OWNERS_CHANGE},
    "meeting-edit": {"GET": OWNERS_ONLY, "POST": OWNERS_CHANGE},
    "meeting-held": {"GET": OWNERS_ONLY, "POST": OWNERS_CHANGE},
    # GET asks "Cancel this meeting?" (what happens, who is told); POST cancels.
    "meeting-cancel": {"GET": OWNERS_ONLY, "POST": OWNERS_CHANGE},
    "meeting-note": {"GET": OWNERS_ONLY, "POST": OWNERS_CHANGE},
    "meeting-ics": {"GET": OWNERS_ONLY, "POST": POST_ONLY | {"anonymous": LOGIN}},
    # The emailed calendar file link: its signed token (one meeting, one person) is the key,
    # so it opens without signing in (tests/sessions_log/test_invitations.py: bad, expired,
    # revoked and another meeting's tokens are 404s).
    "meeting-ics-token": {
        "GET": _row(200, 200, 200, 200, 200),
        "POST": _row(405, 405, 405, 405, 405),
    },
    # Everyone signed in has a feed of their own.
    "calendar-feed-detail": {"GET": _row(LOGIN, 200, 200, 200, 200)},
    "calendar-feed-reset": {"GET": POST_ONLY, "POST": _row(LOGIN, 302, 302, 302, 302)},
    # The feed URL is the secret (calendar apps cannot sign in): whoever has it reads it.
    "calendar-feed": {
        "GET": _row(200, 200, 200, 200, 200),
        "POST": _row(405, 405, 405, 405, 405),
    },
    # Maya's check-in: the emailed link answers it without signing in (the token names her);
    # signed in as anyone else, even her mentor, it is a 404.
    "check-in-answer": {
        "GET": _row(200, 200, 404, 404, 404),
        "POST": _row(302, 302, 404, 404, 404),
    },
}

CASES = [
    pytest.param(name, method, role, id=f"{name}-{method}-{role}")
    for name, methods in MATRIX.items()
    for method, roles in methods.items()
    for role in ROLES
]


@pytest.fixture
def cast():
    mentee_owner = UserFactory(full_name="Mia Mentee")
    mentor_owner = UserFactory(full_name="Owen Mentor")
    stranger = UserFactory(full_name="Sasha Stranger")
    # The stranger has a pair space of their own, so a 404 is not just an empty table.
    ObjectiveFactory(mentorship=MentorshipFactory(mentee=stranger))
    return {
        "anonymous": None,
        "mentee_owner": mentee_owner,
        "mentor_owner": mentor_owner,
        "stranger": stranger,
        "staff": UserFactory(full_name="Stella Staff", is_staff=True, is_superuser=True),
    }


@pytest.fixture
def subject(cast):
    mentee, mentor = cast["mentee_owner"], cast["mentor_owner"]
    mentorship = MentorshipFactory(mentee=mentee, mentor=mentor)
    mentorship.started_at = hours_ago(24 * 30)
    mentorship.save(update_fields=["started_at"])
    objective = ObjectiveFactory(mentorship=mentorship)
    ObjectiveFactory(mentorship=mentorship)
    # Planned for three hours ago and not yet marked: it can be changed, held or cancelled.
    meeting = MeetingFactory(mentorship=mentorship, starts_at=hours_ago(3))
    check_in = CheckInFactory(mentorship=mentorship, person=mentee)
    proposal = AgreementFactory(mentorship=mentorship, proposed_by=mentee)
    feed, _ = CalendarFeed.objects.get_or_create(user=mentee)
    pair = [mentorship.pk]
    return {
        "mentorship-detail": pair,
        "mentorship-end": pair,
        "scheme-emails": pair,
        "mentorship-messages": pair,
        "objective-add": pair,
        "objective-edit": [*pair, objective.pk],
        "objective-update": [*pair, objective.pk],
        "objective-move": [*pair, objective.pk],
        "objective-suggested-add": pair,
        "agreement-edit": pair,
        "agreement-agree": [*pair, proposal.pk],
        "agreement-withdraw": [*pair, proposal.pk],
        "meeting-add": pair,
        "meeting-log": pair,
        "meeting-edit": [*pair, meeting.pk],
        "meeting-held": [*pair, meeting.pk],
        "meeting-cancel": [*pair, meeting.pk],
        "meeting-note": [*pair, meeting.pk],
        "meeting-ics": [*pair, meeting.pk],
        "meeting-ics-token": [meeting.pk, calendar.meeting_ics_token(meeting, mentee)],
        "calendar-feed-detail": [],
        "calendar-feed-reset": [],
        "calendar-feed": [feed.token],
        "check-in-answer": [check_in.token],
    }


def _post_data(name: str) -> dict:
    """A valid body for each POST, so the owners' rows show what really happens."""
    return {
        "mentorship-end": {"reason": "achieved"},
        "mentorship-messages": {"body": "Shall we meet on Tuesday?"},
        "objective-add": {"title": "Speak at a team meeting"},
        "objective-edit": {"title": "Speak at a department meeting"},
        "objective-update": {"status": "in_progress", "note": "Booked a slot."},
        "objective-move": {"direction": "down"},
        "objective-suggested-add": {"title": "Speak at a team meeting"},
        "agreement-edit": {
            "frequency": "monthly",
            "formats": ["video"],
            "confidentiality": "on",
        },
        "meeting-add": {
            "starts_at": local_input(next_week()),
            "duration_minutes": "60",
            "format": "video",
        },
        "meeting-log": {
            "starts_at": local_input(hours_ago(26)),
            "duration_minutes": "60",
            "format": "video",
        },
        "meeting-edit": {
            "starts_at": local_input(next_week()),
            "duration_minutes": "45",
            "format": "phone",
        },
        "meeting-held": {
            "starts_at": local_input(hours_ago(3)),
            "duration_minutes": "60",
            "summary": "Went well.",
        },
        "meeting-note": {"text": "Mine only."},
        "check-in-answer": {"rating": "4"},
    }.get(name, {})


def test_every_sessions_url_has_a_row_in_the_matrix():
    names = [p.name for p in sessions_urls.urlpatterns]

    assert all(names), "every sessions log URL needs a name to be checked here"
    assert sorted(names) == sorted(MATRIX), (
        "sessions_log/urls.py and MATRIX differ: add a row for each new URL"
    )


def test_state_changes_without_a_form_are_post_only():
    post_only = [n for n, m in MATRIX.items() if m.get("GET") == POST_ONLY]

    assert sorted(post_only) == [
        "agreement-agree",
        "agreement-withdraw",
        "calendar-feed-reset",
        "mentorship-end",
        "mentorship-messages",
        "objective-move",
        "objective-suggested-add",
        "scheme-emails",
    ]


@pytest.mark.parametrize(("name", "method", "role"), CASES)
def test_access(client_for, cast, subject, name, method, role):
    url = reverse(f"sessions_log:{name}", args=subject[name])
    client = client_for(cast[role])
    expected = MATRIX[name][method][role]

    if method == "GET":
        response = client.get(url)
    else:
        response = client.post(url, _post_data(name))

    if expected == LOGIN:
        assert response.status_code == 302
        assert response["Location"] == f"{reverse('account_login')}?next={url}"
    else:
        assert response.status_code == expected


@pytest.mark.parametrize(
    "name",
    [
        "objective-add",
        "objective-update",
        "meeting-add",
        "meeting-log",
        "meeting-held",
        "meeting-note",
        "check-in-answer",
    ],
)
def test_owner_posts_are_not_refused_silently(client_for, cast, subject, name):
    """The owners' 302s above are successes: the change was made and said so."""
    url = reverse(f"sessions_log:{name}", args=subject[name])
    client = client_for(cast["mentee_owner"])

    response = client.post(url, _post_data(name), follow=True)

    texts = [str(m) for m in response.context["messages"]]
    assert texts
    assert all("ended" not in t and "only" not in t.lower() for t in texts), texts


def test_unknown_calendar_feed_token_is_404(client):
    response = client.get(reverse("sessions_log:calendar-feed", args=["not-a-real-token"]))

    assert response.status_code == 404


def test_unknown_check_in_token_is_404(client_for, mentee):
    response = client_for(mentee).get(reverse("sessions_log:check-in-answer", args=["nope"]))

    assert response.status_code == 404


def test_objective_of_another_pair_under_my_pair_url_is_404(
    client_for, mentee, mentorship, other_pair
):
    # The ids are checked together: my mentorship's URL cannot reach another pair's objective.
    url = reverse("sessions_log:objective-edit", args=[mentorship.pk, other_pair["objective"].pk])

    assert client_for(mentee).get(url).status_code == 404


def test_meeting_of_another_pair_under_my_pair_url_is_404(
    client_for, mentee, mentorship, other_pair
):
    url = reverse("sessions_log:meeting-ics", args=[mentorship.pk, other_pair["meeting"].pk])

    assert client_for(mentee).get(url).status_code == 404
