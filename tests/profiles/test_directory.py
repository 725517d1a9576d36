import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from profiles.forms import DirectoryFilterForm
from profiles.models import MentorProfile
from tests.factories import (
    ExpertiseAreaFactory,
    JobHistoryEntryFactory,
    MenteeProfileFactory,
    MentorProfileFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
URL = reverse("profiles:directory")


def _names(response) -> list[str]:
    return [card["mentor"].user.full_name for card in response.context["cards"]]


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_only_approved_active_mentors_of_active_accounts_are_listed(client_for, mentee):
    MentorProfileFactory(user__full_name="Listed Lena")
    MentorProfileFactory(user__full_name="Submitted Sam", review_status="submitted")
    MentorProfileFactory(user__full_name="Draft Dora", review_status="draft")
    MentorProfileFactory(user__full_name="Inactive Ian", is_active=False)
    MentorProfileFactory(user__full_name="Gone Greta", user__is_active=False)

    response = client_for(mentee).get(URL)

    assert _names(response) == ["Listed Lena"]


def test_search_finds_a_mentor_by_a_word_from_job_history(client_for, mentee):
    found = MentorProfileFactory(user__full_name="Historic Hana")
    MentorProfileFactory(user__full_name="Other Olu")
    JobHistoryEntryFactory(profile=found, title="Trainee", organisation="Zeppelin Aviation")

    response = client_for(mentee).get(URL, {"q": "zeppelin"})

    assert _names(response) == ["Historic Hana"]


def test_search_finds_a_mentor_by_an_area(client_for, mentee):
    area = ExpertiseAreaFactory(name="Salary negotiation", slug="salary-negotiation")
    MentorProfileFactory(user__full_name="Area Ava", areas=[area])
    MentorProfileFactory(user__full_name="Other Olu")

    response = client_for(mentee).get(URL, {"q": "negotiating salaries"})

    assert _names(response) == ["Area Ava"]


def test_search_ranks_the_headline_above_the_job_history(client_for, mentee):
    # Job titles fixed: a random one ("Marketing executive") would outrank the headline.
    in_history = MentorProfileFactory(user__full_name="History Hal", job_title="Analyst")
    JobHistoryEntryFactory(profile=in_history, description="Some marketing work early on.")
    MentorProfileFactory(
        user__full_name="Headline Hope", headline="Marketing director", job_title="Director"
    )

    response = client_for(mentee).get(URL, {"q": "marketing"})

    assert _names(response) == ["Headline Hope", "History Hal"]


def test_filters_combine(client_for, mentee):
    area = ExpertiseAreaFactory(name="Networking")
    MentorProfileFactory(
        user__full_name="Match Mo", areas=[area], industry="law", country="IE", formats=["phone"]
    )
    MentorProfileFactory(user__full_name="Wrong Format", areas=[area], industry="law", country="IE")
    MentorProfileFactory(
        user__full_name="Wrong Country", areas=[area], industry="law", formats=["phone"]
    )
    MentorProfileFactory(user__full_name="No Area", industry="law", country="IE", formats=["phone"])
    params = {"area": area.slug, "industry": "law", "country": "IE", "format": "phone"}

    response = client_for(mentee).get(URL, params)

    assert _names(response) == ["Match Mo"]


def test_several_areas_must_all_be_offered(client_for, mentee):
    cvs, salary = ExpertiseAreaFactory(name="CVs"), ExpertiseAreaFactory(name="Salary")
    MentorProfileFactory(user__full_name="Both Bea", areas=[cvs, salary])
    MentorProfileFactory(user__full_name="One Oona", areas=[cvs])

    response = client_for(mentee).get(f"{URL}?area={cvs.slug}&area={salary.slug}")

    assert _names(response) == ["Both Bea"]


def test_has_a_free_place_leaves_out_full_mentors(client_for, mentee):
    MentorProfileFactory(user__full_name="Free Fay", capacity=2)
    full = MentorProfileFactory(user__full_name="Full Finn", capacity=1)
    MentorProfile.objects.filter(pk=full.pk).update(mentee_count=1)

    response = client_for(mentee).get(URL, {"available": "1"})

    assert _names(response) == ["Free Fay"]


@pytest.mark.parametrize(
    "query",
    [
        "page=abc",
        "page=-3",
        "page=99999999999999999999",
        "area=no-such-area",
        "industry=bogus&country=XX&format=telepathy",
        "available=maybe",
        "q=" + "x" * 500,
        "q=%27%22%3B--%20or%201%3D1",
        "q=%26%7C%21%3A*",
    ],
)
def test_garbage_parameters_never_give_an_error_page(client_for, mentee, query):
    MentorProfileFactory()

    response = client_for(mentee).get(f"{URL}?{query}")

    assert response.status_code == 200


def test_mentors_who_share_the_mentees_areas_come_first(client_for):
    salary, cvs, other = (
        ExpertiseAreaFactory(name="Salary negotiation"),
        ExpertiseAreaFactory(name="CVs"),
        ExpertiseAreaFactory(name="Networking"),
    )
    profile = MenteeProfileFactory(areas=[salary, cvs])
    MentorProfileFactory(user__full_name="None Nia", areas=[other])
    MentorProfileFactory(user__full_name="Two Tom", areas=[salary, cvs])
    MentorProfileFactory(user__full_name="One Ola", areas=[cvs, other])

    response = client_for(profile.user).get(URL)

    assert _names(response) == ["Two Tom", "One Ola", "None Nia"]
    assert "You both mention salary negotiation, cvs" in response.content.decode()


def test_an_empty_result_suggests_what_to_loosen(client_for, mentee):
    area = ExpertiseAreaFactory(name="Networking")
    MentorProfileFactory()

    response = client_for(mentee).get(URL, {"q": "astronaut", "area": area.slug})

    html = response.content.decode()
    assert "No mentors match all of that" in html
    assert "use fewer or more general words" in html
    assert "untick the area" in html


def test_pages_keep_the_filters_and_show_twenty_mentors(client_for, mentee):
    MentorProfileFactory.create_batch(25, industry="law")

    first = client_for(mentee).get(URL, {"industry": "law"})
    second = client_for(mentee).get(URL, {"industry": "law", "page": 2})

    assert len(first.context["cards"]) == 20
    assert "industry=law&amp;page=2" in first.content.decode()
    assert len(second.context["cards"]) == 5
    assert "25 mentors" in first.content.decode()


def test_query_count_is_constant_in_the_number_of_results(client_for):
    viewer = MenteeProfileFactory(areas=[ExpertiseAreaFactory(name="CVs")]).user
    client = client_for(viewer)
    counts = {}
    for total in (1, 20, 50):
        MentorProfileFactory.create_batch(total - MentorProfile.objects.count())
        with CaptureQueriesContext(connection) as queries:
            response = client.get(URL, {"industry": "finance"})
        assert response.status_code == 200
        counts[total] = len(queries)

    # One page of results needs no count; more pages add one bounded count query, whatever
    # the number of rows.
    assert counts[1] == counts[20]
    assert counts[50] == counts[20] + 1
    assert max(counts.values()) <= 5


def test_search_query_count_is_constant_too(client_for, mentee):
    client = client_for(mentee)
    counts = []
    for total in (21, 50):
        MentorProfileFactory.create_batch(total - MentorProfile.objects.count(), headline="Banker")
        with CaptureQueriesContext(connection) as queries:
            client.get(URL, {"q": "banker", "format": "video"})
        counts.append(len(queries))

    assert counts[0] == counts[1] <= 5


def test_the_search_document_follows_every_change(client_for, mentee):
    profile = MentorProfileFactory(user__full_name="Changing Chen")
    area = ExpertiseAreaFactory(name="Beekeeping")
    client = client_for(mentee)

    def finds(word):
        return "Changing Chen" in _names(client.get(URL, {"q": word}))

    job = JobHistoryEntryFactory(profile=profile, organisation="Quokka Ltd")
    assert finds("quokka")
    job.delete()
    assert not finds("quokka")
    profile.areas.add(area)
    assert finds("beekeeping")
    area.name = "Apiculture"
    area.save()
    assert finds("apiculture")
    profile.user.full_name = "Renamed Rita"
    profile.user.save()
    assert "Renamed Rita" in _names(client.get(URL, {"q": "rita"}))


def test_email_addresses_are_not_shown(client_for, mentee):
    MentorProfileFactory(user=UserFactory(email="secret.mentor@example.org"))

    response = client_for(mentee).get(URL)

    assert b"secret.mentor@example.org" not in response.content


def test_a_country_filter_takes_any_known_code_and_ignores_others(client_for, mentee):
    MentorProfileFactory(user__full_name="Irish Ida", country="IE")
    MentorProfileFactory(user__full_name="Spanish Sol", country="ES")
    client = client_for(mentee)

    assert _names(client.get(URL, {"country": "IE"})) == ["Irish Ida"]
    # Unknown or lower-case codes are ignored, as any invalid filter is.
    for code in ("ie", "XX"):
        page = client.get(URL, {"country": code}).text
        assert "Irish Ida" in page and "Spanish Sol" in page


def test_the_filters_list_every_country_after_any_country():
    # The list is made when the filters are drawn, not for each form.
    select = str(DirectoryFilterForm({"country": "DE"}, areas=[])["country"])

    options = select.count("<option")
    assert options == 250
    assert select.index('<option value="">Any country</option>') < select.index('value="AF"')
    assert '<option value="DE" selected>Germany</option>' in select
