"""The demo programmes' mentoring agreement, suggested objectives, training and handbook pages,
in the words of the schemes they are modelled on (the Birmingham alumni career programme's
FAQ and "mentoring relationship" page, the Birkbeck professional staff scheme, and the
Southampton page on the types of mentoring: training "strongly advised prior to entering into
any form of mentoring relationship", for mentors and mentees).

Idempotent: a programme's agreement and objectives are written only while blank, its training
and pages only when missing (by name and by address), so what its coordinators changed stays.
Mentors approved in a programme that requires training get their record of it (from the date
on their profile, or just before their approval): nobody approved is left untrained.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import Q

from mentoring.demo.programmes import ADVICE, CAREERS, STAFF
from profiles.models import HandbookPage, Membership, Programme, Training, TrainingRecord
from profiles.training import audiences_for, expiry_for

AGREEMENTS = {
    CAREERS: """\
We agree to be in touch about once a month, by the means we both prefer, and to let each other \
know early if that has to change. The mentee arranges our meetings and comes prepared with \
questions; the mentor shares their experience honestly, knowing they may not have all the \
answers.

What we discuss stays between us, unless one of us is at risk of harm. We treat each other with \
trust and respect: no question is ever a "stupid question".

Either of us may end the mentoring at any time: we will say so courteously, so that nobody is \
left waiting. The programme runs until the end of the summer term; after that, we may agree to \
keep in touch informally.""",
    STAFF: """\
Our mentoring is a relationship, not a management activity: safe, non-judgemental and \
confidential. The mentor is outside the mentee's line management and will not report on our \
conversations to anyone.

In our first meeting we agree a mentoring plan: the structure, goals and outcomes we are \
working towards, how often we meet (usually every six to eight weeks) and when we review \
progress.

The mentor offers advice and recommendations but never pressures the mentee to act against \
their judgement. Either of us may end the mentoring after talking it through; we will give the \
scheme team our feedback when it ends.""",
    ADVICE: """\
We meet once, on the topic the mentee asked about (or more if we both wish). The mentor is an \
independent source of career advice and support; the decisions stay the mentee's. What we \
discuss stays between us.""",
}

STARTER_OBJECTIVES = {
    CAREERS: """\
Find out what a first graduate role in my chosen sector involves
Prepare for applications, assessment centres and interviews
Build my professional network and confidence in networking
Understand how to negotiate a salary or a job offer""",
    STAFF: """\
Increase my job knowledge in an area of my work
Develop a professional skill (presenting, managing a project, leading a team)
Build a network across departments
Prepare for a next role, such as team leader""",
    ADVICE: """\
Prepare for a specific interview
Decide between further study and work""",
}

# (name, description, url, audience, required, valid_months)
TRAININGS = {
    CAREERS: [
        (
            "Mentoring essentials e-learning",
            "A 45-minute online module for alumni mentors: the role of a mentor, setting "
            "expectations in your first correspondence, listening and asking good questions, "
            "and ending a mentoring relationship well.",
            "https://example.org/careers/mentoring-essentials",
            Training.Audience.MENTORS,
            True,
            36,
        ),
        (
            "Mentee briefing",
            "How the programme works, reflecting on your aims before approaching a mentor, "
            "and writing a request a mentor can say yes to.",
            "",
            Training.Audience.MENTEES,
            False,
            None,
        ),
    ],
    STAFF: [
        (
            "Mentor briefing (90 minutes)",
            "Run by the scheme team for new mentors, and every two years as a refresher: "
            "what mentoring is and is not, confidentiality, agreeing a mentoring plan, and "
            "where to turn for support.",
            "",
            Training.Audience.MENTORS,
            True,
            24,
        ),
        (
            "Mentee orientation",
            "An hour on making the most of the scheme: setting objectives for your first "
            "meeting and steering the relationship.",
            "",
            Training.Audience.MENTEES,
            False,
            None,
        ),
    ],
    ADVICE: [
        (
            "Introduction to mentoring",
            "Training is available for both mentors and mentees and is strongly advised "
            "before any form of mentoring: it gives you both a shared understanding of the "
            "mentoring process.",
            "",
            Training.Audience.BOTH,
            False,
            None,
        ),
    ],
}

