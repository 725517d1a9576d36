"""Every admin URL and every admin action, for three kinds of staff: one who may view every
model and nothing more, a member of the "Scheme coordinator" group, and a superuser. The first
two coordinate the programme every object here is in (tests/admin/test_programme_scoping.py
shows what they get of other programmes: nothing).

The tables are checked against what is registered: a new model admin, admin action or admin
view without a row here fails `test_every_*_has_a_row`, so nobody adds one without deciding who
may use it.
"""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from allauth.socialaccount.models import SocialAccount, SocialApp
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.contrib.messages import get_messages
from django.test import RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from matching.conversations import conversation_for_request
from matching.models import MatchRun, Mentorship, MessageReport, RequestReport
from mentoring.models import EmailWording, Outbox, SchemeSettings
from profiles.models import (
    HandbookPage,
    Membership,
    MentorProfile,
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
    UserFactory,
    default_programme,
)

pytestmark = pytest.mark.django_db

ROLES = ["viewer", "coordinator", "superuser"]
PAGES = ["changelist", "add", "change", "delete", "history"]
ALL = "200 200 200 200 200"
READ = "200 403 200 403 200"  # the list, an object and its history; no add, no delete
NONE = "403 403 403 403 403"
NO_ADD = "200 403 200 200 200"


def _member() -> object:
    """Someone in the programme the viewer and the coordinator run."""
    return MenteeProfileFactory().user


def _outbox_row() -> Outbox:
    return Outbox.objects.create(
        kind="request_received",
        recipient=_member(),
        to_email="someone@example.org",
        subject="A new request",
        body_text="…",
        dedupe_key="matrix:1",
        message_id="<matrix-1@example.org>",
        status=Outbox.Status.FAILED,
        attempts=5,
    )


def _unverified_address() -> EmailAddress:
    user = UserFactory(verified=False)
    return EmailAddress.objects.create(user=user, email=user.email, verified=False, primary=True)


def _request_report() -> RequestReport:
    req = MentorshipRequestFactory(declined=True)
    return RequestReport.objects.create(request=req, reported_by=req.mentor, reason="Rude.")


def _message_report() -> MessageReport:
    req = MentorshipRequestFactory()
    conversation = conversation_for_request(req)
    message = conversation.messages.get()
    return MessageReport.objects.create(message=message, reported_by=req.mentor, reason="Rude.")


def _round() -> Round:
    return Round.objects.create(
        programme=default_programme(),
        name="2026–27",
        mentee_opens_on=timezone.localdate(),
        mentee_closes_on=timezone.localdate(),
        term_ends_on=timezone.localdate(),
    )


def _pending_mentor() -> Membership:
    profile = MentorProfileFactory(
        review_status=MentorProfile.ReviewStatus.SUBMITTED,
        training_completed_on=timezone.localdate(),
        programmes=[],
    )
    return Membership.objects.create(
        user=profile.user, programme=default_programme(), role=Membership.Role.MENTOR
    )


def _training() -> Training:
    return Training.objects.create(programme=default_programme(), name="Briefing", required=True)


def _training_record() -> TrainingRecord:
    return TrainingRecord.objects.create(
        training=_training(), user=_member(), completed_on=timezone.localdate()
    )


def _handbook_page() -> HandbookPage:
    return HandbookPage.objects.create(
        programme=default_programme(), title="Ending well", slug="ending-well", body="Thank them."
    )


