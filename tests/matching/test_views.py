from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from matching.models import Mentorship, MentorshipRequest
from tests.factories import (
    MenteeProfileFactory,
    MentorProfileFactory,
    MentorshipFactory,
    MentorshipRequestFactory,
    UserFactory,
)
from tests.matching.conftest import MESSAGE

pytestmark = pytest.mark.django_db
Status = MentorshipRequest.Status


def _interested_url(profile) -> str:
    return reverse("matching:request-create", args=[profile.pk])


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _text(response) -> str:
    return response.content.decode()


# The Interested form


def test_interested_form_shows_the_mentor(client_for, mentee_profile, mentor_profile):
    response = client_for(mentee_profile.user).get(_interested_url(mentor_profile))

    assert response.status_code == 200
    assert "Ask Daniel to mentor you" in _text(response)


def test_interested_creates_the_request_and_opens_it(
    client_for, mentee_profile, mentor_profile, settings
):
    settings.REQUEST_EMAIL_HOLD_MINUTES = 0
    response = client_for(mentee_profile.user).post(
        _interested_url(mentor_profile), {"message": MESSAGE}
    )

    req = MentorshipRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == req.get_absolute_url()
    assert req.message == MESSAGE
    assert _messages(response) == [
        "Your request is on its way: Daniel Mentor has been emailed. You will hear by email when "
        "they answer."
    ]


def test_interested_says_when_the_mentor_will_be_emailed_while_it_is_held(
    client_for, mentee_profile, mentor_profile, settings
):
    settings.REQUEST_EMAIL_HOLD_MINUTES = 5

    response = client_for(mentee_profile.user).post(
        _interested_url(mentor_profile), {"message": MESSAGE}
    )

    assert _messages(response) == [
        "Your request is on its way: Daniel Mentor will be emailed in 5 minutes (withdraw "
        "before then and they are not told). You will hear by email when they answer."
    ]


@pytest.mark.parametrize(
    ("typed", "error"),
    [
        ("Can you help me?", "at least 50 characters (you wrote 16)"),
        ("x" * 2001, "Please keep your message under 2,000 characters (you wrote 2001)."),
    ],
    ids=["too-short", "too-long"],
)
def test_interested_with_a_bad_message_shows_the_error_beside_it_and_keeps_it(
    client_for, mentee_profile, mentor_profile, typed, error
):
    response = client_for(mentee_profile.user).post(
        _interested_url(mentor_profile), {"message": typed}
    )

    html = _text(response)
    assert response.status_code == 200
    assert error in response.context["form"].errors["message"][0]
    # The message is rendered in the field's own error block and the typed text is kept.
    assert 'id="id_message_error"' in html
    assert error in html[html.index('id="id_message_error"') :]
    assert f">\n{typed}</textarea>" in html
    assert not MentorshipRequest.objects.exists()


def test_interested_with_no_message_asks_for_one(client_for, mentee_profile, mentor_profile):
    response = client_for(mentee_profile.user).post(_interested_url(mentor_profile), {})

    assert response.status_code == 200
    assert response.context["form"].errors["message"] == [
        "Please write a short message to the mentor."
    ]


def test_interested_refused_by_the_service_shows_the_sentence_and_keeps_the_message(
    client_for, mentee_profile, mentor_profile
):
    MentorshipFactory(mentor=mentor_profile.user)
    MentorshipFactory(mentor=mentor_profile.user)

    response = client_for(mentee_profile.user).post(
        _interested_url(mentor_profile), {"message": MESSAGE}
    )

    html = _text(response)
    assert response.status_code == 200
    assert "Daniel Mentor has no free place at the moment. Please approach another mentor." in html
    assert MESSAGE in html
    assert not MentorshipRequest.objects.filter(mentee=mentee_profile.user).exists()


def test_interested_in_yourself_is_refused_on_the_form(client_for, mentor_profile):
    MenteeProfileFactory(user=mentor_profile.user)

    response = client_for(mentor_profile.user).post(
        _interested_url(mentor_profile), {"message": MESSAGE}
    )

    assert response.status_code == 200
    assert "You cannot send a request to yourself." in _text(response)


def test_interested_without_a_mentee_profile_is_refused_on_the_form(client_for, mentor_profile):
    response = client_for(UserFactory()).post(_interested_url(mentor_profile), {"message": MESSAGE})

    assert response.status_code == 200
    assert "Please create your mentee profile before you approach a mentor." in _text(response)


