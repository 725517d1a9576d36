"""How quickly each mentor usually answers a request, for "Usually replies within 2 days" on
their card and page.

A nightly, set-based job (one UPDATE for every mentor) writes MentorProfile.reply_hours and
replies_counted from the mentor's answers (accepted or declined) of the last REPLY_WINDOW_DAYS:
the median time from the request to the answer. Pages only read the two columns. A mentor with
fewer than MIN_REPLIES answers in the window has no figure (one quick or slow answer says
little), and one whose answers aged out is reset.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from matching.models import Engagement, MentorshipRequest
from profiles.cache import directory_changed

REPLY_WINDOW_DAYS = 183  # about six months
MIN_REPLIES = 3

_UPDATE_SQL = """
UPDATE profiles_mentorprofile AS p
SET reply_hours = fresh.hours, replies_counted = fresh.counted
FROM (
  SELECT mp.id,
         CASE WHEN answers.counted >= %(min_replies)s THEN answers.hours END AS hours,
         LEAST(COALESCE(answers.counted, 0), 32767) AS counted
  FROM profiles_mentorprofile AS mp
  LEFT JOIN (
    SELECT r.mentor_id,
           count(*) AS counted,
           CEIL(percentile_cont(0.5) WITHIN GROUP (
             ORDER BY EXTRACT(EPOCH FROM (r.responded_at - r.created_at))
           ) / 3600)::integer AS hours
    FROM matching_mentorshiprequest AS r
    WHERE r.status IN (%(accepted)s, %(declined)s)
      AND NOT r.sent_by_mentor
      AND r.engagement <> %(informal)s
      AND r.mentor_id IS NOT NULL
      AND r.responded_at >= %(since)s
      AND r.responded_at >= r.created_at
    GROUP BY r.mentor_id
  ) AS answers ON answers.mentor_id = mp.user_id
) AS fresh
WHERE fresh.id = p.id
  AND (p.reply_hours IS DISTINCT FROM fresh.hours OR p.replies_counted <> fresh.counted)
"""


@transaction.atomic
def update_reply_times(*, now: datetime | None = None) -> int:
    """Refresh every mentor's usual reply time in one statement; returns how many changed.
    Idempotent: a second run changes nothing (and leaves the directory's cache alone)."""
    now = now or timezone.now()
    params: dict[str, Any] = {
        "min_replies": MIN_REPLIES,
        # A confirmed informal pair is no answer to a request: advice answers count.
        "informal": Engagement.INFORMAL.value,
        "accepted": MentorshipRequest.Status.ACCEPTED,
        "declined": MentorshipRequest.Status.DECLINED,
        "since": now - timedelta(days=REPLY_WINDOW_DAYS),
    }
    with connection.cursor() as cursor:
        cursor.execute(_UPDATE_SQL, params)
        changed = cursor.rowcount
    if changed:
        directory_changed()  # the cards' "Usually replies within" line
    return changed