# One object of each registered model, made only when a test needs it.
OBJECTS = {
    "auth.group": lambda: Group.objects.create(name="Readers"),
    "account.emailaddress": _unverified_address,
    "mfa.authenticator": lambda: TOTP.activate(UserFactory(), generate_totp_secret()).instance,
    "socialaccount.socialapp": lambda: SocialApp.objects.create(
        provider="openid_connect", provider_id="university", name="University login"
    ),
    "socialaccount.socialaccount": lambda: SocialAccount.objects.create(
        user=_member(), provider="university", uid="u-1"
    ),
    "mentoring.outbox": _outbox_row,
    "mentoring.emailwording": lambda: EmailWording.objects.create(
        kind="request_received", programme=default_programme(), intro="Welcome."
    ),
    "mentoring.schemesettings": SchemeSettings.load,
    "accounts.user": _member,
    "profiles.expertisearea": ExpertiseAreaFactory,
    "profiles.programme": default_programme,
    "profiles.round": _round,
    "profiles.membership": _pending_mentor,
    "profiles.programmeinvitation": lambda: ProgrammeInvitation.objects.create(
        programme=default_programme(), email="invited@example.org", role="mentee"
    ),
    "profiles.mentorprofile": lambda: MentorProfileFactory(
        review_status=MentorProfile.ReviewStatus.SUBMITTED,
        training_completed_on=timezone.localdate(),
    ),
    "profiles.menteeprofile": MenteeProfileFactory,
    "profiles.training": _training,
    "profiles.trainingrecord": _training_record,
    "profiles.handbookpage": _handbook_page,
    "matching.mentorshiprequest": MentorshipRequestFactory,
    "matching.mentorship": MentorshipFactory,
    "matching.requestreport": _request_report,
    "matching.messagereport": _message_report,
    "sessions_log.objective": ObjectiveFactory,
    "sessions_log.meeting": MeetingFactory,
    "sessions_log.checkin": CheckInFactory,
}

# Status codes of changelist, add, change, delete and history, per role.
MODEL_PAGES = {
    # Groups hand out permissions: only superusers change them (accounts.admin.GroupAdmin).
    "auth.group": {"viewer": READ, "coordinator": NONE, "superuser": ALL},
    # Email addresses and two-factor devices: superusers only, whatever the permissions say.
    "account.emailaddress": {"viewer": NONE, "coordinator": NONE, "superuser": ALL},
    # A device is deleted (a lost phone), never added or edited here.
    "mfa.authenticator": {"viewer": NONE, "coordinator": NONE, "superuser": NO_ADD},
    # Single sign-on providers (their client secrets) and who is linked to which: superusers
    # only; a link is deleted (unlinked), never added or edited here (accounts.admin).
    "socialaccount.socialapp": {"viewer": NONE, "coordinator": NONE, "superuser": ALL},
    "socialaccount.socialaccount": {"viewer": NONE, "coordinator": NONE, "superuser": NO_ADD},
    # The outbox is written by the code, never added by hand.
    "mentoring.outbox": {"viewer": READ, "coordinator": READ, "superuser": NO_ADD},
    # Their programmes' email wording: coordinators write it; an empty field restores the
    # email's own words, so only superusers delete a row.
    "mentoring.emailwording": {
        "viewer": READ,
        "coordinator": "200 200 200 403 200",
        "superuser": ALL,
    },
    # One settings record: its list goes straight to it; it is never added twice nor deleted.
    # It holds the defaults of a new programme: coordinators read it (its page without a save
    # button; a POST is refused, tests/admin/test_scheme_coordinator_group.py), superusers
    # change it.
    "mentoring.schemesettings": {
        "viewer": "302 403 200 403 200",
        "coordinator": "302 403 200 403 200",
        "superuser": "302 403 200 403 200",
    },
    "accounts.user": {"viewer": READ, "coordinator": READ, "superuser": ALL},
    "profiles.expertisearea": {
        "viewer": READ,
        "coordinator": "200 200 200 403 200",
        "superuser": ALL,
    },
    "profiles.mentorprofile": {"viewer": READ, "coordinator": READ, "superuser": ALL},
    "profiles.menteeprofile": {"viewer": READ, "coordinator": READ, "superuser": ALL},
    # Only superusers create and delete programmes; coordinators change their own programmes'
    # rules (profiles.admin.SUPERUSER_ONLY_FIELDS are read-only to them).
    "profiles.programme": {"viewer": READ, "coordinator": READ, "superuser": ALL},
    # Coordinators run their programmes' rounds; only superusers delete one.
    "profiles.round": {"viewer": READ, "coordinator": "200 200 200 403 200", "superuser": ALL},
    # Coordinators run their programmes' training, its records and handbook pages; only
    # superusers delete them.
    "profiles.training": {"viewer": READ, "coordinator": "200 200 200 403 200", "superuser": ALL},
    "profiles.trainingrecord": {
        "viewer": READ,
        "coordinator": "200 200 200 403 200",
        "superuser": ALL,
    },
    "profiles.handbookpage": {
        "viewer": READ,
        "coordinator": "200 200 200 403 200",
        "superuser": ALL,
    },
    # People join on the site; memberships change only through profiles.services.
    "profiles.membership": {"viewer": READ, "coordinator": READ, "superuser": NO_ADD},
    # Invitations are made on a programme's "Invite people" page: the list is read-only.
    "profiles.programmeinvitation": {"viewer": READ, "coordinator": READ, "superuser": NO_ADD},
    # Requests come from mentees and mentorships from accepting them or central matching.
    "matching.mentorshiprequest": {
        "viewer": READ,
        "coordinator": READ,
        "superuser": NO_ADD,
    },
    "matching.mentorship": {
        "viewer": READ,
        "coordinator": READ,
        "superuser": NO_ADD,
    },
    "matching.requestreport": {
        "viewer": READ,
        "coordinator": READ,
        "superuser": NO_ADD,
    },
    # Reported messages only (conversations and messages have no admin): participants write them.
    "matching.messagereport": {
        "viewer": READ,
        "coordinator": READ,
        "superuser": NO_ADD,
    },
    "sessions_log.objective": {"viewer": READ, "coordinator": READ, "superuser": ALL},
    "sessions_log.meeting": {"viewer": READ, "coordinator": READ, "superuser": ALL},
    "sessions_log.checkin": {"viewer": READ, "coordinator": READ, "superuser": ALL},
}