def test_interested_submitted_twice_creates_one_request(client_for, mentee_profile, mentor_profile):
    client = client_for(mentee_profile.user)

    first = client.post(_interested_url(mentor_profile), {"message": MESSAGE})
    second = client.post(_interested_url(mentor_profile), {"message": MESSAGE})

    assert MentorshipRequest.objects.count() == 1
    assert (
        first["Location"]
        == second["Location"]
        == MentorshipRequest.objects.get().get_absolute_url()
    )


# Answering a request


def test_accept_opens_the_new_mentorship(client_for, pending, mentor):
    response = client_for(mentor).post(reverse("matching:request-accept", args=[pending.pk]))

    mentorship = Mentorship.objects.get()
    assert response["Location"] == mentorship.get_absolute_url()
    assert _messages(response) == [
        "You are now Maya Mentee's mentor. They will arrange your first meeting."
    ]


def test_accept_when_full_returns_to_the_request_with_the_reason(client_for, pending, mentor):
    MentorshipFactory(mentor=mentor)
    MentorshipFactory(mentor=mentor)

    response = client_for(mentor).post(
        reverse("matching:request-accept", args=[pending.pk]), follow=True
    )

    assert response.redirect_chain == [(pending.get_absolute_url(), 302)]
    assert "You have no free place: you mentor 2 of 2." in _text(response)


def test_the_mentee_cannot_accept_their_own_request(client_for, pending, mentee):
    response = client_for(mentee).post(reverse("matching:request-accept", args=[pending.pk]))

    assert response["Location"] == pending.get_absolute_url()
    assert _messages(response) == ["Only the mentor can accept this request."]
    assert not Mentorship.objects.exists()


def test_decline_without_a_reason_shows_the_error(client_for, pending, mentor):
    response = client_for(mentor).post(
        reverse("matching:request-decline", args=[pending.pk]), {"message": "Sorry, not now."}
    )

    assert response.status_code == 200
    assert response.context["decline_form"].errors["reason"] == [
        "Please choose a reason; the mentee will see it."
    ]
    assert "Please choose a reason; the mentee will see it." in _text(response)
    assert "Sorry, not now.</textarea>" in _text(response)
    # The error summary's link leads to the first choice (a radio group has no single input).
    assert '<a href="#id_reason_0">' in _text(response)
    pending.refresh_from_db()
    assert pending.is_pending


def test_decline_with_a_reason_returns_to_the_request(client_for, pending, mentor):
    response = client_for(mentor).post(
        reverse("matching:request-decline", args=[pending.pk]), {"reason": "full"}
    )

    pending.refresh_from_db()
    assert response["Location"] == pending.get_absolute_url()
    assert pending.status == Status.DECLINED
    assert _messages(response) == [
        "You have declined Maya Mentee's request. Thank you for answering."
    ]


def test_the_mentee_cannot_decline_their_own_request(client_for, pending, mentee):
    response = client_for(mentee).post(
        reverse("matching:request-decline", args=[pending.pk]), {"reason": "full"}
    )

    assert _messages(response) == ["Only the mentor can decline this request."]
    pending.refresh_from_db()
    assert pending.is_pending


def test_withdraw_returns_to_the_request(client_for, pending, mentee):
    response = client_for(mentee).post(reverse("matching:request-withdraw", args=[pending.pk]))

    pending.refresh_from_db()
    assert response["Location"] == pending.get_absolute_url()
    assert pending.status == Status.WITHDRAWN
    assert _messages(response) == ["You have withdrawn your request to Daniel Mentor."]


def test_withdraw_after_an_accept_explains_why_not(client_for, pending, mentee, mentor):
    client_for(mentor).post(reverse("matching:request-accept", args=[pending.pk]))

    response = client_for(mentee).post(reverse("matching:request-withdraw", args=[pending.pk]))

    assert _messages(response) == [
        "This request is no longer waiting for an answer: it was accepted."
    ]


def test_the_mentor_sees_the_mentee_profile_and_the_answer_buttons(client_for, pending, mentor):
    response = client_for(mentor).get(pending.get_absolute_url())

    html = _text(response)
    assert "About Maya" in html
    assert "BSc Economics (Final year)" in html
    assert reverse("matching:request-accept", args=[pending.pk]) in html
    assert reverse("matching:request-decline", args=[pending.pk]) in html
    assert reverse("matching:request-withdraw", args=[pending.pk]) not in html


