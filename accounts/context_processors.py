"""The signed-in person for templates."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import LazyObject, empty


def user(request: HttpRequest) -> dict:
    """`user` as the person's own object, after Django's auth context processor (which still
    gives `perms`, and which the admin requires): Django gives `request.user`'s lazy stand-in,
    whose every attribute read goes through a proxy, and a page reads `user` hundreds of times
    (each message of a conversation is compared with it). Every page draws the header, which
    asks whether the person is signed in, so this reads nothing the page would not."""
    person = getattr(request, "user", None)
    if person is None:
        return {}
    if isinstance(person, LazyObject):
        # LazyObject's own attributes (Django's, private): evaluate it, then take what it holds.
        if person._wrapped is empty:
            person._setup()
        person = person._wrapped
    return {"user": person}
