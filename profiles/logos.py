"""Programme logos: checked by content, then re-encoded from their pixels alone.

Like mentors' photos (profiles.photos), an upload is read with Pillow whatever its name says:
only PNG and JPEG, at most MAX_BYTES, and at most MAX_SIDE pixels a side (a logo is shown at
48 pixels high in emails and on the programme's page; a larger one only slows every email).
What is stored is a new PNG or JPEG made from the pixels, so no metadata survives, under a
random name.
"""

from __future__ import annotations

import io
import secrets
import warnings
from typing import Any

from django import forms
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from PIL import Image, UnidentifiedImageError

MAX_BYTES = 1024 * 1024
MAX_SIDE = 2000
ALLOWED_FORMATS = ["PNG", "JPEG"]

TOO_BIG = "Choose a logo smaller than 1 MB."
WRONG_TYPE = "Choose a PNG or JPEG image. This file is not one of those."
TOO_MANY_PIXELS = f"This logo is too large. Choose one at most {MAX_SIDE} pixels wide and high."
UNREADABLE = "This logo could not be read. Try saving it again as a PNG, then upload it."


def process(upload: UploadedFile) -> ContentFile:
    """The logo to store, or a ValidationError that says what to do instead."""
    if (upload.size or 0) > MAX_BYTES:
        raise forms.ValidationError(TOO_BIG, code="too_big")
    upload.seek(0)
    data = upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise forms.ValidationError(TOO_BIG, code="too_big")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image: Image.Image = Image.open(io.BytesIO(data), formats=ALLOWED_FORMATS)
            if max(image.size) > MAX_SIDE:
                raise forms.ValidationError(TOO_MANY_PIXELS, code="too_many_pixels")
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise forms.ValidationError(TOO_MANY_PIXELS, code="too_many_pixels") from None
    except UnidentifiedImageError:
        raise forms.ValidationError(WRONG_TYPE, code="wrong_type") from None
    except (OSError, SyntaxError, ValueError):
        raise forms.ValidationError(UNREADABLE, code="unreadable") from None
    out = io.BytesIO()
    if image.format == "PNG":
        clean = image.convert(
            "RGBA" if "A" in image.getbands() or "transparency" in image.info else "RGB"
        )
        clean.save(out, "PNG", optimize=True)
        extension = "png"
    else:
        image.convert("RGB").save(out, "JPEG", quality=90, optimize=True)
        extension = "jpg"
    return ContentFile(out.getvalue(), name=f"{secrets.token_hex(12)}.{extension}")


def clean_upload(value: Any) -> Any:
    """A form's `clean_logo`: a new upload is checked and re-encoded; the current file, or False
    (the "clear" box ticked), is returned as it is."""
    if value and isinstance(value, UploadedFile):
        return process(value)
    return value


def after_save(old_name: str, new_name: str) -> None:
    """Once a programme is saved: a replaced or cleared logo's old file goes when the transaction
    commits (not before: a save that rolls back still shows the old logo), as a mentor's old
    photo does (profiles.photos.after_save)."""
    if old_name and old_name != new_name:
        transaction.on_commit(lambda: default_storage.delete(old_name), robust=True)
