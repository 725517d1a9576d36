"""Profiles' part of a person's data export and of deleting their account (accounts.privacy)."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver
from django.utils.translation import gettext, gettext_noop

from accounts.models import User
from accounts.privacy import collect_personal_data, erasing_account
from profiles import cache as directory_cache
from profiles.models import (
    Membership,
    MenteeProfile,
    MentorProfile,
    ShortlistEntry,
    TrainingRecord,
)


def _mentor_rows(profile: MentorProfile | None) -> list[dict[str, Any]]:
    if profile is None:
        return []
    return [
        {
            gettext_noop("Photo"): profile.photo.url if profile.photo else "",
            gettext_noop("Headline"): profile.headline,
            gettext_noop("Current job title"): profile.job_title,
            gettext_noop("Organisation"): profile.organisation,
            gettext_noop("Industry or sector"): profile.get_industry_display(),
            gettext_noop("Department"): profile.department,
            gettext_noop("City"): profile.city,
            gettext_noop("Country"): profile.country.name if profile.country else "",
            gettext_noop("Languages"): profile.languages,
            gettext_noop("Course studied"): profile.course,
            gettext_noop("Graduation year"): profile.graduation_year,
            gettext_noop("Key areas of success and responsibility"): profile.key_areas,
            gettext_noop("Experience of moving country or industry"): profile.moves_experience,
            gettext_noop("Areas I can help with"): [a.name for a in profile.areas.all()],
            gettext_noop("Anything else I can help with"): profile.help_offered,
            gettext_noop("Meeting formats offered"): profile.get_format_labels(),
            gettext_noop("How often I can meet"): profile.get_frequency_display(),
            gettext_noop("Mentees at a time"): profile.capacity,
            gettext_noop("One-off advice conversations a month"): profile.advice_per_month,
            gettext_noop("Requests waiting for my answer at most"): profile.waiting_cap,
            gettext_noop("Away until"): profile.away_until,
            gettext_noop("Note for mentees while I am away"): profile.away_note,
            gettext_noop("Visible to mentees"): profile.is_active,
            gettext_noop("Review"): profile.get_review_status_display(),
            gettext_noop("Message from the scheme team"): profile.review_note,
            gettext_noop("Submitted"): profile.submitted_at,
            gettext_noop("Approved"): profile.approved_at,
            gettext_noop("Confirmed up to date"): profile.confirmed_at,
            gettext_noop("Training completed"): profile.training_completed_on,
            gettext_noop("Created"): profile.created_at,
            gettext_noop("Last changed"): profile.updated_at,
        }
    ]


def _mentee_rows(profile: MenteeProfile | None) -> list[dict[str, Any]]:
    if profile is None:
        return []
    return [
        {
            gettext_noop("Course, department or role"): profile.role,
            gettext_noop("Stage"): profile.stage,
            gettext_noop("What I hope to achieve"): profile.goals,
            gettext_noop("Areas I want help with"): [a.name for a in profile.areas.all()],
            gettext_noop("Formats I prefer"): profile.get_format_labels(),
            gettext_noop("A short introduction"): profile.introduction,
            gettext_noop("Department"): profile.department,
            gettext_noop("Line manager's email address"): profile.line_manager_email,
            gettext_noop("Created"): profile.created_at,
            gettext_noop("Last changed"): profile.updated_at,
        }
    ]


@receiver(collect_personal_data, dispatch_uid="profiles-personal-data")
def personal_data(sender, *, user: User, **kwargs) -> dict[str, list[dict[str, Any]]]:
    mentor = MentorProfile.objects.filter(user=user).prefetch_related("areas", "jobs").first()
    mentee = MenteeProfile.objects.filter(user=user).prefetch_related("areas").first()
    return {
        gettext_noop("Mentor profile"): _mentor_rows(mentor),
        gettext_noop("Job history"): [
            {
                gettext_noop("Job title"): job.title,
                gettext_noop("Organisation"): job.organisation,
                gettext_noop("Years"): job.years,
                gettext_noop("Description"): job.description,
            }
            for job in (mentor.jobs.all() if mentor else [])
        ],
        gettext_noop("Mentee profile"): _mentee_rows(mentee),
        gettext_noop("Programmes"): [
            {
                gettext_noop("Programme"): m.programme.name,
                gettext_noop("As"): m.get_role_display(),
                gettext_noop("Status"): m.get_status_display(),
                gettext_noop("Joined"): m.joined_at,
                gettext_noop("Approved"): m.approved_at,
                gettext_noop("Left"): m.left_at,
                gettext_noop("What I am looking for in a mentor"): m.application,
                gettext_noop("Applied to be matched"): m.applied_at,
            }
            for m in Membership.objects.filter(user=user).select_related("programme")
        ],
        # Training the person completed (they marked it, or a coordinator recorded it).
        gettext_noop("Training"): [
            {
                gettext_noop("Training"): record.training.name,
                gettext_noop("Programme"): record.training.programme.name,
                gettext_noop("Completed"): record.completed_on,
                gettext_noop("Valid until"): record.expires_on,
                gettext_noop("Recorded by"): gettext("You")
                if record.recorded_by_id in (None, user.pk)
                else gettext("The scheme team"),
                gettext_noop("Recorded"): record.recorded_at,
            }
            for record in TrainingRecord.objects.filter(user=user)
            .select_related("training__programme")
            .order_by("completed_on", "pk")
        ],
        # The mentee's own shortlist (the mentors on it never see it, in theirs or anywhere).
        gettext_noop("Shortlist"): [
            {
                gettext_noop("Mentor"): entry.mentor_profile.user.full_name,
                gettext_noop("Saved"): entry.created_at,
            }
            for entry in ShortlistEntry.objects.filter(mentee=user).select_related(
                "mentor_profile__user"
            )
        ],
    }


@receiver(erasing_account, dispatch_uid="profiles-erase-account")
def erase_profiles(sender, *, user: User, **kwargs) -> None:
    """The person's profiles (and job history) go; a listed mentor leaves the directory. Their
    photo's file goes once the deletion is committed (profiles.signals.profile_deleted)."""
    deleted, _ = MentorProfile.objects.filter(user=user).delete()
    MenteeProfile.objects.filter(user=user).delete()
    # Memberships go with the account: the programmes' reports count pairs, not members.
    Membership.objects.filter(user=user).delete()
    if deleted:
        directory_cache.bump()
