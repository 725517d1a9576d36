"""A mentee's shortlist: saved from the mentor's page or a directory card (a plain form, no
JavaScript), listed at /mentors/shortlist/ with each mentor's availability, and never told to
the mentor."""

import json

import pytest
from django.core.cache import cache
from django.urls import reverse

from mentoring.models import Outbox
from profiles.models import ShortlistEntry
from tests.factories import (
    MenteeProfileFactory,
    MentorProfileFactory,
    MentorshipFactory,
    ProgrammeFactory,
    UserFactory,
)
from tests.support import count_queries, messages_of, text_of

pytestmark = pytest.mark.django_db
LIST = reverse("profiles:shortlist")
DIRECTORY = reverse("profiles:directory")


def _save(pk):
    return reverse("profiles:shortlist-save", args=[pk])


def _remove(pk):
    return reverse("profiles:shortlist-remove", args=[pk])


def _page(pk):
    return reverse("matching:mentor-detail", args=[pk])


@pytest.fixture
def daniel(db):
    return MentorProfileFactory(user__full_name="Daniel Mentor", capacity=2)


@pytest.fixture
def maya(client_for, db):
    return client_for(MenteeProfileFactory(user__full_name="Maya Mentee").user)


# Who may see and change it


@pytest.mark.parametrize("method,url", [("get", LIST), ("post", "save"), ("post", "remove")])
def test_anonymous_is_sent_to_sign_in(client, daniel, method, url):
    target = {"save": _save(daniel.pk), "remove": _remove(daniel.pk)}.get(url, url)

    response = getattr(client, method)(target)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert not ShortlistEntry.objects.exists()


def test_someone_without_a_mentee_profile_is_told_how_to_start_one(client_for, daniel):
    response = client_for(UserFactory()).get(LIST)

    assert response.status_code == 200
    assert "create your mentee profile first" in text_of(response)
    assert reverse("profiles:mentee-edit") in text_of(response)


def test_someone_without_a_mentee_profile_cannot_save(client_for, daniel):
    response = client_for(UserFactory()).post(_save(daniel.pk))

    assert response.status_code == 404
    assert not ShortlistEntry.objects.exists()


def test_a_mentor_of_another_programme_cannot_be_saved(maya):
    elsewhere = MentorProfileFactory(programmes=[ProgrammeFactory(name="Elsewhere")])

    assert maya.post(_save(elsewhere.pk)).status_code == 404
    assert not ShortlistEntry.objects.exists()


def test_a_hidden_mentor_cannot_be_saved(maya):
    hidden = MentorProfileFactory(is_active=False)

    assert maya.post(_save(hidden.pk)).status_code == 404


def test_nobody_saves_themselves(client_for):
    both = MentorProfileFactory()
    MenteeProfileFactory(user=both.user)

    assert client_for(both.user).post(_save(both.pk)).status_code == 404


def test_saving_and_listing_needs_post(maya, daniel):
    assert maya.get(_save(daniel.pk)).status_code == 405
    assert maya.get(_remove(daniel.pk)).status_code == 405


def test_one_mentee_never_sees_nor_changes_anothers_shortlist(client_for, maya, daniel):
    maya.post(_save(daniel.pk))
    other = client_for(MenteeProfileFactory(user__full_name="Omar Other").user)

    assert "Daniel Mentor" not in text_of(other.get(LIST))
    other.post(_remove(daniel.pk))  # removes nothing of Maya's

    assert ShortlistEntry.objects.count() == 1
    assert "Daniel Mentor" in text_of(maya.get(LIST))


# Saving, listing, removing


def test_saving_from_the_mentor_page_puts_them_on_the_list(maya, daniel):
    page = text_of(maya.get(_page(daniel.pk)))
    assert "Save to my shortlist" in page

    response = maya.post(_save(daniel.pk), {"next": _page(daniel.pk)})

    assert response.status_code == 302
    assert response["Location"] == _page(daniel.pk)
    assert "Daniel Mentor is on your shortlist" in messages_of(response)[0]
    assert "Saved" in text_of(maya.get(_page(daniel.pk)))
    listing = text_of(maya.get(LIST))
    assert "Daniel Mentor" in listing
    assert "2 places left" in listing