def test_the_mentee_sees_withdraw_but_not_accept(client_for, pending, mentee):
    response = client_for(mentee).get(pending.get_absolute_url())

    html = _text(response)
    assert reverse("matching:request-withdraw", args=[pending.pk]) in html
    assert reverse("matching:request-accept", args=[pending.pk]) not in html
    assert "About Maya" not in html


def test_a_declined_request_shows_the_answer_to_the_mentee(client_for, pending, mentor, mentee):
    client_for(mentor).post(
        reverse("matching:request-decline", args=[pending.pk]),
        {"reason": "not_my_area", "message": "Priya in audit could help."},
    )

    response = client_for(mentee).get(pending.get_absolute_url())

    html = _text(response)
    assert "This is not my area of expertise" in html
    assert "Priya in audit could help." in html
    assert reverse("profiles:directory") in html


def test_an_accepted_request_links_to_the_mentorship(client_for, pending, mentor, mentee):
    client_for(mentor).post(reverse("matching:request-accept", args=[pending.pk]))

    response = client_for(mentee).get(pending.get_absolute_url())

    assert Mentorship.objects.get().get_absolute_url() in _text(response)


# Ending a mentorship


def test_end_without_a_reason_shows_the_error(client_for, mentorship, mentee):
    response = client_for(mentee).post(
        reverse("sessions_log:mentorship-end", args=[mentorship.pk]), {"message": "Thanks!"}
    )

    assert response.status_code == 200
    assert response.context["end_form"].errors["reason"] == ["Please choose a reason."]
    assert '<details class="card end-mentorship" open>' in _text(response)
    assert '<a href="#id_reason_0">' in _text(response)
    mentorship.refresh_from_db()
    assert mentorship.is_active


def test_end_with_a_reason_returns_to_the_mentorship(client_for, mentorship, mentee):
    response = client_for(mentee).post(
        reverse("sessions_log:mentorship-end", args=[mentorship.pk]),
        {"reason": "achieved", "rating": "5"},
    )

    mentorship.refresh_from_db()
    assert response["Location"] == mentorship.get_absolute_url()
    assert mentorship.status == Mentorship.Status.ENDED
    assert mentorship.feedback_rating == 5
    assert _messages(response) == [
        "Your mentorship has ended and Daniel Mentor has been told. Thank you."
    ]


def test_an_ended_mentorship_offers_no_end_form(client_for, mentorship, mentee):
    client_for(mentee).post(
        reverse("sessions_log:mentorship-end", args=[mentorship.pk]), {"reason": "achieved"}
    )

    response = client_for(mentee).get(mentorship.get_absolute_url())

    html = _text(response)
    assert "ended" in html
    assert reverse("sessions_log:mentorship-end", args=[mentorship.pk]) not in html


def test_the_pair_see_each_others_email_address(client_for, mentorship, mentee, mentor):
    assert "daniel@example.org" in _text(client_for(mentee).get(mentorship.get_absolute_url()))
    assert "maya@example.org" in _text(client_for(mentor).get(mentorship.get_absolute_url()))


# Lists


def test_request_list_shows_sent_and_received_with_their_status(client_for, mentee_profile):
    both = mentee_profile.user
    MentorProfileFactory(user=both)
    MentorshipRequestFactory(
        mentee=both, mentor=MentorProfileFactory(user__full_name="Sent Sam").user
    )
    MentorshipRequestFactory(
        mentor=both,
        mentee=MenteeProfileFactory(user__full_name="Received Rita").user,
        declined=True,
    )

    response = client_for(both).get(reverse("matching:request-list"))

    sent, received = response.context["sent"], response.context["received"]
    assert [(r.mentor.full_name, r.status) for r in sent] == [("Sent Sam", "pending")]
    assert [(r.mentee.full_name, r.status) for r in received] == [("Received Rita", "declined")]
    html = _text(response)
    sent_html = html[html.index('id="sent-title"') :]
    received_html = html[html.index('id="received-title"') : html.index('id="sent-title"')]
    assert "Sent Sam" in sent_html and "Waiting for an answer" in sent_html
    assert "Received Rita" in received_html and "Declined" in received_html


def test_request_list_shows_nothing_of_other_peoples_requests(client_for, mentee_profile):
    MentorshipRequestFactory(mentee=MenteeProfileFactory(user__full_name="Other Olu").user)

    response = client_for(mentee_profile.user).get(reverse("matching:request-list"))

    assert response.context["sent"] == response.context["received"] == []
    assert "Other Olu" not in _text(response)


