"""Edits by staff are recorded and shown to the mentor (issue 18): a coordinator who changes a
mentor's words in the admin leaves a record, field by field, which the mentor sees on their
profile page until they have read it; the mentor's own edits leave none."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from profiles import staff_edits
from profiles.forms import MentorProfileForm
from profiles.models import MeetingFormat, MentorProfile, ProfileEdit
from tests.admin.test_mentor_review_page import _coordinator
from tests.admin.test_programme_admin import _form_data
from tests.factories import (
    ExpertiseAreaFactory,
    JobHistoryEntryFactory,
    MentorProfileFactory,
    ProgrammeFactory,
    UserFactory,
    default_programme,
)
from tests.profiles.test_mentor_edit import _valid

pytestmark = pytest.mark.django_db

MENTOR_PAGE = "/profile/mentor/"
SEEN = "/profile/mentor/edits/seen/"


def _change(profile: MentorProfile) -> str:
    return reverse("admin:profiles_mentorprofile_change", args=[profile.pk])


def _edit_in_admin(client, profile, **changes):
    page = client.get(_change(profile))
    assert page.status_code == 200
    response = client.post(_change(profile), {**_form_data(page), **changes})
    assert response.status_code == 302, response.context["adminform"].form.errors
    return response


@pytest.mark.parametrize("who", ["superuser", "coordinator"])
def test_a_staff_edit_is_recorded_field_by_field(client_for, admin_user, who):
    profile = MentorProfileFactory(headline="Finance for beginners", job_title="Analyst")
    staff = admin_user if who == "superuser" else _coordinator("c@example.org", default_programme())

    _edit_in_admin(
        client_for(staff), profile, headline="Finance for everyone", formats=["video", "phone"]
    )

    edit = ProfileEdit.objects.get(profile=profile)
    assert edit.by == staff
    by_field = {change["field"]: change for change in edit.changes}
    assert by_field["headline"]["before"] == "Finance for beginners"
    assert by_field["headline"]["after"] == "Finance for everyone"
    assert by_field["formats"]["before"] == ["video"]
    assert by_field["formats"]["after"] == ["phone", "video"]
    assert "job_title" not in by_field  # unchanged fields are not listed


def test_saving_without_a_change_records_nothing(client_for, admin_user):
    profile = MentorProfileFactory()
    _edit_in_admin(client_for(admin_user), profile)
    assert not ProfileEdit.objects.exists()


def test_another_programmes_coordinator_cannot_edit(client_for, admin_user):
    profile = MentorProfileFactory(headline="Finance for beginners")
    page = client_for(admin_user).get(_change(profile))
    other = _coordinator("otto@example.org", ProgrammeFactory(name="Other scheme"))

    response = client_for(other).post(
        _change(profile), {**_form_data(page), "headline": "Not yours to change"}
    )

    assert response.status_code in (302, 404)  # not found, or the admin's "no such object"
    assert MentorProfile.objects.get(pk=profile.pk).headline == "Finance for beginners"
    assert not ProfileEdit.objects.exists()


def test_the_mentor_sees_the_changes_until_read(client_for, admin_user):
    profile = MentorProfileFactory(headline="Finance for beginners")
    _edit_in_admin(client_for(admin_user), profile, headline="Finance for everyone")
    mentor = client_for(profile.user)

    page = mentor.get(MENTOR_PAGE).content.decode()
    assert "The scheme team changed your profile" in page
    assert "“Finance for beginners” is now “Finance for everyone”" in page
    assert "Headline" in page  # the mentor's own form's label

    assert mentor.post(SEEN).status_code == 302
    assert "The scheme team changed your profile" not in mentor.get(MENTOR_PAGE).content.decode()
    assert ProfileEdit.objects.get().seen_at is not None


def test_the_mentors_own_edits_leave_no_record(client_for):
    profile = MentorProfileFactory(headline="Old words")
    data = _valid(ExpertiseAreaFactory(), headline="My own new words")
    assert client_for(profile.user).post(MENTOR_PAGE, data).status_code == 302
    assert MentorProfile.objects.get(pk=profile.pk).headline == "My own new words"
    assert not ProfileEdit.objects.exists()


def test_another_person_cannot_mark_someone_elses_edits_read(client_for, admin_user):
    profile = MentorProfileFactory(headline="Old words")
    _edit_in_admin(client_for(admin_user), profile, headline="New words")

    other_mentor = MentorProfileFactory().user
    assert client_for(other_mentor).post(SEEN).status_code == 302
    stranger = UserFactory()
    assert client_for(stranger).post(SEEN).status_code == 302
    assert ProfileEdit.objects.get().seen_at is None  # only the owner's page clears it


def test_anonymous_is_sent_to_sign_in(client):
    response = client.post(SEEN)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_get_is_not_allowed(client_for):
    profile = MentorProfileFactory()
    assert client_for(profile.user).get(SEEN).status_code == 405


def test_a_welsh_reader_sees_the_changes_in_welsh(client_for, admin_user):
    profile = MentorProfileFactory(formats=["video"])
    _edit_in_admin(client_for(admin_user), profile, formats=["video", "phone"])
    profile.user.language = "cy"
    profile.user.save(update_fields=["language"])

    with translation.override("cy"):
        edits = staff_edits.readable(list(staff_edits.unseen(profile)))
        line = edits[0].lines[0]
        assert line["label"] == str(MentorProfileForm.base_fields["formats"].label)
        assert line["after"] == ", ".join(
            str(dict(MeetingFormat.choices)[code]) for code in ("phone", "video")
        )
        assert line["after"] != "Phone, Video call"  # Welsh, not the English of the edit


def _with_inline_forms(page) -> dict:
    """The change form as shown, the job history inline's entries included."""
    data = _form_data(page)
    for inline in page.context["inline_admin_formsets"]:
        for form in inline.formset.forms:
            for name in form.fields:
                value = form[name].value()
                if value not in (None, False):
                    data[form.add_prefix(name)] = value
    return data


def test_staff_changes_to_the_job_history_are_recorded_and_shown(client_for, admin_user):
    profile = MentorProfileFactory()
    kept = JobHistoryEntryFactory(
        profile=profile, title="Analyst", organisation="Acme", start_year=2015, end_year=2018
    )
    dropped = JobHistoryEntryFactory(
        profile=profile, title="Intern", organisation="Beta", start_year=2014, end_year=2015
    )
    client = client_for(admin_user)
    page = client.get(_change(profile))
    data = _with_inline_forms(page)
    forms = {f.instance.pk: f for f in page.context["inline_admin_formsets"][0].formset.forms}
    data[forms[kept.pk].add_prefix("title")] = "Senior analyst"
    data[forms[dropped.pk].add_prefix("DELETE")] = "on"

    response = client.post(_change(profile), data)

    assert response.status_code == 302
    [edit] = ProfileEdit.objects.filter(profile=profile)
    assert edit.changes == [
        {
            "field": "job_history",
            "before": "Analyst, Acme (2015–2018)",
            "after": "Senior analyst, Acme (2015–2018)",
        },
        {"field": "job_history", "before": "Intern, Beta (2014–2015)", "after": ""},
    ]
    page = client_for(profile.user).get(MENTOR_PAGE).content.decode()
    assert "Job history" in page
    assert "“Analyst, Acme (2015–2018)” is now “Senior analyst, Acme (2015–2018)”" in page
    assert "removed “Intern, Beta (2014–2015)”" in page
