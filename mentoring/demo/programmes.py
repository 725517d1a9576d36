"""The demo's three programmes, in the words of the schemes they are modelled on (DESIGN
"Running it"): an alumni career programme where students choose a mentor and mentors are
recruited in August and March, a professional staff scheme matched centrally and outside line
management, and a one-stop advice point.

Each starts from `Programme.from_defaults` (SchemeSettings and the SCHEME_* settings) with its
own rules on top; a programme that exists already is left as its coordinators set it. The
careers programme's rounds are computed from today, so the demo's mentees may look for a mentor
whatever the year: the academic year that is running and the one before it, whose pairs have
completed.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db.models import Count
from django.utils import timezone

from accounts.models import User
from mentoring.demo.rows import copy_rows, next_ids
from mentoring.models import Month
from profiles.models import Membership, Programme, RecruitmentWindow, Round

CAREERS, STAFF, ADVICE = "careers", "staff", "advice"
SLUGS = (CAREERS, STAFF, ADVICE)

# Everyone in the demo has an address under this domain (the staff programme's eligibility):
# the demo accounts at demo.test and the generated people at mentors./mentees.demo.test.
STAFF_DOMAIN = "demo.test"

CAREERS_DESCRIPTION = """\
Our alumni volunteer their time and experience to help current students succeed beyond \
graduation. Mentors share what they know about their industry, their career and their time at \
the University; mentees steer the relationship.

Students read the mentors' profiles (job history, key areas of success, moves between countries \
or industries) and press Interested on the one best placed to help. The mentor gets an email \
and answers in the app.

We recruit mentors twice a year, in August and March, and every August we ask them to confirm \
that their profile is up to date. Students may approach mentors at any time during the \
academic year; pairs usually meet about once a month, and the programme ends with the \
summer term (pairs may agree to carry on informally).

Mentoring is volunteering: mentors are not paid, and we suggest no more than two mentees at a \
time."""

STAFF_DESCRIPTION = """\
Mentoring is a professional partnership in which an experienced colleague helps another develop \
the skills and knowledge for their professional, personal and career growth. It is a \
relationship, not a management activity: safe, non-judgemental and confidential.

The scheme is administered centrally. Mentees apply, say what they are looking for and may \
name mentors they would like; the scheme team matches them, trains the mentors, supports the \
pairs and evaluates the scheme each year.

Your mentor will always be outside your line management: never your line manager and never \
someone in your own department. Pairs agree a plan in their first meeting and usually meet \
every six to eight weeks."""

ADVICE_DESCRIPTION = """\
Have a specific question? Choose a mentor with experience in that area and meet them once \
(or more if you both wish): an interview next week, a job offer to negotiate, a decision \
between further study and work.

Mentors at the advice point are an independent source of career advice and support. Training \
is available for mentors and mentees and strongly advised, though not required, before any \
form of mentoring.

