from __future__ import annotations

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


class ExpertiseAreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "profiles.ExpertiseArea"
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Area {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))


class MentorProfileFactory(factory.django.DjangoModelFactory):
    """An approved, active mentor who is visible in the directory."""

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