def _csv_downloaded(response, obj) -> bool:
    return response.status_code == 200 and response.get("Content-Disposition", "").startswith(
        "attachment"
    )


def _approved(response, obj) -> bool:
    obj.refresh_from_db()
    if isinstance(obj, Membership):
        return obj.status == Membership.Status.APPROVED
    return obj.review_status == MentorProfile.ReviewStatus.APPROVED


def _new_link(response, obj) -> bool:
    old = obj.invitation_token
    obj.refresh_from_db()
    return obj.invitation_token != old


def _invitation_resent(response, obj) -> bool:
    return Outbox.objects.filter(kind="programme_invitation", to_email=obj.email).exists()


def _asked_what_to_change(response, obj) -> bool:
    return response.status_code == 200 and b"What should the mentor change?" in response.content


def _requeued(response, obj) -> bool:
    obj.refresh_from_db()
    return obj.status == Outbox.Status.QUEUED and obj.attempts == 0


def _verified(response, obj) -> bool:
    obj.refresh_from_db()
    return obj.verified


def _asked_to_confirm_deletion(response, obj) -> bool:
    # The first step of "delete selected" only asks; nothing is deleted by this test.
    return response.status_code == 200 and b"Are you sure you want to delete" in response.content


def _asked_which_training(response, obj) -> bool:
    return (
        response.status_code == 200
        and (response.context_data or {}).get("action") == "record_training"
    )


ACTION_EFFECTS = {
    "record_training": _asked_which_training,
    "export_csv": _csv_downloaded,
    "approve": _approved,
    "new_invitation_link": _new_link,
    "resend_invitation": _invitation_resent,
    "request_changes": _asked_what_to_change,
    "retry_now": _requeued,
    "make_verified": _verified,
    "delete_selected": _asked_to_confirm_deletion,
}

SUPERUSER = {"viewer": False, "coordinator": False, "superuser": True}
VIEWERS = {"viewer": True, "coordinator": True, "superuser": True}
REVIEWERS = {"viewer": False, "coordinator": True, "superuser": True}

