"""A mentor's places taken (`mentee_count`) change only through three profiles services."""

from __future__ import annotations

import pytest

from matching.models import Mentorship
from profiles import cache as directory_cache
from profiles.models import MentorProfile
from profiles.services import free_place, recount_places, take_place
from tests.factories import MentorProfileFactory, MentorshipFactory
from tests.support import places_taken
from tests.writers import writers_of

pytestmark = pytest.mark.django_db


def test_taking_a_place_counts_one_more_and_refreshes_the_directory():
    profile = MentorProfileFactory()
    before = directory_cache.version()

    take_place(profile)

    assert places_taken(profile) == 1
    assert directory_cache.version() > before  # "1 place left" on the card


def test_freeing_a_place_counts_one_fewer_and_refreshes_the_directory():
    profile = MentorProfileFactory()
    take_place(profile)
    before = directory_cache.version()

    free_place(profile)

    assert places_taken(profile) == 0
    assert directory_cache.version() > before


def test_recount_sets_each_count_from_the_active_pairs_given():
    profile = MentorProfileFactory(capacity=3)
    MentorshipFactory(mentor=profile.user)
    MentorshipFactory(mentor=profile.user)
    MentorshipFactory(mentor=profile.user, ended=True)
    # As a bulk loader leaves it: the rows are in, the count is not.
    MentorProfile.objects.filter(pk=profile.pk).update(mentee_count=0)

    changed = recount_places(Mentorship.objects.active())

    assert (changed, places_taken(profile)) == (1, 2)


def test_recount_leaves_mentors_without_a_pair_in_the_query_alone():
    paired, other = MentorProfileFactory(), MentorProfileFactory()
    MentorshipFactory(mentor=paired.user)
    MentorshipFactory(mentor=other.user)

    changed = recount_places(Mentorship.objects.active().filter(mentor=paired.user))

    assert (changed, places_taken(paired), places_taken(other)) == (0, 1, 1)


def test_the_factory_takes_the_place_through_the_service():
    profile = MentorProfileFactory()
    before = directory_cache.version()

    MentorshipFactory(mentor=profile.user)

    assert places_taken(profile) == 1
    assert directory_cache.version() > before


def test_only_the_place_services_change_menteeplaces_taken():
    # Not the matching services, the demo seeder, the factories, the admin or a view.
    assert writers_of("mentee_count") == [
        "profiles.services:free_place",
        "profiles.services:recount_places",
        "profiles.services:take_place",
    ]
