"""The signed-in person's row from the cache, so a signed-in request runs no query for it.

Django's AuthenticationMiddleware reads the user's row on every request. Here the row is kept
in the cache beside a version of it; every save or delete of a user bumps the version (now, and
again once committed, so a row read before the commit never outlives it), and an entry is used
only when it was made under the current version. A change of name, of active or staff status or
of password is therefore seen by the very next request: a deactivated person is signed out at
once, and a changed password still ends the other sessions (Django checks the session's hash
against the row, which is fresh).

Every write to a user row must reach `user_changed`: saves and deletes do through the signals
(accounts.apps); a `QuerySet.update()` or raw SQL on users must call it itself. While Redis is
down every request reads the database. A bump dropped during an outage leaves an old entry that
Redis may still hold when it comes back; entries last USER_CACHE_SECONDS at most, which bounds
it. The version starts from the clock, so a version lost from the cache (evicted, cleared) never
comes back as one an old entry was made under.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.conf import settings
from django.contrib.auth import (
    BACKEND_SESSION_KEY,
    HASH_SESSION_KEY,
    _get_user_session_key,
    get_user_model,
    load_backend,
)
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.db import transaction
from django.utils.crypto import constant_time_compare
from django.utils.functional import SimpleLazyObject

logger = logging.getLogger(__name__)


def _version_key(user_id: Any) -> str:
    return f"user-version:{user_id}"


def _entry_key(user_id: Any) -> str:
    return f"user:{user_id}"


def user_changed(user_id: Any) -> None:
    """Forget the cached row of this user: now, and again once the change is committed."""
    _bump(user_id)
    transaction.on_commit(lambda: _bump(user_id), robust=True)


def on_user_saved_or_deleted(sender, instance, **kwargs) -> None:
    """post_save / post_delete of the user model."""
    if instance.pk is not None:
        user_changed(instance.pk)


def _bump(user_id: Any) -> None:
    key = _version_key(user_id)
    try:
        cache.incr(key)
    except ValueError:  # no version yet, or it was evicted
        try:
            cache.set(key, time.time_ns(), None)
        except Exception:  # noqa: BLE001 - entries expire within USER_CACHE_SECONDS
            logger.warning("Could not bump a user's cache version", exc_info=True)
    except Exception:  # noqa: BLE001 - Redis is down: entries expire within USER_CACHE_SECONDS
        logger.warning("Could not bump a user's cache version", exc_info=True)


def _load_user(backend: Any, user_id: Any) -> Any:
    """backend.get_user(user_id), with the row from the cache when it is current. Only for
    backends that read the row as ModelBackend does; any other is asked directly."""
    if not isinstance(backend, ModelBackend) or type(backend).get_user is not ModelBackend.get_user:
        return backend.get_user(user_id)
    user = cached_row(user_id)
    if user is None:
        return None
    return user if backend.user_can_authenticate(user) else None


def cached_row(user_id: Any) -> Any:
    """The user's row (a new instance each time), from the cache when the entry was made under
    the current version, else from the database, then cached; None if there is no such user."""
    version_key, entry_key = _version_key(user_id), _entry_key(user_id)
    try:
        found = cache.get_many([version_key, entry_key])
    except Exception:  # noqa: BLE001 - the database has the row
        found = {}
    version, entry = found.get(version_key), found.get(entry_key)
    if version is not None and entry is not None and entry[0] == version:
        return entry[1]
    if version is None:
        # A version of our own, set before the row is read; if another request or a change set
        # one first, this request does not cache.
        fresh = time.time_ns()
        try:
            version = fresh if cache.add(version_key, fresh, None) else None
        except Exception:  # noqa: BLE001
            version = None
    user = _read_row(user_id)
    if user is not None and version is not None:
        try:
            # Made under the version read before the row: a change committed since has bumped
            # it, and this entry is never used.
            cache.set(entry_key, (version, user), settings.USER_CACHE_SECONDS)
        except Exception:  # noqa: BLE001 - the next request reads the database again
            pass
    return user


def _read_row(user_id: Any) -> Any:
    model = get_user_model()
    try:
        return model._default_manager.get(pk=user_id)
    except model.DoesNotExist:
        return None


def get_user(request) -> Any:
    """django.contrib.auth.get_user (Django 6.1), the row read through `_load_user`: the session
    checks (its backend, its auth hash, the fallback secrets) are Django's, unchanged."""
    user = None
    try:
        user_id = _get_user_session_key(request)
        backend_path = request.session[BACKEND_SESSION_KEY]
    except KeyError:
        pass
    else:
        if backend_path in settings.AUTHENTICATION_BACKENDS:
            backend = load_backend(backend_path)
            user = _load_user(backend, user_id)
            # Verify the session
            if hasattr(user, "get_session_auth_hash"):
                session_hash = request.session.get(HASH_SESSION_KEY)
                if not session_hash:
                    session_hash_verified = False
                else:
                    session_auth_hash = user.get_session_auth_hash()
                    session_hash_verified = constant_time_compare(session_hash, session_auth_hash)
                if not session_hash_verified:
                    # A hash made with one of the fallback secrets is renewed; any other
                    # ends the session.
                    if session_hash and any(
                        constant_time_compare(session_hash, fallback_auth_hash)
                        for fallback_auth_hash in user.get_session_auth_fallback_hash()
                    ):
                        request.session.cycle_key()
                        request.session[HASH_SESSION_KEY] = session_auth_hash
                    else:
                        request.session.flush()
                        user = None
    return user or AnonymousUser()


def _cached_get_user(request) -> Any:
    if not hasattr(request, "_cached_user"):
        request._cached_user = get_user(request)
    return request._cached_user


class CachedUserAuthenticationMiddleware(AuthenticationMiddleware):
    """Django's AuthenticationMiddleware, the user's row read from the cache when current."""

    def process_request(self, request):
        super().process_request(request)
        request.user = SimpleLazyObject(lambda: _cached_get_user(request))