For long-term mentoring over a number of meetings, join one of our formal programmes."""


def _careers() -> dict:
    return {
        "name": "Alumni career mentoring",
        "summary": "Students choose an alumni mentor for advice on their career; mentors are "
        "recruited in August and March.",
        "description": CAREERS_DESCRIPTION,
        "audience": "Current students (mentees) and alumni of the University (mentors)",
        "position": 1,
        "matching": Programme.Matching.CHOICE,
        "rhythm": Programme.Rhythm.ROUNDS,
        "mentor_approval_required": True,
        "mentor_training_required": False,
        "default_capacity": 2,  # "we suggest you limit the number of mentees to two"
        # A student may have a second alumni mentor for another need (and so keep a request
        # waiting while one mentors them).
        "max_active_mentorships": 2,
        # An alumnus may also offer one conversation on a topic, beside their long-term places.
        "engagement_types": [Programme.Engagement.LONG_TERM, Programme.Engagement.ADVICE],
        "profile_confirmation_month": Month.AUGUST,  # "every August ... confirm your profile"
    }


def _staff() -> dict:
    return {
        "name": "Professional staff mentoring",
        "summary": "Professional and support staff are matched centrally with a mentor from "
        "outside their line management.",
        "description": STAFF_DESCRIPTION,
        "audience": "Professional and support staff of the University",
        "position": 2,
        "matching": Programme.Matching.CENTRAL,
        "rhythm": Programme.Rhythm.ALWAYS,  # "delivery schedule: continuous"
        "mentor_email_domains": [STAFF_DOMAIN],
        "mentee_email_domains": [STAFF_DOMAIN],
        "mentor_approval_required": True,
        "mentor_training_required": True,
        "outside_line_management": True,
        # "There are currently many informal mentoring relationships within the University":
        # colleagues record theirs, and get the pair space without the scheme's emails.
        "engagement_types": [Programme.Engagement.LONG_TERM, Programme.Engagement.INFORMAL],
        "max_active_mentorships": 1,
        "no_meeting_nudge_days": 60,  # "we met every two months"
    }


def _advice() -> dict:
    return {
        "name": "Advice point",
        "summary": "One conversation with a mentor who knows the area you need help with.",
        "description": ADVICE_DESCRIPTION,
        "audience": "Students and staff with a specific question",
        "position": 3,
        "matching": Programme.Matching.CHOICE,
        "rhythm": Programme.Rhythm.ALWAYS,
        # One conversation on a topic with a mentor who offers them (advice_per_month), which
        # takes none of the mentor's places and does not count as one of the mentee's mentors.
        "engagement_types": [Programme.Engagement.ADVICE],
        # A mentee picks a mentor for one topic; training is "strongly advised", not required,
        # and a mentor is called upon for one conversation: no approval step before listing.
        "mentor_approval_required": False,
        "mentor_training_required": False,
        "max_active_mentorships": 3,  # several specialists, one question each
        "mentor_places_cap": 2,
        "max_pending_requests": 5,
        # A one-off question cannot wait a fortnight for an answer.
        "request_first_reminder_days": 2,
        "request_second_reminder_days": 4,
        "request_expiry_days": 7,
        "no_meeting_nudge_days": 14,
    }


RULES = {CAREERS: _careers, STAFF: _staff, ADVICE: _advice}


def ensure_programmes(*, coordinator: User, today: date) -> dict[str, Programme]:
    """The three programmes by slug (created when missing) and the careers rounds;
    `coordinator` coordinates the staff programme and no other."""
    programmes = {}
    for slug in SLUGS:
        programme = Programme.objects.filter(slug=slug).first()
        if programme is None:
            programme = Programme.from_defaults(slug=slug, status=Programme.Status.OPEN)
            for name, value in RULES[slug]().items():
                setattr(programme, name, value)
            programme.full_clean(exclude=["invitation_token"])
            programme.save()
        programmes[slug] = programme
    programmes[STAFF].coordinators.add(coordinator)
    for slug in (CAREERS, ADVICE):
        programmes[slug].coordinators.remove(coordinator)
    ensure_rounds(programmes[CAREERS], today=today)
    return programmes


def academic_year(today: date) -> int:
    """The year the running academic year started: rounds run from August to July."""
    return today.year if today.month >= 8 else today.year - 1


def round_name(start_year: int) -> str:
    return f"{start_year}–{(start_year + 1) % 100:02d}"


def _at(day: date, hour: int = 9) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def ensure_rounds(programme: Programme, *, today: date) -> tuple[Round, Round]:
    """Last academic year's round (its term ended, its pairs completed) and this year's, whose
    mentee window is open: mentees from 1 August to 30 June, the term ending on 31 July, and
    mentors recruited in August and March. Windows already open were announced when they
    opened. In July, when this year's mentees may no longer look, next year's round is set up
    too, as a coordinator would have: mentees are told the day they can look again. Returns
    (previous, current)."""
    year = academic_year(today)
    starts = [year - 1, year]
    if today > date(year + 1, 6, 30):
        starts.append(year + 1)
    rounds = []
    for start in starts:
        existing = Round.objects.filter(programme=programme, name=round_name(start)).first()
        if existing is not None:
            rounds.append(existing)
            continue
        term_ends_on = date(start + 1, 7, 31)
        # On the term's last day the round is still running: the job completes it and its
        # pairs that day, as it would any round's.
        finished = term_ends_on < today
        pk = next_ids(Round, 1)[0]
        copy_rows(
            Round,
            [
                {
                    "id": pk,
                    "programme_id": programme.pk,
                    "name": round_name(start),
                    "mentee_opens_on": date(start, 8, 1),
                    "mentee_closes_on": date(start + 1, 6, 30),
                    "term_ends_on": term_ends_on,
                    "wrap_up_sent_at": _at(term_ends_on - timedelta(days=21)) if finished else None,
                    "completed_at": _at(term_ends_on) if finished else None,
                }
            ],
        )
        windows = [
            (date(start, 8, 1), date(start, 8, 31)),
            (date(start + 1, 3, 1), date(start + 1, 3, 31)),
        ]
        copy_rows(
            RecruitmentWindow,
            [
                {
                    "id": window_pk,
                    "round_id": pk,
                    "opens_on": opens,
                    "closes_on": closes,
                    "announced_at": _at(opens) if opens <= today else None,
                }
                for window_pk, (opens, closes) in zip(
                    next_ids(RecruitmentWindow, 2), windows, strict=True
                )
            ],
        )
        rounds.append(Round.objects.get(pk=pk))
    previous, current = rounds[:2]
    return previous, current


def current_round(programme: Programme, *, today: date) -> Round:
    return Round.objects.get(programme=programme, name=round_name(academic_year(today)))


def previous_round(programme: Programme, *, today: date) -> Round:
    return Round.objects.get(programme=programme, name=round_name(academic_year(today) - 1))


def membership_counts() -> dict[str, dict[str, int]]:
    """Per programme slug: approved mentors and mentees (for the command's summary)."""
    counts: dict[str, dict[str, int]] = {slug: {"mentor": 0, "mentee": 0} for slug in SLUGS}
    rows = (
        Membership.objects.approved()
        .filter(programme__slug__in=SLUGS)
        .values_list("programme__slug", "role")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for slug, role, n in rows:
        counts[slug][role] = n
    return counts