M = HandbookPage.Moment

# (slug, title, moment, body)
PAGES = {
    CAREERS: [
        (
            "ways-you-can-help",
            "Ways you can help",
            M.REQUEST,
            """\
Mentees will look to you for advice and guidance in many areas. Some of the ways alumni mentors \
help:

- **Insight into an industry**: what the work is really like, and how people get in.
- **Moving sector or country**: what you learnt when you did it yourself.
- **A first graduate job**: applications, assessment centres and interviews.
- **Networking and negotiating**: how to approach people, and how to discuss a salary.
- **Starting something**: a business plan, or a portfolio career.

## What makes a good mentor

A good mentor is honest and supportive, and willing to offer constructive criticism. Some \
mentees have not worked in the professional world before: your guidance is welcome, and \
they should never worry about asking a "stupid question".

> Mentors may not have all the answers, and that is fine: say what you know, and who might \
know more.""",
        ),
        (
            "being-a-mentee",
            "Being a mentee",
            M.START,
            """\
A successful mentoring relationship is two-way learning, **steered by you**.

- **Be proactive**: you arrange the meetings, know what you hope to achieve, and keep your \
mentor informed about how things are going.
- **Manage your time**: keep on top of your emails and arrive on time. If this is something \
you are working on, tell your mentor early.
- **Be prepared**: your mentor has a lot to share, but it is up to you to ask effective \
questions.

Your mentor is giving up their time to support you: being timely shows respect for that.""",
        ),
        (
            "your-first-meeting",
            "Your first meeting",
            M.FIRST_MEETING,
            """\
## Before you meet

Read each other's profiles again. Mentee: write down two or three things you would like help \
with.

## In the meeting

1. Set expectations on both sides: how much time you each have, and how you will keep in touch.
2. Agree how often you will meet: about **once a month** suits most pairs.
3. Agree your objectives: what you want to achieve, and what success looks like. Add them to \
your shared space.

It may be that after your first meeting one of you feels it is not the right fit. That is \
fine: see [Ending well](../ending-well/).""",
        ),
        (
            "ending-well",
            "Ending well",
            M.ENDING,
            """\
## When you have achieved your objectives

Discuss next steps together. You may agree to stay in touch, or feel the relationship has come \
to a natural end. Be honest, and thank your mentor for their support: it frees their time for \
a new mentee.

## When the chemistry does not work

Not everybody finds the right mentor straight away. Say so respectfully and courteously, so \
that your mentor is not left chasing you, and approach another mentor.

## When circumstances change

Mentors: let your mentee know as soon as possible if you cannot continue, and hide your \
profile until you can mentor again.""",
        ),
    ],
    STAFF: [
        (
            "what-mentoring-is",
            "What mentoring is (and is not)",
            M.ANYTIME,
            """\
Mentoring is a professional partnership in which an experienced colleague helps another \
develop the skills and knowledge for their professional, personal and career growth.

- It is a **relationship**, not a management activity.
- It is **outside line management**: your mentor is never your line manager or in your \
department.
- It is **safe, non-judgemental and confidential**.

Both mentor and mentee gain from it: mentors tell us they "learnt a lot from our \
conversations".""",
        ),
        (
            "ways-you-can-help",
            "Ways you can help",
            M.START,
            """\
As a mentor you might:

- build the confidence of a capable colleague;
- help them find strategies to overcome a work issue;
- help them rethink their career path;
- share disappointments as well as successes.

Give advice and recommendations, but never press your mentee to do anything against their \
judgement. Listen first.""",
        ),
        (
            "your-first-meeting",
            "Your first meeting: the mentoring plan",
            M.FIRST_MEETING,
            """\
The pair decides the structure, goals and outcomes of its mentoring: **the mentoring plan**. \
In your first meeting, agree:

1. the objectives you will work on (job knowledge, a professional skill, a network, a next \
role);
2. how often you will meet: many pairs meet every two months;
3. when you will review progress on those objectives.

Write the objectives in your shared space, so you can both follow them.""",
        ),
        (
            "ending-well",
            "Ending well",
            M.ENDING,
            """\
In your last meeting, look back at your mentoring plan together:

- which objectives you achieved, and what moved on the others;
- what the mentee will do next, on their own;
- whether you will keep in touch: some pairs carry on meeting after the scheme has finished, \
and that is for the two of you to agree.

The scheme team evaluates the scheme every year: please answer the short check-in, so the \
next pairs benefit from what you learnt.""",
        ),
    ],
    ADVICE: [
        (
            "preparing-your-question",
            "Preparing your question",
            M.REQUEST,
            """\
The advice point is for a **specific need**: choose a mentor with experience in that area, and \
meet them once (or more, if you both wish).

In your request, say:

- the topic, in a sentence;
- what you have tried or found out already;
- what would make the conversation worthwhile for you.""",
        ),
        (
            "your-conversation",
            "Your conversation",
            M.FIRST_MEETING,
            """\
Your mentor is an independent source of career advice and support. The conversation is about \
**your** thinking:

> "The Mentor's perspective is an important ingredient in this special relationship. But it \
feeds. It is not the feast." (Kline, 2009)

Bring your question, take notes, and agree any next step before you finish.""",
        ),
        (
            "after-the-conversation",
            "After the conversation",
            M.ENDING,
            """\
Tell your mentor what you decided: mentors like to know. Answer the two feedback questions so \
the advice point can improve.

If you would like support over a number of meetings, join one of our long-term programmes.""",
        ),
    ],
}