# Whether each role may run each action.
ACTIONS = {
    ("auth.group", "delete_selected"): SUPERUSER,
    ("account.emailaddress", "make_verified"): SUPERUSER,
    ("account.emailaddress", "delete_selected"): SUPERUSER,
    ("mfa.authenticator", "delete_selected"): SUPERUSER,
    ("socialaccount.socialapp", "delete_selected"): SUPERUSER,
    ("socialaccount.socialaccount", "delete_selected"): SUPERUSER,
    ("mentoring.outbox", "retry_now"): SUPERUSER,
    ("mentoring.outbox", "delete_selected"): SUPERUSER,
    ("mentoring.emailwording", "delete_selected"): SUPERUSER,
    ("accounts.user", "delete_selected"): SUPERUSER,
    ("profiles.expertisearea", "delete_selected"): SUPERUSER,
    ("profiles.mentorprofile", "approve"): REVIEWERS,
    ("profiles.mentorprofile", "request_changes"): REVIEWERS,
    ("profiles.mentorprofile", "export_csv"): VIEWERS,
    ("profiles.mentorprofile", "delete_selected"): SUPERUSER,
    ("profiles.menteeprofile", "export_csv"): VIEWERS,
    ("profiles.menteeprofile", "delete_selected"): SUPERUSER,
    ("profiles.programme", "new_invitation_link"): REVIEWERS,
    ("profiles.programmeinvitation", "resend_invitation"): REVIEWERS,
    ("profiles.programmeinvitation", "delete_selected"): SUPERUSER,
    ("profiles.programme", "delete_selected"): SUPERUSER,
    ("profiles.round", "delete_selected"): SUPERUSER,
    ("profiles.membership", "approve"): REVIEWERS,
    ("profiles.membership", "record_training"): REVIEWERS,
    ("profiles.training", "delete_selected"): SUPERUSER,
    ("profiles.trainingrecord", "delete_selected"): SUPERUSER,
    ("profiles.handbookpage", "delete_selected"): SUPERUSER,
    ("profiles.membership", "export_csv"): VIEWERS,
    ("profiles.membership", "delete_selected"): SUPERUSER,
    ("matching.mentorshiprequest", "export_csv"): VIEWERS,
    ("matching.mentorshiprequest", "delete_selected"): SUPERUSER,
    ("matching.mentorship", "export_csv"): VIEWERS,
    ("matching.mentorship", "delete_selected"): SUPERUSER,
    ("matching.requestreport", "delete_selected"): SUPERUSER,
    ("matching.messagereport", "delete_selected"): SUPERUSER,
    ("sessions_log.objective", "delete_selected"): SUPERUSER,
    ("sessions_log.meeting", "delete_selected"): SUPERUSER,
    ("sessions_log.checkin", "delete_selected"): SUPERUSER,
}


def _match_url() -> str:
    return reverse("admin:profiles_menteeprofile_match", args=[MenteeProfileFactory().pk])


def _confirm_url() -> str:
    url = reverse("admin:profiles_menteeprofile_match_confirm", args=[MenteeProfileFactory().pk])
    return f"{url}?mentor={MentorProfileFactory().pk}&action=match"


def _post_match(client, user) -> object:
    """Match now: the confirmation page's POST, the only way to match."""
    mentor = MentorProfileFactory()
    mentee_profile = MenteeProfileFactory()
    response = client.post(
        reverse("admin:profiles_menteeprofile_match_confirm", args=[mentee_profile.pk]),
        {"mentor": mentor.pk, "action": "match"},
    )
    matched = Mentorship.objects.filter(mentor=mentor.user, mentee=mentee_profile.user).exists()
    assert matched == (response.status_code == 302)
    return response


def _post_match_page(client, user) -> object:
    """The mentee's matching page itself matches nobody (405 once the person may see it)."""
    mentor = MentorProfileFactory()
    mentee_profile = MenteeProfileFactory()
    response = client.post(
        reverse("admin:profiles_menteeprofile_match", args=[mentee_profile.pk]),
        {"mentor": mentor.pk},
    )
    assert not Mentorship.objects.filter(mentor=mentor.user).exists()
    return response


def _applicant() -> Membership:
    membership = Membership.objects.get(user=MenteeProfileFactory().user, role="mentee")
    membership.applied_at = timezone.now()
    membership.save(update_fields=["applied_at"])
    return membership


def _applicants_url() -> str:
    return reverse("admin:profiles_menteeprofile_applicants", args=[default_programme().pk])


