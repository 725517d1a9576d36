"""The mentor directory's full-text search document, kept in MentorProfile.search_vector,
with the other columns the directory reads without joins (`is_listed`, `area_ids`, and
`programme_ids`: the programmes whose directory lists the mentor, from their memberships).

Weights: A the person, headline and role; B the areas they help with; C their organisation,
history, key areas, industry and where they are (city and the country's English name, so
"Spain" finds the mentors the Country filter finds); D the languages they speak. One set-based UPDATE
refreshes any number of profiles (signals call it for one, seed_demo for all).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable

from django.db import connection
from django.utils import timezone, translation
from django_countries import countries

from profiles import cache as directory_cache
from profiles.models import Industry

SEARCH_CONFIG = "english"

_UPDATE_SQL = """
UPDATE profiles_mentorprofile AS p SET
  is_listed = (p.review_status = 'approved' AND p.is_active AND d.user_active
               AND (p.away_until IS NULL OR p.away_until <= %(today)s)),
  area_ids = COALESCE(d.area_ids, '{{}}'),
  programme_ids = COALESCE(d.programme_ids, '{{}}'),
  search_vector =
      setweight(to_tsvector(%(config)s, concat_ws(' ', d.full_name, p.headline, p.job_title)), 'A')
   || setweight(to_tsvector(%(config)s, concat_ws(' ', d.area_names, p.help_offered)), 'B')
   || setweight(to_tsvector(%(config)s, concat_ws(' ', p.organisation, p.department, p.course,
                                                  p.key_areas, p.moves_experience, d.jobs,
                                                  %(industries)s::jsonb ->> p.industry,
                                                  p.city, %(countries)s::jsonb ->> p.country)), 'C')
   || setweight(to_tsvector(%(config)s, coalesce(p.languages, '')), 'D')
FROM (
  SELECT mp.id, u.full_name, u.is_active AS user_active, areas.ids AS area_ids, areas.names AS area_names, jobs.text AS jobs,
         programmes.ids AS programme_ids
  FROM profiles_mentorprofile AS mp
  JOIN accounts_user AS u ON u.id = mp.user_id
  LEFT JOIN LATERAL (
    SELECT array_agg(a.id ORDER BY a.id) AS ids, string_agg(a.name, ' ') AS names
    FROM profiles_mentorprofile_areas AS pa
    JOIN profiles_expertisearea AS a ON a.id = pa.expertisearea_id
    WHERE pa.mentorprofile_id = mp.id
  ) AS areas ON TRUE
  LEFT JOIN LATERAL (
    SELECT string_agg(concat_ws(' ', j.title, j.organisation, j.description), ' ') AS text
    FROM profiles_jobhistoryentry AS j
    WHERE j.profile_id = mp.id
  ) AS jobs ON TRUE
  LEFT JOIN LATERAL (
    SELECT array_agg(m.programme_id ORDER BY m.programme_id) AS ids
    FROM profiles_membership AS m
    WHERE m.user_id = mp.user_id AND m.role = 'mentor' AND m.status = 'approved'
  ) AS programmes ON TRUE
  {where}
) AS d
WHERE d.id = p.id
"""


@functools.cache
def country_names() -> dict[str, str]:
    """Every country code and its English name (the search document and the directory's
    "matched on" line read the same names)."""
    with translation.override("en"):
        return {code: str(name) for code, name in countries}


@functools.cache
def industry_labels() -> dict[str, str]:
    """Every industry and its English label (the labels are translated for the pages; the
    search document stays English, like the country names)."""
    with translation.override("en"):
        return {value: str(label) for value, label in Industry.choices}


def update_search_documents(profile_ids: Iterable[int] | None = None) -> int:
    """Refresh the search document and area ids of the given profiles (all when None)."""
    # A mentor away until a date is unlisted until then (the return job relists them).
    params: dict = {
        "config": SEARCH_CONFIG,
        "today": timezone.localdate(),
        "countries": json.dumps(country_names()),
        "industries": json.dumps(industry_labels()),
    }
    where = ""
    if profile_ids is not None:
        params["ids"] = list(profile_ids)
        if not params["ids"]:
            return 0
        where = "WHERE mp.id = ANY(%(ids)s)"
    sql = _UPDATE_SQL.format(where=where)
    directory_cache.bump()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount
