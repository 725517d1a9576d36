"""Every admin list costs the same few queries with 1 row or 30 (and so with 100,000: the
count is bounded, see mentoring.admin_utils; bench/admin_queries.py measures the real thing),
for a superuser and for a coordinator, whose lists are scoped to their programmes."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from allauth.socialaccount.models import SocialAccount, SocialApp
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from matching.conversations import conversation_for_mentorship
from matching.models import Message, MessageReport, RequestReport
from mentoring.models import EmailWording, Outbox
from profiles.models import (
    HandbookPage,
    Membership,
    ProgrammeInvitation,
    Round,
    Training,
    TrainingRecord,
)
from tests.factories import (
    CheckInFactory,
    ExpertiseAreaFactory,
    MeetingFactory,
    MenteeProfileFactory,
    MentorProfileFactory,
    MentorshipFactory,
    MentorshipRequestFactory,
    ObjectiveFactory,
    ProgrammeFactory,
    UserFactory,
    default_programme,
)

pytestmark = pytest.mark.django_db

MAX_QUERIES = 10


def _old(days: int):
    return timezone.now() - timedelta(days=days)


def _request():
    MentorshipRequestFactory(created_at=_old(9))


def _mentorship():
    pair = MentorshipFactory(started_at=_old(90), created_by=None)
    MeetingFactory(mentorship=pair, held=True, starts_at=_old(70))


def _mentor():
    MentorProfileFactory(review_status="submitted", submitted_at=_old(2))


def _mentee():
    profile = MenteeProfileFactory()
    profile.created_at = _old(60)
    profile.save(update_fields=["created_at"])
    Membership.objects.filter(user=profile.user).update(joined_at=_old(60))


def _check_in():
    CheckInFactory(answered_at=_old(1), rating=1)


def _member():
    MenteeProfileFactory()


def _outbox():
    key = uuid.uuid4().hex
    Outbox.objects.create(
        kind="request_received",
        recipient=MenteeProfileFactory().user,
        to_email="someone@example.org",
        subject="A new request",
        body_text="…",
        dedupe_key=key,
        message_id=f"<{key}@example.org>",
    )


def _report():
    request = MentorshipRequestFactory(declined=True)
    RequestReport.objects.create(request=request, reported_by=request.mentor, reason="Rude.")


def _programme():
    # Run by every coordinator here, so their list grows like a superuser's.
    ProgrammeFactory(coordinators=list(User.objects.filter(is_staff=True, is_superuser=False)))


def _round():
    today = timezone.localdate()
    Round.objects.create(
        programme=default_programme(),
        name=f"Round {uuid.uuid4().hex[:8]}",
        mentee_opens_on=today,
        mentee_closes_on=today,
        term_ends_on=today,
    )


def _message_report():
    pair = MentorshipFactory()
    message = Message.objects.create(
        conversation=conversation_for_mentorship(pair), author=pair.mentee, body="Hello."
    )
    MessageReport.objects.create(message=message, reported_by=pair.mentor, reason="Rude.")


def _coordinated_programme():
    return ProgrammeFactory(
        coordinators=list(User.objects.filter(is_staff=True, is_superuser=False))
    )


def _wording():
    EmailWording.objects.create(
        kind="request_received", programme=_coordinated_programme(), intro="Hello from us."
    )


def _invitation():
    ProgrammeInvitation.objects.create(
        programme=default_programme(), email=f"{uuid.uuid4().hex[:10]}@example.org", role="mentee"
    )


def _training():
    Training.objects.create(programme=default_programme(), name=f"Course {uuid.uuid4().hex[:6]}")


def _training_record():
    training, _ = Training.objects.get_or_create(programme=default_programme(), name="Safeguarding")
    TrainingRecord.objects.create(
        training=training, user=MentorProfileFactory().user, completed_on=timezone.localdate()
    )


def _handbook_page():
    HandbookPage.objects.create(
        programme=default_programme(),
        title="Your first meeting",
        slug=f"first-{uuid.uuid4().hex[:8]}",
        body="Agree how often you will meet.",
    )


LISTS = [
    ("matching_mentorshiprequest", _request, {"attention": "waiting"}),
    ("matching_mentorship", _mentorship, {"attention": "no_meeting"}),
    ("profiles_mentorprofile", _mentor, {"review": "queue"}),
    ("profiles_menteeprofile", _mentee, {"attention": "unmatched"}),
    ("sessions_log_checkin", _check_in, {"attention": "recent"}),
    ("sessions_log_objective", ObjectiveFactory, {"status__exact": "not_started"}),
    ("sessions_log_meeting", MeetingFactory, {"status__exact": "planned"}),
    ("matching_requestreport", _report, {"request__status__exact": "declined"}),
    ("profiles_membership", _member, {"role__exact": "mentee"}),
    ("profiles_programme", _programme, {"matching__exact": "both"}),
    ("profiles_round", _round, {"q": "Round"}),
    ("accounts_user", _member, {"is_active__exact": "1"}),
    ("mentoring_outbox", _outbox, {"status__exact": "queued"}),
    ("matching_messagereport", _message_report, {"q": ""}),
    ("mentoring_emailwording", _wording, {"language": ""}),
    ("profiles_programmeinvitation", _invitation, {"role__exact": "mentee"}),
    ("profiles_training", _training, {"required__exact": "0"}),
    ("profiles_trainingrecord", _training_record, {"q": "Safeguarding"}),
    ("profiles_handbookpage", _handbook_page, {"moment__exact": "anytime"}),
]


def _area():
    area = ExpertiseAreaFactory()
    MentorProfileFactory(areas=[area])


def _group():
    Group.objects.create(name=f"Group {uuid.uuid4().hex[:8]}")


def _address():
    user = UserFactory(verified=False)
    EmailAddress.objects.create(user=user, email=user.email, verified=False, primary=True)


def _device():
    TOTP.activate(UserFactory(), generate_totp_secret())


def _provider():
    SocialApp.objects.create(
        provider="openid_connect",
        provider_id=f"idp-{uuid.uuid4().hex[:8]}",
        name="University login",
        client_id="mentoring",
        settings={"server_url": "https://login.example.ac.uk"},
    )


def _linked_login():
    SocialAccount.objects.create(user=UserFactory(), provider="university", uid=uuid.uuid4().hex)


# Lists only superusers see (or, for areas, with nothing of a programme in them).
SUPERUSER_LISTS = [
    ("profiles_expertisearea", _area, {"q": "a"}),
    ("auth_group", _group, {"q": "Group"}),
    ("account_emailaddress", _address, {"verified__exact": "0"}),
    ("mfa_authenticator", _device, {"type__exact": "totp"}),
    ("socialaccount_socialapp", _provider, {"q": "University"}),
    ("socialaccount_socialaccount", _linked_login, {"provider": "university"}),
]


@pytest.fixture
def coordinator(db):
    user = UserFactory(full_name="Cora Coordinator", email="cora@example.org", is_staff=True)
    user.groups.add(Group.objects.get(name="Scheme coordinator"))
    default_programme().coordinators.add(user)
    return user


def _queries(client, url: str, params: dict) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(queries), len(response.context["cl"].result_list)


@pytest.mark.parametrize("filtered", [False, True], ids=["all", "filtered"])
@pytest.mark.parametrize(
    ("changelist", "make", "params", "who"),
    [(*row, who) for row in LISTS for who in ("admin_user", "coordinator")]
    + [(*row, "admin_user") for row in SUPERUSER_LISTS],
    ids=[f"{row[0]}-{who}" for row in LISTS for who in ("admin_user", "coordinator")]
    + [f"{row[0]}-admin_user" for row in SUPERUSER_LISTS],
)
def test_a_list_costs_the_same_queries_for_1_or_30_rows(
    client_for, request, who, changelist, make, params, filtered
):
    user = request.getfixturevalue(who)
    client = client_for(user)
    url = reverse(f"admin:{changelist}_changelist")
    params = params if filtered else {}
    client.get(url, params)  # the scheme settings are cached from here on, as in production
    make()
    one, one_rows = _queries(client, url, params)
    for _ in range(29):
        make()
    thirty, thirty_rows = _queries(client, url, params)

    # Lists of people include the staff themselves for a superuser: 29 more rows either way.
    assert one_rows >= 1
    assert thirty_rows == one_rows + 29
    assert one == thirty <= MAX_QUERIES
