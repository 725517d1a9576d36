"""The scheme team sees a mentor's photo in the admin and can remove an unsuitable one (or
upload one, checked like the mentor's own); staff who may only view cannot change it."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth.models import Permission
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from profiles import cache as directory_cache
from profiles import photos
from profiles.models import MentorProfile
from tests.admin.test_programme_admin import _form_data
from tests.factories import MentorProfileFactory, UserFactory, default_programme

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (500, 300), (10, 20, 30)).save(out, "JPEG")
    return out.getvalue()


def _profile_with_photo() -> MentorProfile:
    name = default_storage.save(
        "mentor-photos/p.jpg", photos.process(SimpleUploadedFile("p.jpg", _jpeg()))
    )
    return MentorProfileFactory(photo=name)


def _url(profile: MentorProfile) -> str:
    return reverse("admin:profiles_mentorprofile_change", args=[profile.pk])


@pytest.mark.parametrize("who", ["superuser", "coordinator"])
def test_the_scheme_team_removes_an_unsuitable_photo(
    client_for, admin_user, staff_user, who, django_capture_on_commit_callbacks
):
    staff_user.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_mentorprofile", "change_mentorprofile"])
    )
    profile = _profile_with_photo()
    name = profile.photo.name
    client = client_for(admin_user if who == "superuser" else staff_user)
    page = client.get(_url(profile))
    assert page.status_code == 200
    assert name in page.content.decode()
    version = directory_cache.version()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_url(profile), {**_form_data(page), "photo-clear": "on"})

    assert response.status_code == 302, response.context["adminform"].form.errors
    assert MentorProfile.objects.get(pk=profile.pk).photo.name == ""
    assert not default_storage.exists(name)
    assert directory_cache.version() > version


def test_an_upload_in_the_admin_is_checked_and_re_encoded(client_for, admin_user):
    profile = MentorProfileFactory()
    client = client_for(admin_user)
    page = client.get(_url(profile))

    refused = client.post(
        _url(profile),
        {**_form_data(page), "photo": SimpleUploadedFile("x.jpg", b"%PDF-1.7 not a photo")},
    )
    assert refused.status_code == 200
    assert refused.context["adminform"].form.errors["photo"] == [photos.WRONG_TYPE]

    client.post(_url(profile), {**_form_data(page), "photo": SimpleUploadedFile("a.jpg", _jpeg())})
    with default_storage.open(MentorProfile.objects.get(pk=profile.pk).photo.name) as stored:
        assert Image.open(stored).size == (photos.SIZE, photos.SIZE)


def test_staff_who_may_only_view_cannot_change_the_photo(client_for):
    viewer = UserFactory(is_staff=True)
    default_programme().coordinators.add(viewer)  # so the profile is in their programmes
    viewer.user_permissions.add(Permission.objects.get(codename="view_mentorprofile"))
    profile = _profile_with_photo()
    name = profile.photo.name

    page = client_for(viewer).get(_url(profile))
    client_for(viewer).post(_url(profile), {"photo-clear": "on"})

    assert page.status_code == 200
    assert 'name="photo-clear"' not in page.content.decode()
    assert MentorProfile.objects.get(pk=profile.pk).photo.name == name
    assert default_storage.exists(name)


def test_deleting_a_profile_in_the_admin_deletes_its_photo(
    client_for, admin_user, django_capture_on_commit_callbacks
):
    profile = _profile_with_photo()
    name = profile.photo.name
    url = reverse("admin:profiles_mentorprofile_delete", args=[profile.pk])

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(admin_user).post(url, {"post": "yes"})

    assert response.status_code == 302
    assert not MentorProfile.objects.filter(pk=profile.pk).exists()
    assert not default_storage.exists(name)
