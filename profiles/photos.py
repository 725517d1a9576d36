"""Mentors' photos: checked by content, cropped to a square, resized and re-encoded.

An upload is read with Pillow whatever its name says: only JPEG, PNG and WebP are accepted, at
most MAX_BYTES, and never an image so large in pixels that decoding it would exhaust memory (a
"decompression bomb"). What is stored is a new JPEG of SIZE x SIZE pixels made from the pixels
alone, so no EXIF (location, camera, date) or other metadata survives. Files go through Django's
default storage, so a deployment can keep them on S3-compatible storage (README: "Media files").
"""

from __future__ import annotations

import io
import secrets
import warnings
from typing import Any

from django import forms
from django.core.files.base import ContentFile, File
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

from profiles import cache as directory_cache

MAX_BYTES = 5 * 1024 * 1024
SIZE = 400
# Far more than any camera makes, far less than would exhaust a worker's memory.
MAX_PIXELS = 50_000_000
ALLOWED_FORMATS = {"JPEG": "JPEG", "PNG": "PNG", "WEBP": "WebP"}
UPLOAD_DIR = "mentor-photos"

TOO_BIG = _("Choose a photo smaller than 5 MB.")
WRONG_TYPE = _("Choose a JPEG, PNG or WebP photo. This file is not one of those.")
TOO_MANY_PIXELS = _("This photo is too large in pixels. Choose one under 50 megapixels.")
UNREADABLE = _("This photo could not be read. Try saving it again as a JPEG, then upload it.")


def process(upload: File) -> ContentFile:
    """A square JPEG made from `upload` (an uploaded file), or a ValidationError that says what
    to do instead."""
    if (upload.size or 0) > MAX_BYTES:
        raise forms.ValidationError(TOO_BIG, code="too_big")
    upload.seek(0)
    data = upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise forms.ValidationError(TOO_BIG, code="too_big")
    try:
        with warnings.catch_warnings():
            # Pillow warns above MAX_IMAGE_PIXELS and raises above twice it; both are refused.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image: Image.Image = Image.open(io.BytesIO(data), formats=list(ALLOWED_FORMATS))
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise forms.ValidationError(TOO_MANY_PIXELS, code="too_many_pixels")
            if image.format == "JPEG":
                # Decode at a reduced scale (1/2, 1/4 or 1/8) still at least twice the stored
                # size: a 48-megapixel phone photo then needs a sixteenth of the memory.
                image.draft("RGB", (SIZE * 2, SIZE * 2))
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise forms.ValidationError(TOO_MANY_PIXELS, code="too_many_pixels") from None
    except UnidentifiedImageError:
        raise forms.ValidationError(WRONG_TYPE, code="wrong_type") from None
    except (OSError, SyntaxError, ValueError):
        # Truncated or corrupt data in a file that started like an image.
        raise forms.ValidationError(UNREADABLE, code="unreadable") from None
    # A phone's photo is often stored sideways with an EXIF note to turn it: apply it first.
    ImageOps.exif_transpose(image, in_place=True)
    # At most one full-size conversion (palette, CMYK and the like); transparency is flattened
    # onto white after the crop and resize, at SIZE x SIZE.
    if image.mode not in ("RGB", "L", "RGBA"):
        has_alpha = "A" in image.getbands() or "transparency" in image.info
        image = image.convert("RGBA" if has_alpha else "RGB")
    square = ImageOps.fit(image, (SIZE, SIZE), Image.Resampling.LANCZOS)
    # A new image from the pixels only: nothing of the original's metadata comes with it.
    clean = Image.new("RGB", square.size, "white")
    if square.mode == "RGBA":
        clean.paste(square, mask=square.getchannel("A"))
    else:
        clean.paste(square.convert("RGB"))
    out = io.BytesIO()
    clean.save(out, "JPEG", quality=85, optimize=True, progressive=True)
    return ContentFile(out.getvalue(), name=f"{secrets.token_hex(12)}.jpg")


def clean_upload(value: Any) -> Any:
    """A form's `clean_photo`: a new upload is checked and re-encoded; the current file, or False
    (the "remove" box ticked), is returned as it is."""
    if value and isinstance(value, UploadedFile):
        return process(value)
    return value


def after_save(old_name: str, new_name: str) -> None:
    """Once a profile is saved: a replaced or removed photo's old file goes when the transaction
    commits, and the directory's cached cards refresh."""
    if old_name == new_name:
        return
    if old_name:
        transaction.on_commit(lambda: delete_file(old_name), robust=True)
    directory_cache.directory_changed()


def delete_file(name: str) -> None:
    """Remove a stored photo; a file already gone is not an error."""
    if name:
        default_storage.delete(name)


def initials(name: str) -> str:
    """Up to two initials for the circle shown when there is no photo: "Ada Lovelace" -> "AL"."""
    parts = [part for part in name.replace("-", " ").split() if part[:1].isalpha()]
    if not parts:
        return "?"
    if len(parts) == 1:
        return parts[0][0].upper()
    return (parts[0][0] + parts[-1][0]).upper()