def test_mentorship_list_shows_both_roles(client_for, mentee_profile):
    both = mentee_profile.user
    MentorProfileFactory(user=both)
    MentorshipFactory(mentee=both, mentor=MentorProfileFactory(user__full_name="Mo Mentor").user)
    MentorshipFactory(mentor=both, mentee=MenteeProfileFactory(user__full_name="Mel Mentee").user)

    html = _text(client_for(both).get(reverse("matching:mentorship-list")))

    assert "Mentored by Mo Mentor" in html
    assert "Mentoring Mel Mentee" in html


def _count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_request_list_queries_do_not_grow_with_the_rows(
    client_for, mentee_profile, django_assert_num_queries
):
    both = mentee_profile.user
    MentorProfileFactory(user=both, capacity=10)
    client = client_for(both)
    url = reverse("matching:request-list")
    MentorshipRequestFactory(mentee=both)
    MentorshipRequestFactory(mentor=both)
    one_each = _count_queries(client, url)
    for _ in range(19):
        MentorshipRequestFactory(mentee=both)
        MentorshipRequestFactory(mentor=both)

    with django_assert_num_queries(one_each):
        response = client.get(url)

    assert (len(response.context["sent"]), len(response.context["received"])) == (20, 20)


def test_mentorship_list_queries_do_not_grow_with_the_rows(
    client_for, mentee_profile, django_assert_num_queries
):
    both = mentee_profile.user
    MentorProfileFactory(user=both, capacity=10)
    client = client_for(both)
    url = reverse("matching:mentorship-list")
    MentorshipFactory(mentee=both)
    one = _count_queries(client, url)
    for _ in range(9):
        MentorshipFactory(mentor=both)
    for _ in range(10):
        MentorshipFactory(mentee=both, ended=True)

    with django_assert_num_queries(one):
        response = client.get(url)

    assert len(response.context["mentorships"]) == 20


# The mentor's profile page: what the Interested button says


def _profile_page(client_for, viewer, profile, django_assert_max_num_queries):
    client = client_for(viewer)
    with django_assert_max_num_queries(5):
        response = client.get(profile.get_absolute_url())
    assert response.status_code == 200
    return response


def test_profile_offers_interested_to_a_mentee(
    client_for, mentee_profile, mentor_profile, django_assert_max_num_queries
):
    response = _profile_page(
        client_for, mentee_profile.user, mentor_profile, django_assert_max_num_queries
    )

    assert response.context["interest"]["state"] == "available"
    assert f'href="{_interested_url(mentor_profile)}"' in _text(response)


def test_profile_links_to_the_request_already_sent(
    client_for, pending, mentee, mentor_profile, django_assert_max_num_queries
):
    response = _profile_page(client_for, mentee, mentor_profile, django_assert_max_num_queries)

    html = _text(response)
    assert "You have already asked Daniel; your request is waiting for an answer." in html
    assert f'href="{pending.get_absolute_url()}"' in html
    assert _interested_url(mentor_profile) not in html


def test_profile_links_to_the_mentorship_when_paired(
    client_for, mentorship, mentee, mentor_profile, django_assert_max_num_queries
):
    response = _profile_page(client_for, mentee, mentor_profile, django_assert_max_num_queries)

    html = _text(response)
    assert "Daniel is your mentor." in html
    assert f'href="{mentorship.get_absolute_url()}"' in html
    assert _interested_url(mentor_profile) not in html


def test_profile_says_when_the_mentor_is_full(
    client_for, mentee_profile, mentor_profile, django_assert_max_num_queries
):
    MentorshipFactory(mentor=mentor_profile.user)
    MentorshipFactory(mentor=mentor_profile.user)

    response = _profile_page(
        client_for, mentee_profile.user, mentor_profile, django_assert_max_num_queries
    )

    html = _text(response)
    assert "Daniel has no free place at the moment." in html
    assert f"{reverse('profiles:directory')}?available=1" in html
    assert _interested_url(mentor_profile) not in html


def test_profile_says_it_is_your_own(client_for, mentor_profile, django_assert_max_num_queries):
    response = _profile_page(
        client_for, mentor_profile.user, mentor_profile, django_assert_max_num_queries
    )

    html = _text(response)
    assert "This is your own profile, as mentees see it." in html
    assert _interested_url(mentor_profile) not in html


