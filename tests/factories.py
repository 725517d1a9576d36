from __future__ import annotations

from datetime import timedelta

import factory
from allauth.account.models import EmailAddress
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import User

PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Faker("name", locale="en_GB")
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def verified(obj, create, extracted, **kwargs):
        # allauth lets only verified addresses sign in when verification is mandatory.
        if create and extracted is not False:
            EmailAddress.objects.create(user=obj, email=obj.email, verified=True, primary=True)


DEFAULT_PROGRAMME = "mentoring"


class ProgrammeFactory(factory.django.DjangoModelFactory):
    """An open programme where mentees choose their mentor, with the default rules."""

    class Meta:
        model = "profiles.Programme"
        django_get_or_create = ("slug",)
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Programme {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))
    summary = "Mentoring for everyone in the organisation."
    status = "open"
    matching = "both"

    @factory.post_generation
    def coordinators(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.coordinators.set(extracted)


def default_programme():
    """The one programme of a single-programme installation, which every factory uses unless
    told otherwise (the tests of the time before programmes run in it unchanged)."""
    return ProgrammeFactory(name="Mentoring scheme", slug=DEFAULT_PROGRAMME)


def _join(user, programmes, role):
    from profiles.models import Membership

    for programme in programmes:
        Membership.objects.update_or_create(
            user=user,
            programme=programme,
            role=role,
            defaults={"status": "approved", "approved_at": timezone.now(), "left_at": None},
        )


class ExpertiseAreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "profiles.ExpertiseArea"
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Area {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))


class MentorProfileFactory(factory.django.DjangoModelFactory):
    """An approved, active mentor who is visible in the directory of the default programme
    (`programmes=[...]` for others, `programmes=[]` for none)."""

    class Meta:
        model = "profiles.MentorProfile"
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    headline = "Happy to help with your next career step"
    job_title = factory.Faker("job", locale="en_GB")
    organisation = factory.Faker("company", locale="en_GB")
    industry = "finance"
    country = "GB"
    city = "Leeds"
    key_areas = "I lead a team of twelve and run the graduate programme."
    formats = factory.LazyFunction(lambda: ["video"])
    capacity = 2
    review_status = "approved"
    is_active = True
    confirmed_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def areas(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.areas.set(extracted)

    @factory.post_generation
    def programmes(obj, create, extracted, **kwargs):
        if create:
            _join(obj.user, [default_programme()] if extracted is None else extracted, "mentor")
            obj.refresh_from_db(fields=["programme_ids", "is_listed"])


class JobHistoryEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "profiles.JobHistoryEntry"

    profile = factory.SubFactory(MentorProfileFactory)
    title = "Analyst"
    organisation = "Harbour Bank"
    start_year = 2010
    end_year = 2014


class MenteeProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "profiles.MenteeProfile"
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    role = "BSc Economics"
    stage = "Final year"
    goals = "Find a first graduate job in finance."
    preferred_formats = factory.LazyFunction(lambda: ["video"])

    @factory.post_generation
    def areas(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.areas.set(extracted)

    @factory.post_generation
    def programmes(obj, create, extracted, **kwargs):
        if create:
            _join(obj.user, [default_programme()] if extracted is None else extracted, "mentee")


def _mentor_user():
    return MentorProfileFactory().user


def _mentee_user():
    return MenteeProfileFactory().user


class MentorshipRequestFactory(factory.django.DjangoModelFactory):
    """A pending "Interested" request from a mentee (with a mentee profile) to a listed mentor.

    Pass `mentee=` or `mentor=` to use people you already have; their profiles are up to you.
    """

    class Meta:
        model = "matching.MentorshipRequest"

    mentee = factory.LazyFunction(_mentee_user)
    mentor = factory.LazyFunction(_mentor_user)
    programme = factory.LazyFunction(default_programme)
    message = (
        "I hope to move into corporate finance within a year. Could we meet once a month by video?"
    )
    status = "pending"

    class Params:
        accepted = factory.Trait(status="accepted", responded_at=factory.LazyFunction(timezone.now))
        declined = factory.Trait(
            status="declined",
            decline_reason="not_available",
            responded_at=factory.LazyFunction(timezone.now),
        )
        withdrawn = factory.Trait(
            status="withdrawn", withdrawn_at=factory.LazyFunction(timezone.now)
        )
        expired = factory.Trait(status="expired", expired_at=factory.LazyFunction(timezone.now))


class MentorshipFactory(factory.django.DjangoModelFactory):
    """An active mentorship. Like matching.services, it takes one of the mentor's places
    (`mentee_count`), so ending it through the service keeps the count right."""

    class Meta:
        model = "matching.Mentorship"

    mentee = factory.LazyFunction(_mentee_user)
    mentor = factory.LazyFunction(_mentor_user)
    programme = factory.LazyFunction(default_programme)
    status = "active"

    class Params:
        ended = factory.Trait(
            status="ended", ended_at=factory.LazyFunction(timezone.now), end_reason="achieved"
        )

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        from profiles.models import MentorProfile
        from profiles.services import take_place

        mentorship = super()._create(model_class, *args, **kwargs)
        if mentorship.status == "active":
            profile = MentorProfile.objects.filter(user=mentorship.mentor_id).first()
            if profile is not None:
                take_place(profile)
        return mentorship


class ObjectiveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "sessions_log.Objective"

    mentorship = factory.SubFactory(MentorshipFactory)
    title = factory.Sequence(lambda n: f"Objective {n}: lead a project from start to finish")
    success = "I have run one project end to end and presented the results."
    position = factory.Sequence(lambda n: n)
    created_by = factory.LazyAttribute(lambda o: o.mentorship.mentee)


class MeetingFactory(factory.django.DjangoModelFactory):
    """A planned meeting a week from now; `held=True` or `cancelled=True` for the others."""

    class Meta:
        model = "sessions_log.Meeting"

    mentorship = factory.SubFactory(MentorshipFactory)
    starts_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))
    time_zone = "Europe/London"
    duration_minutes = 60
    format = "video"
    location = "https://meet.example.org/pair"
    agenda = "Progress on the objectives."
    created_by = factory.LazyAttribute(lambda o: o.mentorship.mentee)

    class Params:
        held = factory.Trait(
            status="held",
            starts_at=factory.LazyFunction(lambda: timezone.now() - timedelta(hours=2)),
            summary="We talked about the project plan.",
        )
        cancelled = factory.Trait(
            status="cancelled", cancelled_at=factory.LazyFunction(timezone.now)
        )


class CheckInFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "sessions_log.CheckIn"

    mentorship = factory.SubFactory(MentorshipFactory)
    person = factory.LazyAttribute(lambda o: o.mentorship.mentee)
    kind = "six_weeks"
    sent_at = factory.LazyFunction(timezone.now)
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=30))


class AgreementFactory(factory.django.DjangoModelFactory):
    """An open proposal of a monthly agreement by the mentee; `agreed=True` for an agreed one."""

    class Meta:
        model = "matching.Agreement"

    mentorship = factory.SubFactory(MentorshipFactory)
    frequency = "monthly"
    formats = factory.LazyFunction(lambda: ["video", "in_person"])
    confidentiality = True
    proposed_by = factory.LazyAttribute(lambda o: o.mentorship.mentee)

    class Params:
        agreed = factory.Trait(
            status="agreed",
            agreed_by=factory.LazyAttribute(lambda o: o.mentorship.mentor),
            agreed_at=factory.LazyFunction(timezone.now),
        )
