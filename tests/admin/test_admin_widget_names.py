"""The admin widgets replaced for screen readers (issue 18, item 6) still do their jobs: the
editable positions on the areas list save, the groups and a meeting's objectives are ticks."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from profiles.models import ExpertiseArea
from tests.factories import ExpertiseAreaFactory, MeetingFactory, ObjectiveFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_each_editable_position_is_named_for_its_area_and_still_saves(client_for, staff_user):
    staff_user.groups.add(Group.objects.get(name="Scheme coordinator"))
    careers = ExpertiseAreaFactory(name="Changing careers", slug="changing-careers", position=1)
    leading = ExpertiseAreaFactory(name="Leadership", slug="leadership", position=2)
    client = client_for(staff_user)
    url = reverse("admin:profiles_expertisearea_changelist")

    page = client.get(url).content.decode()
    assert 'aria-label="Position of Changing careers"' in page
    assert 'aria-label="Position of Leadership"' in page

    rows = sorted([careers, leading], key=lambda area: area.pk)
    data = {
        "form-TOTAL_FORMS": "2",
        "form-INITIAL_FORMS": "2",
        "_save": "Save",
    }
    for index, area in enumerate(rows):
        data[f"form-{index}-id"] = str(area.pk)
        data[f"form-{index}-position"] = "5" if area == careers else "3"
    response = client.post(url, data)

    assert response.status_code == 302
    assert ExpertiseArea.objects.get(pk=careers.pk).position == 5
    assert ExpertiseArea.objects.get(pk=leading.pk).position == 3


def test_groups_are_ticks_and_permissions_a_labelled_select(client_for, admin_user):
    person = UserFactory()
    page = client_for(admin_user).get(reverse("admin:accounts_user_change", args=[person.pk]))
    html = page.content.decode()

    assert 'type="checkbox" name="groups"' in html
    assert 'class="selectfilter"' not in html
    assert '<label for="id_user_permissions">' in html


def test_a_meetings_objectives_are_ticks(client_for, admin_user):
    meeting = MeetingFactory()
    ObjectiveFactory(mentorship=meeting.mentorship, title="Lead a team meeting")
    page = client_for(admin_user).get(
        reverse("admin:sessions_log_meeting_change", args=[meeting.pk])
    )
    html = page.content.decode()

    assert 'type="checkbox" name="objectives"' in html
    assert "Lead a team meeting" in html
    assert "selectfilter" not in html
