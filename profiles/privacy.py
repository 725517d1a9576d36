"""Profiles' part of a person's data export and of deleting their account (accounts.privacy)."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

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
            "Photo": profile.photo.url if profile.photo else "",
            "Headline": profile.headline,
            "Current job title": profile.job_title,
            "Organisation": profile.organisation,
            "Industry or sector": profile.get_industry_display(),
            "Department": profile.department,
            "City": profile.city,
            "Country": profile.country.name if profile.country else "",
            "Languages": profile.languages,
            "Course studied": profile.course,
            "Graduation year": profile.graduation_year,
            "Key areas of success and responsibility": profile.key_areas,
            "Experience of moving country or industry": profile.moves_experience,
            "Areas I can help with": [a.name for a in profile.areas.all()],
            "Anything else I can help with": profile.help_offered,
            "Meeting formats offered": profile.get_format_labels(),
            "How often I can meet": profile.get_frequency_display(),
            "Mentees at a time": profile.capacity,
            "One-off advice conversations a month": profile.advice_per_month,
            "Requests waiting for my answer at most": profile.waiting_cap,
            "Away until": profile.away_until,
            "Note for mentees while I am away": profile.away_note,
            "Visible to mentees": profile.is_active,
            "Review": profile.get_review_status_display(),
            "Message from the scheme team": profile.review_note,
            "Submitted": profile.submitted_at,
            "Approved": profile.approved_at,
            "Confirmed up to date": profile.confirmed_at,
            "Training completed": profile.training_completed_on,
            "Created": profile.created_at,
            "Last changed": profile.updated_at,
        }
    ]


def _mentee_rows(profile: MenteeProfile | None) -> list[dict[str, Any]]:
    if profile is None:
        return []
    return [
        {
            "Course, department or role": profile.role,
            "Stage": profile.stage,
            "What I hope to achieve": profile.goals,
            "Areas I want help with": [a.name for a in profile.areas.all()],
            "Formats I prefer": profile.get_format_labels(),
            "A short introduction": profile.introduction,
            "Department": profile.department,
            "Line manager's email address": profile.line_manager_email,
            "Created": profile.created_at,
            "Last changed": profile.updated_at,
        }
    ]


@receiver(collect_personal_data, dispatch_uid="profiles-personal-data")
def personal_data(sender, *, user: User, **kwargs) -> dict[str, list[dict[str, Any]]]:
    mentor = MentorProfile.objects.filter(user=user).prefetch_related("areas", "jobs").first()
    mentee = MenteeProfile.objects.filter(user=user).prefetch_related("areas").first()
    return {
        "Mentor profile": _mentor_rows(mentor),
        "Job history": [
            {
                "Job title": job.title,
                "Organisation": job.organisation,
                "Years": job.years,
                "Description": job.description,
            }
            for job in (mentor.jobs.all() if mentor else [])
        ],
        "Mentee profile": _mentee_rows(mentee),
        "Programmes": [
            {
                "Programme": m.programme.name,
                "As": m.get_role_display(),
                "Status": m.get_status_display(),
                "Joined": m.joined_at,
                "Approved": m.approved_at,
                "Left": m.left_at,
                "What I am looking for in a mentor": m.application,
                "Applied to be matched": m.applied_at,
            }
            for m in Membership.objects.filter(user=user).select_related("programme")
        ],
        # Training the person completed (they marked it, or a coordinator recorded it).
        "Training": [
            {
                "Training": record.training.name,
                "Programme": record.training.programme.name,
                "Completed": record.completed_on,
                "Valid until": record.expires_on,
                "Recorded by": "You"
                if record.recorded_by_id in (None, user.pk)
                else "The scheme team",
                "Recorded": record.recorded_at,
            }
            for record in TrainingRecord.objects.filter(user=user)
            .select_related("training__programme")
            .order_by("completed_on", "pk")
        ],
        # The mentee's own shortlist (the mentors on it never see it, in theirs or anywhere).
        "Shortlist": [
            {"Mentor": entry.mentor_profile.user.full_name, "Saved": entry.created_at}
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
