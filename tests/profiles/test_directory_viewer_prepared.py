"""The directory reads its viewer in one query whose SQL is built once per process
(profiles.selectors.directory_viewer, mentoring.prepared): its rows are the ORM's."""

from __future__ import annotations

import pytest

from profiles import selectors
from profiles.models import ShortlistEntry
from tests.factories import (
    ExpertiseAreaFactory,
    MenteeProfileFactory,
    MentorProfileFactory,
    ProgrammeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def test_the_prepared_rows_are_the_orms_for_every_kind_of_viewer():
    careers, staff = ProgrammeFactory(slug="careers"), ProgrammeFactory(slug="staff")
    ProgrammeFactory(slug="old", status="archived")
    cvs, finance = ExpertiseAreaFactory(name="CVs"), ExpertiseAreaFactory(name="Finance")
    mentee = MenteeProfileFactory(
        programmes=[careers, staff], areas=[cvs], department="Finance", line_manager_email="b@x.org"
    ).user
    mentor = MentorProfileFactory(programmes=[careers], areas=[finance])
    ShortlistEntry.objects.create(mentee=mentee, mentor_profile=mentor)
    viewers = [mentee, mentor.user, UserFactory()]

    for viewer in viewers:
        assert selectors._DIRECTORY_VIEWER.rows(user_id=viewer.pk) == list(
            selectors._directory_viewer_query(user_id=viewer.pk)
        ), viewer
    seen = selectors.directory_viewer(mentee)
    assert seen.wanted_area_ids == [cvs.pk]
    assert seen.shortlist == {mentor.pk}
    assert seen.mentee_in == {careers.pk, staff.pk}
    assert seen.mentee.department == "Finance"
