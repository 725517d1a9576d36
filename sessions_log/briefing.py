"""The briefing pinned on the pair's page: what the mentee hopes to achieve (their profile's
goals and introduction) and the message and topic they first wrote when they pressed
Interested. Only the two of them see it (the page is theirs alone)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import F, OuterRef, Subquery

from matching.models import Mentorship
from profiles.models import MenteeProfile


@dataclass
class Briefing:
    goals: str = ""
    introduction: str = ""
    message: str = ""
    topic: str = ""
    sent_at: datetime | None = None

    def __bool__(self) -> bool:
        return bool(self.goals or self.introduction or self.message or self.topic)


def briefing_for(mentorship: Mentorship) -> dict:
    """`briefing` for the pair's page, in one query (the profile's text as subqueries)."""
    profile = MenteeProfile.objects.filter(user_id=OuterRef("mentee_id"))
    row: Mapping[str, Any] = (
        Mentorship.objects.filter(pk=mentorship.pk)
        .values(
            goals=Subquery(profile.values("goals")[:1]),
            introduction=Subquery(profile.values("introduction")[:1]),
            message=F("request__message"),
            topic=F("request__topic"),
            sent_at=F("request__created_at"),
            by_mentor=F("request__sent_by_mentor"),
        )
        .first()
    ) or {}
    # An informal pair recorded by the mentor: the message is theirs, not the mentee's.
    by_mentee = not row.get("by_mentor")
    return {
        "briefing": Briefing(
            goals=row.get("goals") or "",
            introduction=row.get("introduction") or "",
            message=(row.get("message") or "") if by_mentee else "",
            topic=row.get("topic") or "",
            sent_at=row.get("sent_at") if by_mentee else None,
        )
    }