def ensure_guidance(programmes: dict[str, Programme], *, today: date) -> None:
    """Agreement, objectives, training and handbook pages for the demo's programmes, and the
    training records of the mentors approved in them."""
    for slug, programme in programmes.items():
        changed = []
        if not programme.agreement_text and slug in AGREEMENTS:
            programme.agreement_text = AGREEMENTS[slug]
            changed.append("agreement_text")
        if not programme.starter_objectives and slug in STARTER_OBJECTIVES:
            programme.starter_objectives = STARTER_OBJECTIVES[slug]
            changed.append("starter_objectives")
        if changed:
            programme.save(update_fields=changed)
        for position, (name, description, url, audience, required, months) in enumerate(
            TRAININGS.get(slug, []), start=1
        ):
            Training.objects.get_or_create(
                programme=programme,
                name=name,
                defaults={
                    "description": description,
                    "url": url,
                    "audience": audience,
                    "required": required,
                    "valid_months": months,
                    "position": position,
                },
            )
        for position, (page_slug, title, moment, body) in enumerate(PAGES.get(slug, []), start=1):
            HandbookPage.objects.get_or_create(
                programme=programme,
                slug=page_slug,
                defaults={"title": title, "moment": moment, "body": body, "position": position},
            )
        _record_approved_mentors(programme, today=today)


def _record_approved_mentors(programme: Programme, *, today: date) -> int:
    """Each mentor approved in `programme` gets a record of its required mentor training, from
    the date on their profile (else a week before their approval): one INSERT per training."""
    required = programme.trainings.filter(
        required=True, audience__in=audiences_for(Membership.Role.MENTOR)
    )
    made = 0
    for item in required:
        members = (
            Membership.objects.approved()
            .mentors()
            .filter(programme=programme)
            .exclude(user__training_records__training=item)
            .filter(Q(user__mentor_profile__isnull=False))
            .values_list("user_id", "user__mentor_profile__training_completed_on", "approved_at")
        )
        rows = []
        for user_id, trained_on, approved_at in members:
            completed_on = trained_on or (
                (approved_at.date() - timedelta(days=7)) if approved_at else today
            )
            completed_on = min(completed_on, today)
            rows.append(
                TrainingRecord(
                    training=item,
                    user_id=user_id,
                    completed_on=completed_on,
                    expires_on=expiry_for(item, completed_on),
                )
            )
        made += len(TrainingRecord.objects.bulk_create(rows, ignore_conflicts=True))
    return made
