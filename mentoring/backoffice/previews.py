"""Every email kind rendered with sample data, for the staff preview page.

Samples are unsaved model instances: nothing is written and nothing is sent. A kind added to
templates/emails/ without a sample here shows up on the page as missing (and fails a test).
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone

from accounts.models import User
from matching.agreements import preview_samples as agreement_previews
from matching.engagements import preview_samples as engagement_previews
from matching.models import (
    Conversation,
    Mentorship,
    MentorshipRequest,
    Message,
    MessageReport,
    RequestReport,
)
from matching.never_approached import preview_samples as never_approached_previews
from mentoring import wording
from mentoring.emails import render
from profiles.models import MenteeProfile, MentorProfile, Programme, RecruitmentWindow, Round
from profiles.training import preview_samples as training_previews
from sessions_log import previews as sessions_log_previews
from sessions_log.recap import preview_samples as recap_previews

EMAIL_DIR = Path(settings.BASE_DIR) / "templates" / "emails"


def all_kinds() -> list[str]:
    return sorted(p.name.removesuffix("_subject.txt") for p in EMAIL_DIR.glob("*_subject.txt"))


def _samples() -> dict[str, dict[str, Any]]:
    now = timezone.now()
    mentor = User(pk=1, full_name="Daniel Okafor", email="daniel.okafor@example.org")
    mentee = User(pk=2, full_name="Maya Patel", email="maya.patel@example.org")
    mentee_profile = MenteeProfile(
        user=mentee,
        role="BSc Economics",
        stage="Final year",
        goals="A first graduate job in finance, and the confidence to negotiate my salary.",
    )
    mentor_profile = MentorProfile(
        pk=1,
        user=mentor,
        job_title="Finance Director",
        organisation="Northbridge Capital",
        confirmed_at=now - timedelta(days=400),
    )
    programme = Programme(pk=1, name="Alumni career mentoring", slug="careers")
    req = MentorshipRequest(
        pk=1,
        mentee=mentee,
        mentor=mentor,
        programme=programme,
        created_at=now - timedelta(days=3),
        message="Hello Daniel, I read that you moved from engineering into finance. I hope to "
        "find a first graduate job in finance and would love to hear how you made the move. I "
        "could meet once a month by video.",
        decline_reason=MentorshipRequest.DeclineReason.NOT_AVAILABLE,
        response_message="I am away for most of the spring; Sara Fraser may be a great fit.",
    )
    mentorship = Mentorship(
        pk=1,
        mentor=mentor,
        mentee=mentee,
        programme=programme,
        started_at=now - timedelta(days=120),
        ended_at=now,
        ended_by=mentee,
        end_reason=Mentorship.EndReason.ACHIEVED,
        end_message="Thank you so much: I start my graduate job in September!",
    )
    url = f"{settings.SITE_URL}/requests/1/"
    pair_url = f"{settings.SITE_URL}/mentorships/1/"
    directory_url = f"{settings.SITE_URL}/mentors/"
    unsubscribe = {"unsubscribe_url": f"{settings.SITE_URL}/email/unsubscribe/sample/"}
    confirm = {
        "profile": mentor_profile,
        "confirm_url": f"{settings.SITE_URL}/profile/mentor/confirm/sample/",
        "edit_url": f"{settings.SITE_URL}/profile/mentor/",
        **unsubscribe,
    }
    return {
        "request_received": {
            "to": mentor,
            "req": req,
            "mentee_profile": mentee_profile,
            "url": url,
        },
        "request_reminder": {
            "to": mentor,
            "req": req,
            "mentee_profile": mentee_profile,
            "url": url,
            "number": 1,
            "expires_on": now + timedelta(days=11),
            **unsubscribe,
        },
        "request_accepted": {"to": mentee, "req": req, "url": pair_url},
        "request_declined": {"to": mentee, "req": req, "url": url, "directory_url": directory_url},
        "mentor_proposed": {"to": mentee, "req": req, "url": url},
        "request_withdrawn": {"to": mentor, "req": req, "url": url},
        "request_closed_mentee_matched": {"to": mentor, "req": req, "url": url},
        "request_expired": {"to": mentee, "req": req, "url": url, "directory_url": directory_url},
        "request_closed_mentor_left": {
            "to": mentee,
            "req": req,
            "url": url,
            "directory_url": directory_url,
        },
        "request_closed_mentor_away": {
            "to": mentee,
            "req": req,
            "away_until": (now + timedelta(days=60)).date(),
            "away_note": "On parental leave until the spring; do ask me again then.",
            "url": url,
            "directory_url": directory_url,
        },
        "request_kept_waiting": {
            "to": mentee,
            "req": req,
            "away_until": (now + timedelta(days=60)).date(),
            "away_note": "On parental leave until the spring; I will answer when I am back.",
            "expires_on": now + timedelta(days=74),
            "url": url,
            "directory_url": directory_url,
        },
        "request_closed_mentor_hidden": {
            "to": mentee,
            "req": req,
            "url": url,
            "directory_url": directory_url,
        },
        "mentor_back": {
            "to": mentor,
            "profile": mentor_profile,
            "away_url": f"{settings.SITE_URL}/profile/mentor/away/",
        },
        "request_reported": {
            "to": settings.SCHEME_CONTACT_EMAIL,
            "req": MentorshipRequest(
                pk=2, mentee=mentee, mentor=mentor, created_at=req.created_at, status="declined"
            ),
            "report": RequestReport(
                pk=1,
                reason="The message asked for my home address and was rude about my colleagues.",
            ),
            "admin_url": f"{settings.SITE_URL}/admin/matching/requestreport/1/change/",
        },
        "message_reported": {
            "to": settings.SCHEME_CONTACT_EMAIL,
            "programme": programme,
            "report": MessageReport(pk=1, reason="The message asked for my home address."),
            "admin_url": f"{settings.SITE_URL}/admin/matching/messagereport/1/change/",
        },
        "mentorship_ended": {
            "to": mentor,
            "mentorship": mentorship,
            "ended_by": mentee,
            "other": mentor,
            "url": pair_url,
            "directory_url": directory_url,
        },
        "mentorship_introduction": {
            "to": mentee,
            "mentorship": mentorship,
            "person": mentee,
            "other": mentor,
            "is_mentee": True,
            "url": pair_url,
        },
        "profile_approved": {
            "to": mentor,
            "profile": mentor_profile,
            "programmes": [Programme(pk=1, name="Alumni career mentoring", slug="careers")],
            "url": url,
        },
        "profile_changes_requested": {
            "to": mentor,
            "profile": MentorProfile(
                user=mentor,
                review_note="Please add your job history and say which areas you can help with.",
            ),
            "url": f"{settings.SITE_URL}/profile/mentor/",
        },
        "profiles_submitted": {
            "to": User(pk=3, full_name="Cora Lewis", email="cora.lewis@example.org"),
            "coordinator": User(pk=3, full_name="Cora Lewis", email="cora.lewis@example.org"),
            "programmes": [
                {
                    "programme": programme,
                    "profiles": [
                        {
                            "profile": mentor_profile,
                            "url": f"{settings.SITE_URL}/admin/profiles/mentorprofile/1/review/",
                        }
                    ],
                }
            ],
            "count": 1,
            "queue_url": f"{settings.SITE_URL}/admin/profiles/mentorprofile/?review=queue",
        },
        "profile_confirm": {"to": mentor, **confirm},
        "profile_lapsed": {"to": mentor, **confirm},
        **_round_samples(mentor=mentor, mentee=mentee, mentor_profile=mentor_profile, **confirm),
        **_message_samples(mentor=mentor, mentee=mentee, programme=programme, now=now),
    }


def _message_samples(*, mentor, mentee, programme, now) -> dict[str, dict[str, Any]]:
    """New-message emails: a burst of messages, and a daily digest."""
    conversation = Conversation(pk=1, programme=programme, mentor=mentor, mentee=mentee)
    conversation.request_id = 1
    messages = [
        Message(
            pk=pk,
            conversation=conversation,
            author=mentee,
            created_at=now - timedelta(minutes=12 - pk),
            body=body,
        )
        for pk, body in (
            (1, "Thank you for your question, Daniel. I have applied to three graduate schemes."),
            (2, "The first interview is next Tuesday: could we talk before then?"),
        )
    ]
    url = f"{settings.SITE_URL}/requests/1/"
    preferences_url = f"{settings.SITE_URL}/profile/email/"
    return {
        "message_notification": {
            "to": mentor,
            "conversation": conversation,
            "programme": programme,
            "messages": messages,
            "count": len(messages),
            "author": mentee,
            "url": url,
            "preferences_url": preferences_url,
            "reply_by_email": True,
        },
        "reply_refused": {
            "to": mentee,
            "why": "this mentorship has ended: its conversation is read-only.",
            "url": url,
            "other_name": mentor.full_name,
            "has_conversation": True,
            "body": "Thank you, Daniel. I will let you know how the interview goes.",
        },
        "message_digest": {
            "to": mentor,
            "threads": [
                {
                    "conversation": conversation,
                    "programme": programme,
                    "other": mentee,
                    "messages": messages,
                    "url": url,
                }
            ],
            "count": len(messages),
            "day": now.date(),
            "preferences_url": preferences_url,
        },
    }


def _round_samples(*, mentor, mentee, mentor_profile, **confirm) -> dict[str, dict[str, Any]]:
    """The emails of programmes that run in rounds: recruitment opens, the term completes."""
    today = timezone.localdate()
    programme = Programme(pk=1, name="Alumni career mentoring", slug="careers")
    round_ = Round(
        pk=1,
        programme=programme,
        name="2026–27",
        mentee_opens_on=today + timedelta(days=30),
        mentee_closes_on=today + timedelta(days=120),
        term_ends_on=today + timedelta(days=300),
    )
    window = RecruitmentWindow(
        pk=1, round=round_, opens_on=today, closes_on=today + timedelta(days=28)
    )
    pair = Mentorship(
        pk=1,
        mentor=mentor,
        mentee=mentee,
        programme=programme,
        round=round_,
        status=Mentorship.Status.COMPLETED,
        started_at=timezone.now() - timedelta(days=240),
        ended_at=timezone.now(),
    )
    return {
        "recruitment_open": {
            "to": mentor,
            **confirm,
            "person": mentor,
            "window": window,
            "round": round_,
            "programme": programme,
            "programme_url": f"{settings.SITE_URL}/programmes/careers/",
        },
        "mentorship_completed": {
            "to": mentee,
            "mentorship": pair,
            "programme": programme,
            "round": round_,
            "person": mentee,
            "other": mentor,
            "is_mentee": True,
            "url": f"{settings.SITE_URL}/mentorships/1/",
        },
        "membership_approved": {
            "to": mentor,
            "programme": programme,
            "url": f"{settings.SITE_URL}/programmes/careers/",
        },
        # To a person a coordinator invited to a programme (profiles.invitations).
        "programme_invitation": {
            "to": "sam.jones@example.org",
            "programme": programme,
            "name": "Sam Jones",
            "role": "mentee",
            "inviter": "Cora Lewis",
            "url": f"{settings.SITE_URL}/programmes/careers/invitation/sample-token/",
            "days": 30,
        },
    }


def sample_contexts() -> dict[str, dict[str, Any]]:
    """Sample context per kind, the sessions log's own emails included."""
    return {
        **_samples(),
        **sessions_log_previews.samples(),
        **agreement_previews(),
        **engagement_previews(),
        **never_approached_previews(),
        **training_previews(),
        **recap_previews(),
    }


# The programme of a preview when nobody chose one: unsaved (no id), so it shows the wording
# for every programme, never a real programme's that happens to share a sample's id.
SAMPLE_PROGRAMME = Programme(name="Alumni career mentoring", slug="careers")


def render_kind(kind: str, *, programme: Programme | None = None, language: str = ""):
    """A kind's sample, with `programme`'s name, logo, contact address and wording (by default a
    sample programme's, with the wording for every programme) in `language`'s wording."""
    ctx = dict(sample_contexts()[kind])
    to = ctx.pop("to")
    if isinstance(to, User):
        to.language = language
    if programme is None and wording.programme_in(ctx)[0] is not None:
        programme = SAMPLE_PROGRAMME  # an email about a programme: about the sample one
    return render(kind, to=to, ctx=ctx, dedupe_key=f"preview:{kind}", programme=programme)