def _post_applicant_match(client, user) -> object:
    mentor, applicant = MentorProfileFactory(), _applicant()
    response = client.post(_applicants_url(), {"applicant": applicant.pk, "mentor": mentor.pk})
    # Matching from the queue goes through the confirmation page (_post_match).
    assert not Mentorship.objects.filter(mentor=mentor.user, mentee=applicant.user).exists()
    return response


def _draft_run() -> MatchRun:
    run, _ = MatchRun.objects.get_or_create(
        programme=default_programme(), status=MatchRun.Status.DRAFT
    )
    return run


def _post_propose_run(client, user) -> object:
    _applicant()
    response = client.post(
        reverse("admin:profiles_menteeprofile_propose_run", args=[default_programme().pk])
    )
    assert MatchRun.objects.exists() == (response.status_code == 302)
    return response


def _run_url() -> str:
    return reverse("admin:profiles_menteeprofile_run", args=[_draft_run().pk])


def _publish_run_url() -> str:
    return reverse("admin:profiles_menteeprofile_publish_run", args=[_draft_run().pk])


def _post_publish_run(client, user) -> object:
    run = _draft_run()
    response = client.post(reverse("admin:profiles_menteeprofile_publish_run", args=[run.pk]))
    run.refresh_from_db()
    assert (run.status == MatchRun.Status.PUBLISHED) == (response.status_code == 302)
    return response


def _submitted_profile() -> MentorProfile:
    profile = MentorProfileFactory(review_status=MentorProfile.ReviewStatus.SUBMITTED)
    Membership.objects.filter(user=profile.user).update(status=Membership.Status.PENDING)
    return profile


def _review_url() -> str:
    return reverse("admin:profiles_mentorprofile_review", args=[_submitted_profile().pk])


def _post_review_approve(client, user) -> object:
    profile = _submitted_profile()
    response = client.post(
        reverse("admin:profiles_mentorprofile_review", args=[profile.pk]), {"approve": "1"}
    )
    profile.refresh_from_db()
    assert (profile.review_status == MentorProfile.ReviewStatus.APPROVED) == (
        response.status_code == 302
    )
    return response


def _invite_url() -> str:
    return reverse("admin:profiles_programme_invite", args=[default_programme().pk])


def _post_invite_list(client, user) -> object:
    response = client.post(_invite_url(), {"addresses": "ann@example.org", "role": "mentee"})
    assert (response.status_code == 200) == ("preview" in (response.context or {}))
    return response


def _get(url_builder):
    def request(client, user):
        return client.get(url_builder())

    return request


def _set_password_url():
    return reverse("admin:auth_user_password_change", args=[UserFactory().pk])


def _view_on_site_url():
    profile = MentorProfileFactory()
    content_type = ContentType.objects.get_for_model(profile)
    return reverse("admin:view_on_site", args=[content_type.pk, profile.pk])


def _autocomplete_url():
    return (
        reverse("admin:autocomplete")
        + "?app_label=profiles&model_name=mentorprofile&field_name=user&term=a"
    )


def _app_list(app_label: str):
    return _get(lambda: reverse("admin:app_list", args=[app_label]))


