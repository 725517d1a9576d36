"""A person's photo, or their initials in a circle when they have none (profiles.photos)."""

from __future__ import annotations

from typing import Any

from django import template
from django.db.models.fields.files import FieldFile

from accounts.models import User
from profiles import photos
from profiles.models import MentorProfile

register = template.Library()

SIZES = {"sm": 48, "md": 64, "lg": 96}


@register.inclusion_tag("includes/avatar.html")
def avatar(
    name: str, photo: FieldFile | None = None, size: str = "md", described: bool = False
) -> dict[str, Any]:
    """`photo`: a MentorProfile.photo (empty or None for initials); `size`: sm, md or lg;
    `described`: alt text naming the person, only where their name is not beside the photo."""
    return {
        "name": name,
        "described": described,
        "photo": photo or None,
        "size": size if size in SIZES else "md",
        "pixels": SIZES.get(size, SIZES["md"]),
        "initials": photos.initials(name or ""),
    }


@register.simple_tag
def mentor_photo(user: User | None) -> FieldFile | None:
    """The person's mentor photo (one query), or None: for pages that show one person."""
    if user is None or getattr(user, "pk", None) is None:
        return None
    name = MentorProfile.objects.filter(user=user).values_list("photo", flat=True).first()
    if not name:
        return None
    # A file of no particular instance: its URL comes from the storage alone.
    return FieldFile(None, MentorProfile._meta.get_field("photo"), name)  # type: ignore[arg-type]