def test_profile_asks_for_a_mentee_profile_first(
    client_for, mentor_profile, stranger, django_assert_max_num_queries
):
    response = _profile_page(client_for, stranger, mentor_profile, django_assert_max_num_queries)

    html = _text(response)
    assert "create your mentee profile" in html
    assert f'href="{reverse("profiles:mentee-edit")}"' in html
    assert _interested_url(mentor_profile) not in html


def test_profile_says_when_the_pending_limit_is_reached(
    set_scheme, settings, client_for, mentee_profile, mentor_profile, django_assert_max_num_queries
):
    set_scheme(max_pending_requests=3)
    for _ in range(3):
        MentorshipRequestFactory(mentee=mentee_profile.user)

    response = _profile_page(
        client_for, mentee_profile.user, mentor_profile, django_assert_max_num_queries
    )

    html = _text(response)
    assert "You already have 3 requests waiting for an answer." in html
    assert f'href="{reverse("matching:request-list")}"' in html
    assert _interested_url(mentor_profile) not in html


def test_profile_says_when_the_mentee_already_has_a_mentor(
    settings, client_for, mentee_profile, mentor_profile, django_assert_max_num_queries
):
    settings.SCHEME_MAX_ACTIVE_MENTORSHIPS = 1
    MentorshipFactory(mentee=mentee_profile.user)

    response = _profile_page(
        client_for, mentee_profile.user, mentor_profile, django_assert_max_num_queries
    )

    html = _text(response)
    assert "You already have a mentor." in html
    assert f'href="{reverse("matching:mentorship-list")}"' in html
    assert _interested_url(mentor_profile) not in html


def test_profile_counts_one_pending_request_in_the_singular(
    set_scheme, settings, client_for, mentee_profile, mentor_profile, django_assert_max_num_queries
):
    set_scheme(max_pending_requests=1)
    MentorshipRequestFactory(mentee=mentee_profile.user)

    response = _profile_page(
        client_for, mentee_profile.user, mentor_profile, django_assert_max_num_queries
    )

    assert "You already have 1 request waiting for an answer." in _text(response)


def test_profile_tells_staff_an_unlisted_mentor_is_hidden(
    client_for, admin_user, django_assert_max_num_queries
):
    profile = MentorProfileFactory(review_status="submitted")

    response = _profile_page(client_for, admin_user, profile, django_assert_max_num_queries)

    assert "This profile is not visible to mentees at the moment." in _text(response)
    assert _interested_url(profile) not in _text(response)


# The home page


def test_home_shows_a_mentor_their_places_and_the_requests_waiting_with_their_age(
    client_for, mentor_profile, mentor
):
    MentorshipFactory(mentor=mentor)
    MentorshipRequestFactory(
        mentor=mentor,
        mentee=MenteeProfileFactory(user__full_name="Wendy Waiting").user,
        created_at=timezone.now() - timedelta(days=3),
    )

    html = _text(client_for(mentor).get(reverse("home")))

    assert "Places used: <strong>1 of 2</strong>" in html
    assert "Wendy Waiting" in html
    assert "waiting 3\xa0days" in html


def test_home_shows_a_mentee_their_pending_requests(client_for, mentee_profile):
    MentorshipRequestFactory(
        mentee=mentee_profile.user,
        mentor=MentorProfileFactory(user__full_name="Patient Pat").user,
        created_at=timezone.now() - timedelta(days=2),
    )

    html = _text(client_for(mentee_profile.user).get(reverse("home")))

    assert "Waiting for an answer" in html
    assert "Patient Pat" in html
    assert "sent 2\xa0days ago" in html


def test_home_shows_a_mentee_with_a_mentor_their_other_pending_requests(
    settings, client_for, mentee_profile
):
    # Schemes that allow two mentors at a time: the first one must not hide the second request.
    settings.SCHEME_MAX_ACTIVE_MENTORSHIPS = 2
    MentorshipFactory(
        mentee=mentee_profile.user, mentor=MentorProfileFactory(user__full_name="Mo Mentor").user
    )
    MentorshipRequestFactory(
        mentee=mentee_profile.user, mentor=MentorProfileFactory(user__full_name="Patient Pat").user
    )

    html = _text(client_for(mentee_profile.user).get(reverse("home")))

    assert "Mo Mentor" in html
    assert "Patient Pat" in html
