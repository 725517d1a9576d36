"""Scores for central matching: which of a programme's mentors suit each mentee, best first,
each with the reasons a coordinator reads ("why").

Hard rules leave a mentor out altogether (never suggested): the mentee themself; a mentor with
no free place (their capacity across programmes, or the programme's own cap on places); the
mentee's line manager or a colleague where the programme keeps mentors outside line management
(profiles.rules); and a mentor already in an active pair with the mentee.

The rest are scored; the weights are points added up (higher is better):

- Shared areas: AREA_WEIGHT (3) each. The areas are what the mentee ticked as wanting help
  with and the mentor as offering: the clearest stated fit, so each counts most.
- Goals text: GOALS_WEIGHT (40) times the Postgres ts_rank of the mentee's goals (any of their
  words, stemmed) against the mentor's search document (profiles.search: name, headline, role
  weighted A; areas and help offered B; organisation, history, key areas, industry, place C;
  languages D), capped at GOALS_CAP (6). A goal written in the mentee's own words ("NHS
  management") is more specific than a ticked area, so a strong match (the goal's words in the
  mentor's headline or role: ts_rank about 0.34, 14 points before the cap) outweighs one shared
  area, while a passing mention in their history (C weight: about 2.4 points) does not; the cap
  (two areas' worth) stops a long goals text from drowning everything else.
- Industry: INDUSTRY_WEIGHT (1.5) when the mentee's goals or role name the mentor's industry
  or sector (mentee profiles record no industry of their own): a sector named by the mentee is
  a real preference, but weaker than the goals match that usually already covers it.
- Meeting format: FORMAT_WEIGHT (1) when the mentor offers a format the mentee prefers;
  FORMAT_MISS (-1) when the mentee stated preferences and the mentor offers none of them
  (a practical obstacle, but pairs do adapt, so not a hard rule).
- Language: LANGUAGE_WEIGHT (1.5) when the mentee uses the site in Welsh and the mentor can
  mentor in Welsh, or the mentee's text names a language the mentor lists.
- Location: LOCATION_WEIGHT (1) when the mentee's text names the mentor's city (mentee profiles
  record no place, so this is what the mentee said): meeting in person becomes possible.
- Free places: PLACE_WEIGHT (0.25) per free place, up to PLACES_COUNTED (3): a little, so that
  among equals the mentor with more room is suggested first and the load spreads.
- History: a past pair between them that did not end badly (any ending but the one below) adds
  HISTORY_GOOD (0.5) and says so; one that ended as "not a good fit" or was rated 1 or 2 takes
  HISTORY_BAD (-5) (a coordinator can still choose them, but not by default). A mentor who has
  mentored in this programme before gets EXPERIENCE_WEIGHT (0.5): they know its ways.

Every mentee and mentor of a batch is scored in a fixed number of queries (whatever their
number): the goals text is ranked for all pairs in one SQL statement (an unnest of the mentees
joined with the mentors).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.text import get_text_list
from django.utils.translation import ngettext

from accounts.models import User
from matching import services
from matching.models import Mentorship
from profiles import rules
from profiles.models import (
    ExpertiseArea,
    Industry,
    MeetingFormat,
    MenteeProfile,
    MentorProfile,
    Programme,
)
from profiles.search import SEARCH_CONFIG

AREA_WEIGHT = 3.0
GOALS_WEIGHT = 40.0
GOALS_CAP = 6.0
INDUSTRY_WEIGHT = 1.5
FORMAT_WEIGHT = 1.0
FORMAT_MISS = -1.0
LANGUAGE_WEIGHT = 1.5
LOCATION_WEIGHT = 1.0
PLACE_WEIGHT = 0.25
PLACES_COUNTED = 3
HISTORY_GOOD = 0.5
HISTORY_BAD = -5.0
EXPERIENCE_WEIGHT = 0.5
GOAL_WORDS_SHOWN = 5

WELSH_NAMES = {"welsh", "cymraeg"}
_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class Suggestion:
    """One mentor for one mentee: the score orders suggestions; the reasons say why."""

    mentor: MentorProfile
    score: float
    reasons: list[str] = field(default_factory=list)
    # Reasons that count against the pair (shown apart, e.g. a pair that went badly).
    warnings: list[str] = field(default_factory=list)
    shared_areas: list[str] = field(default_factory=list)


def candidates(programme: Programme) -> QuerySet[MentorProfile]:
    """Mentors approved and visible in `programme`, not away today, with a free place (their
    places counted across programmes, and under the programme's own cap: services.free_places
    reads the `here` annotated)."""
    qs = (
        MentorProfile.objects.listed()
        .in_programme(programme)
        .exclude(away_until__gt=timezone.localdate())
        .select_related("user")
        .defer("search_vector")
    )
    return services.with_free_places_in(programme, qs)


CANDIDATES_READ = 2000  # mentors with a free place read for one batch


def _words(text: str) -> set[str]:
    return {w.lower() for w in _WORD.findall(text or "")}


_GOALS_SQL = """
WITH mentee(user_id, goals) AS (
  SELECT * FROM unnest(%(mentee_ids)s::bigint[], %(goals)s::text[])
),
q AS (
  SELECT user_id,
         replace(plainto_tsquery(%(config)s::regconfig, goals)::text, ' & ', ' | ') AS query
  FROM mentee
),
word AS (
  SELECT m.user_id, t.w, min(t.n) AS n, plainto_tsquery(%(config)s::regconfig, t.w) AS query
  FROM mentee AS m,
       regexp_split_to_table(m.goals, '[^[:alnum:]]+') WITH ORDINALITY AS t(w, n)
  WHERE t.w <> ''
  GROUP BY m.user_id, t.w
),
word_q AS (SELECT * FROM word WHERE numnode(query) > 0)
SELECT q.user_id, mp.id,
       ts_rank(mp.search_vector, q.query::tsquery) AS rank,
       ARRAY(SELECT w.w FROM word_q AS w
             WHERE w.user_id = q.user_id AND mp.search_vector @@ w.query ORDER BY w.n) AS words
