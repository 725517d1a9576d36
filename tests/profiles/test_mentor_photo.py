"""Mentors' photos: checked by content, cropped and re-encoded without metadata, initials when
there is none, gone with the account and named in the data export."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image
from PIL.PngImagePlugin import PngInfo

from accounts.privacy import delete_account, personal_data
from profiles import cache as directory_cache
from profiles import photos
from profiles.models import MentorProfile
from tests.factories import (
    ExpertiseAreaFactory,
    MentorProfileFactory,
    MentorshipFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
URL = reverse("profiles:mentor-edit")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _jpeg_with_exif(size=(800, 600)) -> bytes:
    image = Image.new("RGB", size, (200, 80, 40))
    exif = Image.Exif()
    exif[0x010F] = "Camera maker"  # Make
    exif[0x0132] = "2026:01:02 03:04:05"  # DateTime
    exif[0x8825] = {1: "N", 2: (51.0, 30.0, 0.0)}  # GPS: latitude
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    assert Image.open(io.BytesIO(out.getvalue())).getexif()  # the original carries metadata
    return out.getvalue()


def _png_with_text(size=(300, 500)) -> bytes:
    image = Image.new("RGBA", size, (10, 120, 200, 128))
    info = PngInfo()
    info.add_text("Author", "Ada Lovelace, 1 Secret Street")
    out = io.BytesIO()
    image.save(out, "PNG", pnginfo=info)
    return out.getvalue()


def _png_header_only(width: int, height: int) -> bytes:
    """A tiny file that claims `width` x `height` pixels: decoding it would need gigabytes."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IEND", b"")


def _form(area, **overrides):
    data = {
        "headline": "Finance director who moved from engineering",
        "job_title": "Finance Director",
        "organisation": "Northbridge Capital",
        "industry": "finance",
        "country": "GB",
        "key_areas": "I lead a team of 24 and set up the graduate programme.",
        "areas": [str(area.pk)],
        "formats": ["video"],
        "frequency": "monthly",
        "capacity": "2",
        "jobs-TOTAL_FORMS": "0",
        "jobs-INITIAL_FORMS": "0",
        "jobs-MIN_NUM_FORMS": "0",
        "jobs-MAX_NUM_FORMS": "15",
    }
    data.update(overrides)
    return data