def test_a_double_submit_keeps_one_entry(maya, daniel):
    maya.post(_save(daniel.pk))
    maya.post(_save(daniel.pk))

    assert ShortlistEntry.objects.count() == 1
    maya.post(_remove(daniel.pk))
    response = maya.post(_remove(daniel.pk))
    assert response.status_code == 302
    assert not ShortlistEntry.objects.exists()


def test_an_outside_next_address_is_ignored(maya, daniel):
    response = maya.post(_save(daniel.pk), {"next": "https://evil.example/"})

    assert response["Location"] == _page(daniel.pk)


def test_removing_from_the_list(maya, daniel):
    maya.post(_save(daniel.pk))

    response = maya.post(_remove(daniel.pk), follow=True)

    assert response.redirect_chain[-1][0] == LIST
    assert "Nothing saved yet" in text_of(response)
    assert not ShortlistEntry.objects.exists()


def test_the_list_shows_current_availability(client_for, maya, daniel):
    full = MentorProfileFactory(user__full_name="Full Finn", capacity=1)
    gone = MentorProfileFactory(user__full_name="Gone Gill")
    for profile in (daniel, full, gone):
        maya.post(_save(profile.pk))
    MentorshipFactory(mentor=full.user)
    client_for(gone.user).post(reverse("profiles:mentor-active"), {"active": "0"})

    listing = text_of(maya.get(LIST))

    assert "2 places left" in listing
    assert "Full at the moment" in listing
    assert "Not taking requests at the moment" in listing
    # No link to a page they can no longer see.
    assert f'href="{_page(gone.pk)}"' not in listing
    assert f'href="{_page(daniel.pk)}"' in listing


def test_the_list_makes_the_same_queries_for_any_number_of_mentors(maya):
    maya.post(_save(MentorProfileFactory().pk))
    few = count_queries(maya, LIST)
    for profile in MentorProfileFactory.create_batch(8):
        maya.post(_save(profile.pk))

    assert count_queries(maya, LIST) == few


# The directory's shared cache


def test_the_card_button_is_this_viewers_and_never_in_the_shared_cache(client_for, maya, daniel):
    other = client_for(MenteeProfileFactory().user)
    assert "Save to my shortlist" in text_of(maya.get(DIRECTORY))

    maya.post(_save(daniel.pk), {"next": DIRECTORY})

    assert "Saved" in text_of(maya.get(DIRECTORY))
    others_page = text_of(other.get(DIRECTORY))
    assert "Save to my shortlist" in others_page
    assert "Saved<" not in others_page
    # The tests' cache is local memory: read back every rendered directory it holds.
    cached = [cache.get(k.split(":", 2)[2]) for k in list(cache._cache) if ":directory:" in k]
    assert cached
    for html in cached:
        assert f"<!--shortlist:{daniel.pk}-->" in html
        assert "csrfmiddlewaretoken" not in html
        assert "Save to my shortlist" not in html


def test_people_without_a_shortlist_get_no_button_on_cards(client_for, daniel):
    html = text_of(client_for(UserFactory(is_staff=True, is_superuser=True)).get(DIRECTORY))

    assert "Daniel Mentor" in html
    assert "Save to my shortlist" not in html
    assert "<!--shortlist:" not in html


def test_the_card_button_works_without_javascript(maya, daniel):
    html = text_of(maya.get(DIRECTORY))

    assert f'action="{_save(daniel.pk)}"' in html
    assert f'<input type="hidden" name="next" value="{DIRECTORY}">' in html


# The mentor is never told


def test_the_mentor_is_never_told(client_for, maya, daniel):
    maya.post(_save(daniel.pk))

    assert not Outbox.objects.exists()
    mentor = client_for(daniel.user)
    for url in (
        _page(daniel.pk),
        reverse("profiles:mentor-edit"),
        reverse("matching:request-list"),
    ):
        assert "Maya Mentee" not in text_of(mentor.get(url))
    export = mentor.get(reverse("accounts:personal-data"), {"format": "json"}).content.decode()
    assert "Maya Mentee" not in export
    assert json.loads(export)["Shortlist"] == []


def test_the_mentees_data_export_includes_the_shortlist(maya, daniel):
    maya.post(_save(daniel.pk))

    data = json.loads(maya.get(reverse("accounts:personal-data"), {"format": "json"}).content)

    assert [row["Mentor"] for row in data["Shortlist"]] == ["Daniel Mentor"]
