"""Keep each mentor's search document current whatever changed it (forms, admin, shell)."""

from __future__ import annotations

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import Signal, receiver

from accounts.models import User
from profiles import cache as directory_cache
from profiles import handbook, photos
from profiles.context_processors import refresh_visible_programme_count
from profiles.models import (
    ExpertiseArea,
    HandbookPage,
    JobHistoryEntry,
    Membership,
    MentorProfile,
    Programme,
)
from profiles.search import update_search_documents

# Sent by services.leave_programme inside its transaction with `membership` (now left): matching
# closes the person's waiting requests in that programme.
membership_left = Signal()
# Sent by services.set_active inside its transaction with `profile` (now hidden): matching closes
# the requests waiting for the mentor's answer.
mentor_hidden = Signal()


@receiver(post_save, sender=MentorProfile)
def profile_saved(sender, instance: MentorProfile, raw: bool = False, **kwargs):
    if not raw:
        update_search_documents([instance.pk])


@receiver(post_delete, sender=MentorProfile)
def profile_deleted(sender, instance: MentorProfile, **kwargs):
    """A deleted profile's photo file goes too (whoever deleted it: the account, the admin)."""
    if instance.photo.name:
        name = instance.photo.name
        transaction.on_commit(lambda: photos.delete_file(name), robust=True)


@receiver(m2m_changed, sender=MentorProfile.areas.through)
def profile_areas_changed(sender, instance, action: str, reverse: bool, pk_set, **kwargs):
    if action not in {"post_add", "post_remove", "post_clear"}:
        return
    if reverse:  # an area's mentors changed
        ids = list(pk_set) if pk_set is not None else None
        if ids is None:
            return
        update_search_documents(ids)
    else:
        update_search_documents([instance.pk])


@receiver([post_save, post_delete], sender=JobHistoryEntry)
def job_changed(sender, instance: JobHistoryEntry, raw: bool = False, **kwargs):
    if not raw:
        update_search_documents([instance.profile_id])


@receiver(post_save, sender=ExpertiseArea)
def area_saved(sender, instance: ExpertiseArea, created: bool, raw: bool = False, **kwargs):
    if not raw and not created:
        update_search_documents(instance.mentor_profiles.values_list("pk", flat=True))


@receiver(post_delete, sender=ExpertiseArea)
def area_deleted(sender, instance: ExpertiseArea, **kwargs):
    # The through rows are gone already; refresh every profile that still lists the id.
    update_search_documents(
        MentorProfile.objects.filter(area_ids__contains=[instance.pk]).values_list("pk", flat=True)
    )


@receiver(post_save, sender=User)
def user_saved(sender, instance: User, raw: bool = False, update_fields=None, **kwargs):
    if raw or (update_fields is not None and not {"full_name", "is_active"} & set(update_fields)):
        return
    update_search_documents(
        MentorProfile.objects.filter(user=instance).values_list("pk", flat=True)
    )


@receiver([post_save, post_delete], sender=Membership)
def membership_changed(sender, instance: Membership, raw: bool = False, **kwargs):
    if not raw and instance.role == Membership.Role.MENTOR:
        update_search_documents(
            MentorProfile.objects.filter(user=instance.user_id).values_list("pk", flat=True)
        )


@receiver([post_save, post_delete], sender=Programme)
def programme_changed(sender, instance: Programme, raw: bool = False, **kwargs):
    # The header's "Programmes" link depends on how many are visible: count now (this
    # transaction's view) and again once committed.
    if not raw:
        refresh_visible_programme_count()
        transaction.on_commit(refresh_visible_programme_count, robust=True)
        # The cached directory shows what the programme allows (the advice badge and filter).
        directory_cache.directory_changed()


@receiver([post_save, post_delete], sender=HandbookPage)
def handbook_page_changed(sender, instance: HandbookPage, **kwargs):
    """Pages link a programme's handbook pages from the cache (profiles.handbook.pages_at): any
    page saved or deleted, however (admin, shell, a fixture, its programme deleted), bumps it."""
    handbook.handbook_changed()