def _upload(name: str, content: bytes, content_type: str = "image/jpeg"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def test_a_jpeg_is_cropped_square_resized_and_stored_without_its_exif(client_for, mentor):
    area = ExpertiseAreaFactory()

    response = client_for(mentor).post(
        URL, _form(area, photo=_upload("holiday.jpg", _jpeg_with_exif()))
    )

    assert response.status_code == 302
    profile = MentorProfile.objects.get(user=mentor)
    assert profile.photo.name.startswith("mentor-photos/")
    assert "holiday" not in profile.photo.name  # the name sent is not kept
    with default_storage.open(profile.photo.name) as stored:
        data = stored.read()
    image = Image.open(io.BytesIO(data))
    assert image.format == "JPEG"
    assert image.size == (photos.SIZE, photos.SIZE)
    assert not image.getexif()
    assert "exif" not in image.info
    assert b"Camera maker" not in data


def test_an_upload_is_cut_short_as_it_arrives_and_refused_as_too_big(client_for, mentor):
    """Nothing past the limit is kept in memory or on disk (mentoring.uploads), and the form
    still says the photo is too big."""
    kept = []
    real = photos.process

    def process(upload):
        kept.append(upload.size)
        return real(upload)

    content = _jpeg_with_exif() + b"\0" * (photos.MAX_BYTES * 2)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(photos, "process", process)
        response = client_for(mentor).post(
            URL, _form(ExpertiseAreaFactory(), photo=_upload("big.jpg", content))
        )

    assert kept == [photos.MAX_BYTES + 1]
    assert response.context["form"].errors["photo"] == [photos.TOO_BIG]


def test_a_large_jpeg_is_decoded_at_a_reduced_scale_and_stored_at_the_photo_size(monkeypatch):
    """A 6000 x 4000 photo is decoded at a quarter of its size (JPEG draft mode, so a fraction
    of the memory), then cropped and resized to SIZE x SIZE as usual."""
    out = io.BytesIO()
    Image.new("RGB", (6000, 4000), (20, 120, 60)).save(out, "JPEG", quality=60)
    decoded = []
    real_fit = photos.ImageOps.fit

    def fit(image, size, *args, **kwargs):
        decoded.append(image.size)
        return real_fit(image, size, *args, **kwargs)

    monkeypatch.setattr(photos.ImageOps, "fit", fit)

    stored = Image.open(io.BytesIO(photos.process(_upload("big.jpg", out.getvalue())).read()))

    assert decoded == [(1500, 1000)]  # draft: 1/4 scale, still at least 2 x SIZE each way
    assert stored.size == (photos.SIZE, photos.SIZE)
    assert stored.getpixel((200, 200))[1] > 100  # the photo's green, not a blank square


def test_a_png_with_transparency_and_text_is_stored_as_a_plain_jpeg(client_for, mentor):
    area = ExpertiseAreaFactory()

    client_for(mentor).post(
        URL, _form(area, photo=_upload("me.png", _png_with_text(), "image/png"))
    )

    profile = MentorProfile.objects.get(user=mentor)
    with default_storage.open(profile.photo.name) as stored:
        data = stored.read()
    image = Image.open(io.BytesIO(data))
    assert (image.format, image.mode, image.size) == ("JPEG", "RGB", (400, 400))
    assert b"Secret Street" not in data
    assert not image.getexif()


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("big.jpg", b"\xff\xd8\xff" + b"\0" * (5 * 1024 * 1024), photos.TOO_BIG),
        ("cv.jpg", b"%PDF-1.7\n1 0 obj << /Type /Catalog >>\nendobj\n", photos.WRONG_TYPE),
        ("script.jpg", b"<script>alert(1)</script>", photos.WRONG_TYPE),
        ("bomb.png", _png_header_only(30_000, 30_000), photos.TOO_MANY_PIXELS),
        ("huge.png", _png_header_only(8_000, 8_000), photos.TOO_MANY_PIXELS),
        ("cut.jpg", _jpeg_with_exif()[:600], photos.UNREADABLE),
    ],
    ids=["over-5-MB", "pdf-named-jpg", "text-named-jpg", "decompression-bomb", "64-MP", "cut"],
)
def test_a_bad_photo_gets_an_error_next_to_the_field_and_the_rest_is_kept(
    client_for, mentor, name, content, expected
):
    area = ExpertiseAreaFactory()

    response = client_for(mentor).post(URL, _form(area, photo=_upload(name, content)))

    assert response.status_code == 200
    assert response.context["form"].errors["photo"] == [expected]
    body = response.content.decode()
    assert 'id="id_photo_error"' in body
    assert "Northbridge Capital" in body  # what was typed is shown again
    assert not MentorProfile.objects.filter(user=mentor).exists()


def test_a_gif_is_refused_whatever_its_name(client_for, mentor):
    out = io.BytesIO()
    Image.new("RGB", (50, 50)).save(out, "GIF")

    response = client_for(mentor).post(
        URL, _form(ExpertiseAreaFactory(), photo=_upload("me.jpg", out.getvalue()))
    )

    assert response.context["form"].errors["photo"] == [photos.WRONG_TYPE]


def test_a_new_photo_replaces_the_old_file_and_removing_it_deletes_it(
    client_for, mentor, django_capture_on_commit_callbacks
):
    area = ExpertiseAreaFactory()
    client = client_for(mentor)
    client.post(URL, _form(area, photo=_upload("a.jpg", _jpeg_with_exif())))
    first = MentorProfile.objects.get(user=mentor).photo.name

    version = directory_cache.version()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(URL, _form(area, photo=_upload("b.jpg", _jpeg_with_exif((600, 900)))))
    second = MentorProfile.objects.get(user=mentor).photo.name

    assert second != first
    assert default_storage.exists(second)
    assert not default_storage.exists(first)
    assert directory_cache.version() > version  # the directory's cards show the new one

    with django_capture_on_commit_callbacks(execute=True):
        client.post(URL, _form(area, **{"photo-clear": "on"}))

    assert MentorProfile.objects.get(user=mentor).photo.name == ""
    assert not default_storage.exists(second)