FROM q
JOIN profiles_mentorprofile AS mp ON mp.id = ANY(%(mentor_ids)s::bigint[])
WHERE q.query <> '' AND mp.search_vector @@ q.query::tsquery
"""


def _goal_matches(
    mentees: list[MenteeProfile], mentors: list[MentorProfile]
) -> dict[tuple[int, int], tuple[float, list[str]]]:
    """(mentee user id, mentor profile id) -> (ts_rank of the goals, the goal words found):
    one statement for every pair of the batch."""
    with_goals = [m for m in mentees if (m.goals or "").strip()]
    if not with_goals or not mentors:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(
            _GOALS_SQL,
            {
                "mentee_ids": [m.user_id for m in with_goals],
                "goals": [m.goals for m in with_goals],
                "mentor_ids": [m.pk for m in mentors],
                "config": SEARCH_CONFIG,
            },
        )
        return {(row[0], row[1]): (float(row[2]), list(row[3])) for row in cursor.fetchall()}


def _history(
    programme: Programme, mentee_ids: list[int], mentor_user_ids: list[int]
) -> tuple[dict[tuple[int, int], list[Mentorship]], set[tuple[int, int]], set[int]]:
    """Past pairs between these mentees and mentors (any programme), the active ones, and the
    mentors who have mentored in `programme` before (a pair there that is no longer active)."""
    pairs: dict[tuple[int, int], list[Mentorship]] = defaultdict(list)
    active: set[tuple[int, int]] = set()
    for pair in Mentorship.objects.filter(mentee__in=mentee_ids, mentor__in=mentor_user_ids).only(
        "mentee_id", "mentor_id", "status", "end_reason", "feedback_rating"
    ):
        if pair.mentee_id is None or pair.mentor_id is None:
            continue
        if pair.status == Mentorship.Status.ACTIVE:
            active.add((pair.mentee_id, pair.mentor_id))
        else:
            pairs[(pair.mentee_id, pair.mentor_id)].append(pair)
    experienced = set(
        Mentorship.objects.filter(programme=programme, mentor__in=mentor_user_ids)
        .exclude(status=Mentorship.Status.ACTIVE)
        .values_list("mentor", flat=True)
        .distinct()
    )
    return pairs, active, experienced


def _wanted_areas(mentee_profiles: list[MenteeProfile]) -> dict[int, set[int]]:
    """Each mentee profile's areas: the prefetched ones where the caller prefetched them (the
    applicants queue does), else one query for all."""
    wanted: dict[int, set[int]] = defaultdict(set)
    others = []
    for profile in mentee_profiles:
        if "areas" in getattr(profile, "_prefetched_objects_cache", {}):
            wanted[profile.pk] = {a.pk for a in profile.areas.all()}
        else:
            others.append(profile.pk)
    if others:
        for profile_id, area_id in MenteeProfile.areas.through.objects.filter(
            menteeprofile__in=others
        ).values_list("menteeprofile", "expertisearea"):
            wanted[profile_id].add(area_id)
    return wanted


def _languages(mentee_profiles: list[MenteeProfile]) -> dict[int, str]:
    """Each mentee's language on the site: from their user where the caller loaded it, else
    one query for all."""
    loaded = {
        m.user_id: m.user.language for m in mentee_profiles if MenteeProfile.user.is_cached(m)
    }
    missing = [m.user_id for m in mentee_profiles if m.user_id not in loaded]
    if missing:
        loaded.update(User.objects.filter(pk__in=missing).values_list("pk", "language"))
    return loaded


def _is_bad(pair: Mentorship) -> bool:
    return pair.end_reason == Mentorship.EndReason.NOT_A_FIT or (
        pair.feedback_rating is not None and pair.feedback_rating <= 2
    )


def _industry_named(mentor: MentorProfile, mentee_words: set[str]) -> bool:
    """Whether the mentee's words name the mentor's industry (a word of four letters or more
    of its label, e.g. "finance" for "Banking and finance")."""
    if not mentor.industry or mentor.industry == Industry.OTHER:
        return False
    label = str(dict(Industry.choices).get(mentor.industry, ""))
    keys = {w for w in _words(label) if len(w) >= 4}
    return bool(keys & mentee_words)


def _mentor_languages(mentor: MentorProfile) -> list[str]:
    return [part.strip() for part in re.split(r"[,;/]| and ", mentor.languages) if part.strip()]


@dataclass
class _Batch:
    """What the criteria read, loaded once for a whole batch of mentees and mentors."""

    area_names: dict[int, str]
    wanted: dict[int, set[int]]
    languages: dict[int, str]
    history: dict[tuple[int, int], list[Mentorship]]
    experienced: set[int]
    goals: dict[tuple[int, int], tuple[float, list[str]]]
    format_labels: Mapping[str, object]  # the choices' labels (lazy translations)


@dataclass
class _Pair:
    """One mentee with one mentor while the criteria score it."""

    mentee: MenteeProfile
    mentor: MentorProfile
    mentee_words: set[str]
    free: int
    score: float = 0.0
    reasons: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    shared: list[str] = field(default_factory=list)

    def add(self, points: float, reason: str = "", warning: str = "") -> None:
        self.score += points
        if reason:
            self.reasons.append(reason)
        if warning:
            self.warnings.append(warning)


def _areas(pair: _Pair, batch: _Batch) -> None:
    shared = [
        batch.area_names[i]
        for i in sorted(pair.mentor.area_ids)
        if i in batch.wanted[pair.mentee.pk] and batch.area_names.get(i)
    ]
    pair.shared = shared
    if shared:
        pair.add(
            AREA_WEIGHT * len(shared),
            ngettext("Shares %(n)d area: %(areas)s", "Shares %(n)d areas: %(areas)s", len(shared))
            % {"n": len(shared), "areas": ", ".join(shared)},
        )


def _goals(pair: _Pair, batch: _Batch) -> None:
    rank, goal_words = batch.goals.get((pair.mentee.user_id, pair.mentor.pk), (0.0, []))
    if rank > 0:
        pair.add(
            min(GOALS_WEIGHT * rank, GOALS_CAP),
            "The mentee's goals match the profile: " + " ".join(goal_words[:GOAL_WORDS_SHOWN]),
        )


def _industry(pair: _Pair, batch: _Batch) -> None:
    if _industry_named(pair.mentor, pair.mentee_words):
        pair.add(
            INDUSTRY_WEIGHT,
            f"Works in the industry the mentee names: {pair.mentor.get_industry_display()}",
        )


def _format(pair: _Pair, batch: _Batch) -> None:
    preferred = [f for f in pair.mentee.preferred_formats if f in batch.format_labels]
    offered = [f for f in preferred if f in pair.mentor.formats]
    if offered:
        labels = [str(batch.format_labels[f]).lower() for f in offered]
        pair.add(FORMAT_WEIGHT, f"Offers {get_text_list(labels, 'and')}, which the mentee prefers")
    elif preferred and pair.mentor.formats:
        labels = [str(batch.format_labels[f]).lower() for f in preferred]
        pair.add(
            FORMAT_MISS,
            warning=f"Offers none of the formats the mentee prefers ({', '.join(labels)})",
        )


def _language(pair: _Pair, batch: _Batch) -> None:
    spoken = _mentor_languages(pair.mentor)
    if (
        batch.languages.get(pair.mentee.user_id) == "cy"
        and {s.lower() for s in spoken} & WELSH_NAMES
    ):
        pair.add(LANGUAGE_WEIGHT, "Speaks Welsh, the mentee's language on the site")
        return
    named = [s for s in spoken if s.lower() in pair.mentee_words and s.lower() != "english"]
    if named:
        pair.add(LANGUAGE_WEIGHT, f"Speaks {', '.join(named)}, which the mentee mentions")


def _location(pair: _Pair, batch: _Batch) -> None:
    city = _words(pair.mentor.city)
    if city and city <= pair.mentee_words:
        pair.add(LOCATION_WEIGHT, f"Based in {pair.mentor.city}, which the mentee mentions")


def _places(pair: _Pair, batch: _Batch) -> None:
    pair.add(
        PLACE_WEIGHT * min(pair.free, PLACES_COUNTED),
        ngettext("%(n)d free place", "%(n)d free places", pair.free) % {"n": pair.free},
    )


def _past_pairs(pair: _Pair, batch: _Batch) -> None:
    past = batch.history.get((pair.mentee.user_id, pair.mentor.user_id), [])
    if any(_is_bad(p) for p in past):
        pair.add(HISTORY_BAD, warning="Was this mentee's mentor before, and it did not go well")
    elif past:
        pair.add(HISTORY_GOOD, "Was this mentee's mentor before")
    elif pair.mentor.user_id in batch.experienced:
        pair.add(EXPERIENCE_WEIGHT, "Has mentored in this programme before")


# Each criterion adds its points and says why (the module's docstring gives the weights), in
# the order the reasons are shown.
CRITERIA = (_areas, _goals, _industry, _format, _language, _location, _places, _past_pairs)


def score_candidates(
    programme: Programme,
    mentee_profiles: list[MenteeProfile],
    mentors: list[MentorProfile] | None = None,
) -> dict[int, list[Suggestion]]:
    """Each mentee's user id -> the eligible mentors for them in `programme`, best first (ties:
    the most recently confirmed profile first). `mentors` None: the programme's candidates
    (candidates()). A fixed number of queries for any number of mentees and mentors."""
    if mentors is None:
        mentors = list(
            candidates(programme).order_by(F("confirmed_at").desc(nulls_last=True), "pk")[
                :CANDIDATES_READ
            ]
        )
    result: dict[int, list[Suggestion]] = {m.user_id: [] for m in mentee_profiles}
    if not mentee_profiles or not mentors:
        return result
    mentee_ids = [m.user_id for m in mentee_profiles]
    mentor_user_ids = [m.user_id for m in mentors]
    history, active, experienced = _history(programme, mentee_ids, mentor_user_ids)
    batch = _Batch(
        area_names=dict(ExpertiseArea.objects.values_list("pk", "name")),
        wanted=_wanted_areas(mentee_profiles),
        languages=_languages(mentee_profiles),
        history=history,
        experienced=experienced,
        goals=_goal_matches(mentee_profiles, mentors),
        format_labels=dict(MeetingFormat.choices),
    )
    here = services.pairs_here(programme, mentor_user_ids)
    confirmed_order = {m.pk: i for i, m in enumerate(mentors)}
    for mentee in mentee_profiles:
        mentee_words = _words(" ".join([mentee.goals, mentee.role, mentee.introduction]))
        ranked: list[tuple[float, int, Suggestion]] = []
        for mentor in mentors:
            free = services.free_places(programme, mentor, here.get(mentor.user_id, 0))
            if (
                mentor.user_id == mentee.user_id
                or free <= 0
                or (mentee.user_id, mentor.user_id) in active
                or rules.line_management_refusal(programme, mentee, mentor)
            ):
                continue  # the hard rules: never suggested
            pair = _Pair(mentee=mentee, mentor=mentor, mentee_words=mentee_words, free=free)
            for criterion in CRITERIA:
                criterion(pair, batch)
            suggestion = Suggestion(
                mentor=mentor,
                score=round(pair.score, 3),
                reasons=pair.reasons,
                warnings=pair.warnings,
                shared_areas=pair.shared,
            )
            ranked.append((-suggestion.score, confirmed_order[mentor.pk], suggestion))
        ranked.sort(key=lambda item: (item[0], item[1]))
        result[mentee.user_id] = [item[2] for item in ranked]
    return result