# Views other than a model's five pages: URL name → {label: (request, expected per role)}.
OTHER_VIEWS = {
    "index": {"home": (_get(lambda: "/admin/"), (200, 200, 200))},
    # Signed-in staff are sent on to the admin's home.
    "login": {"sign in": (_get(lambda: reverse("admin:login")), (302, 302, 302))},
    "logout": {"sign out": (lambda c, u: c.post(reverse("admin:logout")), (200, 200, 200))},
    # Their own password, knowing the current one.
    "password_change": {
        "own password": (_get(lambda: reverse("admin:password_change")), (200, 200, 200))
    },
    "password_change_done": {
        "own password changed": (
            _get(lambda: reverse("admin:password_change_done")),
            (200, 200, 200),
        )
    },
    # Another person's password: superusers only.
    "auth_user_password_change": {"set a password": (_get(_set_password_url), (403, 403, 200))},
    # Searching people for a profile's "user" field needs the right to view accounts.
    "autocomplete": {"people search": (_get(_autocomplete_url), (200, 200, 200))},
    "jsi18n": {"translations": (_get(lambda: reverse("admin:jsi18n")), (200, 200, 200))},
    "view_on_site": {"view on site": (_get(_view_on_site_url), (302, 302, 302))},
    "app_list": {
        f"{app} app": (_app_list(app), codes)
        for app, codes in {
            "auth": (200, 404, 200),
            "account": (404, 404, 200),
            "mfa": (404, 404, 200),
            "mentoring": (200, 200, 200),
            "accounts": (200, 200, 200),
            "profiles": (200, 200, 200),
            "matching": (200, 200, 200),
            "sessions_log": (200, 200, 200),
        }.items()
    },
    # Central matching creates a mentorship.
    "profiles_menteeprofile_match": {
        "central matching page": (_get(_match_url), (403, 200, 200)),
        "no matching without the confirmation": (_post_match_page, (403, 405, 405)),
    },
    "profiles_menteeprofile_match_confirm": {
        "confirmation page": (_get(_confirm_url), (403, 200, 200)),
        "central matching": (_post_match, (403, 302, 302)),
    },
    # Reviewing a mentor's profile as mentees will see it: whoever may approve profiles.
    "profiles_mentorprofile_review": {
        "review page": (_get(_review_url), (403, 200, 200)),
        "approve from the review page": (_post_review_approve, (403, 302, 302)),
    },
    # The queue of applicants of a programme that matches centrally, and matching from it.
    "profiles_menteeprofile_applicants": {
        "applicants queue": (_get(_applicants_url), (403, 200, 200)),
        "no matching without the confirmation": (_post_applicant_match, (403, 405, 405)),
    },
    # Bulk matching runs of such a programme: as central matching.
    "profiles_menteeprofile_propose_run": {
        "proposing a set of pairs": (_post_propose_run, (403, 302, 302)),
    },
    "profiles_menteeprofile_run": {"a run's pairs": (_get(_run_url), (403, 200, 200))},
    "profiles_menteeprofile_publish_run": {
        "publish confirmation": (_get(_publish_run_url), (403, 200, 200)),
        "publishing a run": (_post_publish_run, (403, 302, 302)),
    },
    # Inviting people to a programme: whoever may add invitations (its coordinators).
    "profiles_programme_invite": {
        "invite page": (_get(_invite_url), (403, 200, 200)),
        "checking a list": (_post_invite_list, (403, 200, 200)),
    },
    # Aggregate figures only, no one's name: every member of the scheme team.
    "admin-reports": {
        "reports": (_get(lambda: "/admin/reports/"), (200, 200, 200)),
        "reports as CSV": (
            _get(lambda: "/admin/reports/?format=csv&start=2025-01-01&end=2025-12-31"),
            (200, 200, 200),
        ),
    },
    # One row a pair, numbers and dates only: whoever may view mentorships (their programmes').
    "admin-report-pairs": {
        "per-pair CSV": (
            _get(lambda: "/admin/reports/pairs.csv?start=2025-01-01&end=2025-12-31"),
            (200, 200, 200),
        ),
    },
    # Fictional sample people and links, never a real email: every member of the scheme team.
    "admin-email-previews": {"email previews": (_get(lambda: "/admin/emails/"), (200, 200, 200))},
    "admin-email-preview-html": {
        "an email preview": (_get(lambda: "/admin/emails/request_received.html"), (200, 200, 200))
    },
    # An email as sent, its links' secrets masked: superusers only (a coordinator never sees
    # an email's subject or content, tests/mentoring/test_outbox_rendered.py).
    "admin-outbox-email-html": {
        "an outbox email": (
            _get(lambda: reverse("admin-outbox-email-html", args=[_outbox_row().pk])),
            (403, 403, 200),
        )
    },
}


@pytest.fixture
def users(db):
    viewer = UserFactory(email="vera@example.org", is_staff=True)
    viewer.user_permissions.set(Permission.objects.filter(codename__startswith="view_"))
    coordinator = UserFactory(email="cora@example.org", is_staff=True)
    coordinator.groups.add(Group.objects.get(name="Scheme coordinator"))
    default_programme().coordinators.add(viewer, coordinator)
    superuser = UserFactory(email="sue@example.org", is_staff=True, is_superuser=True)
    return {"viewer": viewer, "coordinator": coordinator, "superuser": superuser}


def _label(model) -> str:
    return model._meta.label_lower


def _page_url(label: str, page: str, obj) -> str:
    app_label, model_name = label.split(".")
    name = f"admin:{app_label}_{model_name}_{page}"
    if page in ("changelist", "add"):
        return reverse(name)
    return reverse(name, args=[obj.pk])


# The tables match what is registered ------------------------------------------------------


def test_every_registered_model_has_a_row():
    registered = {_label(model) for model in admin.site._registry}

    assert registered == set(MODEL_PAGES)
    assert registered == set(OBJECTS)


def _actions(model_admin):
    """Every action of a model admin, whoever may run it (get_actions filters by user)."""
    if model_admin.actions is None:  # Django then offers none, not even the site's
        return []
    return model_admin._get_base_actions()


def test_every_admin_action_has_a_row():
    registered = {
        (_label(model), name)
        for model, model_admin in admin.site._registry.items()
        for name in (action.name for action in _actions(model_admin))
    }

    assert registered == set(ACTIONS)
    assert {name for _, name in registered} <= set(ACTION_EFFECTS)


def test_every_admin_action_declares_its_permissions():
    for model, model_admin in admin.site._registry.items():
        for action in _actions(model_admin):
            assert getattr(action.func, "allowed_permissions", None), (_label(model), action.name)


def _admin_url_names(patterns, prefix: str = ""):
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _admin_url_names(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern) and route.startswith("admin/") and pattern.name:
            yield pattern.name


def test_every_other_admin_view_has_a_row():
    model_pages = {f"{label.replace('.', '_')}_{page}" for label in MODEL_PAGES for page in PAGES}
    names = set(_admin_url_names(get_resolver().url_patterns)) - model_pages

    assert names == set(OTHER_VIEWS)


# Pages ------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("label", sorted(MODEL_PAGES))
def test_model_pages(client_for, users, label, page, role):
    expected = int(MODEL_PAGES[label][role].split()[PAGES.index(page)])
    obj = OBJECTS[label]()

    response = client_for(users[role]).get(_page_url(label, page, obj))

    assert response.status_code == expected


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    "name,label",
    [(name, label) for name, rows in OTHER_VIEWS.items() for label in rows],
)
def test_other_admin_views(client_for, users, name, label, role):
    request, codes = OTHER_VIEWS[name][label]

    response = request(client_for(users[role]), users[role])

    assert response.status_code == codes[ROLES.index(role)]


# Actions ----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("label,action", sorted(ACTIONS))
def test_admin_actions(client_for, users, label, action, role):
    obj = OBJECTS[label]()
    app_label, model_name = label.split(".")

    response = client_for(users[role]).post(
        reverse(f"admin:{app_label}_{model_name}_changelist"),
        {"action": action, ACTION_CHECKBOX_NAME: [obj.pk], "index": 0},
    )

    if ACTIONS[(label, action)][role]:
        assert ACTION_EFFECTS[action](response, obj)
    else:
        assert not ACTION_EFFECTS[action](response, obj)
        refused_outright = response.status_code == 403
        # Not offered: Django answers as if none had been chosen, or, when it offers this
        # person no action at all, shows the list again.
        not_offered = response.status_code == 302 and "No action selected." in [
            m.message for m in get_messages(response.wsgi_request)
        ]
        list_again = response.status_code == 200 and "cl" in (response.context_data or {})
        assert refused_outright or not_offered or list_again


def test_the_viewer_sees_no_actions_it_may_not_run(users):
    request = RequestFactory().get("/admin/")
    request.user = users["viewer"]
    offered = {
        (_label(model), name)
        for model, model_admin in admin.site._registry.items()
        if model_admin.has_view_permission(request)
        for name in model_admin.get_actions(request)
    }

    assert offered == {key for key, roles in ACTIONS.items() if roles["viewer"]}