def test_saving_without_a_new_photo_keeps_the_photo(client_for, mentor):
    area = ExpertiseAreaFactory()
    client = client_for(mentor)
    client.post(URL, _form(area, photo=_upload("a.jpg", _jpeg_with_exif())))
    name = MentorProfile.objects.get(user=mentor).photo.name

    client.post(URL, _form(area, headline="A new headline"))

    profile = MentorProfile.objects.get(user=mentor)
    assert (profile.headline, profile.photo.name) == ("A new headline", name)
    assert default_storage.exists(name)


def test_the_form_shows_the_photo_with_alt_text_and_a_way_to_remove_it(client_for, mentor):
    client = client_for(mentor)
    client.post(URL, _form(ExpertiseAreaFactory(), photo=_upload("a.jpg", _jpeg_with_exif())))

    body = client.get(URL).content.decode()

    assert 'enctype="multipart/form-data"' in body
    assert f'alt="Photo of {mentor.full_name}"' in body
    assert "Remove my photo" in body


def _stored_photo() -> str:
    return default_storage.save(
        "mentor-photos/test.jpg", photos.process(_upload("a.jpg", _jpeg_with_exif()))
    )


def test_cards_and_the_mentor_page_show_the_photo_or_the_initials(client_for, mentee):
    with_photo = MentorProfileFactory(user__full_name="Grace Hopper", photo=_stored_photo())
    without = MentorProfileFactory(user__full_name="Alan Mathison Turing")
    client = client_for(mentee)

    directory = client.get(reverse("profiles:directory")).content.decode()
    page = client.get(reverse("matching:mentor-detail", args=[without.pk])).content.decode()
    photo_page = client.get(reverse("matching:mentor-detail", args=[with_photo.pk]))

    # The name is beside the photo on cards and as the page heading: alt="" (not read twice).
    assert f'src="{with_photo.photo.url}" alt=""' in directory
    assert 'avatar-initials" aria-hidden="true">AT</span>' in directory
    assert 'avatar-initials" aria-hidden="true">AT</span>' in page
    assert f'src="{with_photo.photo.url}" alt=""' in photo_page.content.decode()
    assert "Photo of Grace Hopper" not in directory + photo_page.content.decode()


def test_the_photo_is_served_in_development(client, settings):
    name = _stored_photo()
    settings.DEBUG = True

    response = client.get(default_storage.url(name))

    assert response.status_code == 200
    assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"


def test_initials():
    assert photos.initials("Ada Lovelace") == "AL"
    assert photos.initials("Alan Mathison Turing") == "AT"
    assert photos.initials("Cher") == "C"
    assert photos.initials("Jean-Luc Picard") == "JP"
    assert photos.initials("  ") == "?"


def test_deleting_the_account_deletes_the_photo_and_the_export_names_it(
    django_capture_on_commit_callbacks,
):
    profile = MentorProfileFactory(photo=_stored_photo())
    name = profile.photo.name

    exported = personal_data(profile.user)["Mentor profile"][0]["Photo"]
    assert exported == default_storage.url(name)

    with django_capture_on_commit_callbacks(execute=True):
        delete_account(profile.user)

    assert not default_storage.exists(name)
    assert not MentorProfile.objects.filter(pk=profile.pk).exists()


def test_the_pair_page_header_shows_the_mentor_photo_and_the_mentee_initials(client_for):
    profile = MentorProfileFactory(user__full_name="Grace Hopper", photo=_stored_photo())
    pair = MentorshipFactory(mentor=profile.user, mentee=UserFactory(full_name="Ada King Lovelace"))
    url = reverse("sessions_log:mentorship-detail", args=[pair.pk])

    as_mentee = client_for(pair.mentee).get(url).content.decode()
    as_mentor = client_for(pair.mentor).get(url).content.decode()

    assert f'src="{profile.photo.url}" alt=""' in as_mentee  # the name heading is beside it
    assert 'avatar-initials" aria-hidden="true">AL</span>' in as_mentor
