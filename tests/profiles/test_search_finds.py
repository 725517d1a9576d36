"""Issue #17, search that finds: places, industry and languages in the search document, words
as prefixes, what each result matched on, mentors with a free place first, and honest pages."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from profiles.models import MentorProfile
from profiles.search import update_search_documents
from profiles.selectors import prefix_query, search_terms
from tests.factories import (
    ExpertiseAreaFactory,
    JobHistoryEntryFactory,
    MentorProfileFactory,
)

pytestmark = pytest.mark.django_db
URL = reverse("profiles:directory")


def mentor(name: str, **fields) -> MentorProfile:
    defaults = {
        "job_title": "Adviser",
        "organisation": "Plain Ltd",
        "headline": "Happy to help",
        "key_areas": "",
        "country": "GB",
        "city": "Leeds",
        "industry": "finance",
    }
    return MentorProfileFactory(user__full_name=name, **(defaults | fields))


def names(response) -> list[str]:
    return [card["mentor"].user.full_name for card in response.context["cards"]]


def matched_on(response, name: str) -> list[tuple[str, str]]:
    return next(
        c["matched_on"] for c in response.context["cards"] if c["mentor"].user.full_name == name
    )


@pytest.mark.parametrize(
    ("fields", "word"),
    [
        ({"country": "ES"}, "Spain"),
        ({"country": "KE"}, "kenya"),
        ({"city": "Valparaíso"}, "valparaíso"),
        ({"languages": "Swahili, English"}, "Swahili"),
        ({"industry": "healthcare"}, "healthcare"),
        ({"industry": "healthcare"}, "life sciences"),
    ],
)
def test_country_city_language_and_industry_are_searched(client_for, mentee, fields, word):
    mentor("Found Fola", **fields)
    mentor("Other Olu")

    response = client_for(mentee).get(URL, {"q": word})

    assert names(response) == ["Found Fola"]


def test_a_country_finds_every_mentor_the_country_filter_finds(client_for, mentee):
    for i in range(3):
        mentor(f"Madrid {i}", country="ES", city="Madrid")
    mentor("Leeds Lee")
    client = client_for(mentee)

    by_filter = set(names(client.get(URL, {"country": "ES"})))
    by_search = set(names(client.get(URL, {"q": "Spain"})))

    assert by_filter == {"Madrid 0", "Madrid 1", "Madrid 2"}
    assert by_search == by_filter


def test_rebuilding_every_document_puts_places_in_existing_rows(client_for, mentee):
    profile = mentor("Old Row", country="KE")
    MentorProfile.objects.filter(pk=profile.pk).update(search_vector=None)
    assert names(client_for(mentee).get(URL, {"q": "kenya"})) == []

    assert update_search_documents() >= 1

    assert names(client_for(mentee).get(URL, {"q": "kenya"})) == ["Old Row"]


def test_words_are_prefixes(client_for, mentee):
    mentor("Nego Nia", headline="Salary negotiation and offers")
    mentor("Other Olu")
    client = client_for(mentee)

    assert names(client.get(URL, {"q": "neg"})) == ["Nego Nia"]
    assert names(client.get(URL, {"q": "negotiating"})) == ["Nego Nia"]
    assert names(client.get(URL, {"q": "sal neg"})) == ["Nego Nia"]
    # Every word must match.
    assert names(client.get(URL, {"q": "neg kenya"})) == []


@pytest.mark.parametrize(
    "q",
    ["neg:* | a", "neg & !", "'neg'", "neg)(", "<-> neg", "neg\\", "-neg", '"neg"'],
)
def test_query_syntax_in_the_words_is_never_read_as_syntax(client_for, mentee, q):
    mentor("Nego Nia", headline="Salary negotiation and offers")

    response = client_for(mentee).get(URL, {"q": q})

    assert response.status_code == 200
    assert "Nego Nia" in names(response)


def test_search_terms_keep_letters_and_digits_only(db):
    assert search_terms("  NHS's  & Spain|!neg:* NHS ") == ["nhs", "spain", "neg"]
    assert search_terms("&|!():*<->") == []


def test_a_one_letter_word_beside_longer_ones_is_left_out(client_for, mentee):
    """The "o" of "O'Brien" as a prefix would match almost every mentor ("o" of "offers")."""
    assert search_terms("O'Brien") == ["brien"]
    assert search_terms("a b") == ["a", "b"]  # one-letter words alone still search
    obrien = mentor("Siobhan O'Brien")
    mentor("Omar Other", headline="Offers open advice")

    assert names(client_for(mentee).get(URL, {"q": "O'Brien"})) == ["Siobhan O'Brien"]
    assert obrien.user.full_name in names(client_for(mentee).get(URL, {"q": "o"}))

    nhs = mentor("Nhs Nina", organisation="NHS Digital", country="ES")
    found = MentorProfile.objects.filter(search_vector=prefix_query(["nhs", "spa"]))
    assert list(found) == [nhs]


def test_only_punctuation_finds_nobody_without_an_error(client_for, mentee):
    mentor("Nego Nia")

    response = client_for(mentee).get(URL, {"q": "&|!"})

    assert response.status_code == 200
    assert names(response) == []
    assert "No mentors match all of that" in response.content.decode()


def test_each_result_says_what_it_matched_on(client_for, mentee):
    nurse = mentor("Nurse Nell", country="ES", city="Madrid")
    JobHistoryEntryFactory(profile=nurse, title="Ward sister", organisation="NHS", description="")
    mentor("Only Spain", country="ES")

    response = client_for(mentee).get(URL, {"q": "nhs spain"})

    assert names(response) == ["Nurse Nell"]
    assert matched_on(response, "Nurse Nell") == [("NHS", "job history"), ("Spain", "country")]
    assert "Matched on: NHS (job history), Spain (country)" in response.content.decode()


def test_matched_on_names_areas_headline_and_prefix_matches(client_for, mentee):
    area = ExpertiseAreaFactory(name="Salary negotiation")
    mentor("Area Ada", headline="Negotiating offers", areas=[area], languages="Portuguese")

    response = client_for(mentee).get(URL, {"q": "neg"})

    assert matched_on(response, "Area Ada") == [
        ("Negotiating", "headline"),
        ("negotiation", "areas"),
    ]
    portuguese = client_for(mentee).get(URL, {"q": "portug"})
    assert matched_on(portuguese, "Area Ada") == [("Portuguese", "languages")]


def test_no_matched_on_line_without_search_words(client_for, mentee):
    mentor("Plain Pat", country="ES")

    response = client_for(mentee).get(URL, {"country": "ES"})

    assert response.context["cards"][0]["matched_on"] == []
    assert "Matched on" not in response.content.decode()


def test_the_matched_on_line_follows_the_query_through_the_cache(client_for, mentee):
    mentor("Cached Cai", country="ES", languages="Catalan")
    client = client_for(mentee)

    assert "Matched on: Spain (country)" in client.get(URL, {"q": "spain"}).content.decode()
    second = client.get(URL, {"q": "catalan"}).content.decode()
    assert "Matched on: Catalan (languages)" in second
    assert "Spain (country)" not in second


def _fill(profile: MentorProfile) -> None:
    MentorProfile.objects.filter(pk=profile.pk).update(mentee_count=profile.capacity)


def test_full_mentors_come_after_those_with_a_place(client_for, mentee):
    full = mentor("Full Finn")  # the most recently confirmed
    _fill(full)
    mentor("Free Fay")
    newest_full = mentor("Full Flo")
    _fill(newest_full)

    response = client_for(mentee).get(URL)

    assert names(response) == ["Free Fay", "Full Flo", "Full Finn"]
    assert "Mentors with a free place first" in response.content.decode()


def test_full_mentors_come_last_in_a_search_too(client_for, mentee):
    best = mentor("Full Best", headline="Negotiation", job_title="Negotiation lead")
    _fill(best)
    mentor("Free Fair", key_areas="Some negotiation")

    response = client_for(mentee).get(URL, {"q": "negotiation"})

    assert names(response) == ["Free Fair", "Full Best"]
    assert "Mentors with a free place first, then best matches" in response.content.decode()


def test_full_mentors_come_last_among_shared_areas_too(client_for):
    from tests.factories import MenteeProfileFactory

    cvs, other = ExpertiseAreaFactory(name="CVs"), ExpertiseAreaFactory(name="Networking")
    viewer = MenteeProfileFactory(areas=[cvs]).user
    mentor("Free Other", areas=[other])
    _fill(mentor("Full Shared", areas=[cvs]))
    mentor("Free Shared", areas=[cvs])

    response = client_for(viewer).get(URL)

    assert names(response) == ["Free Shared", "Free Other", "Full Shared"]


def test_pages_say_how_many_there_are(client_for, mentee):
    MentorProfileFactory.create_batch(45, industry="law")

    response = client_for(mentee).get(URL, {"industry": "law", "page": 2})

    html = response.content.decode()
    assert "Page 2 of 3" in html
    assert "45 mentors" in html
    assert len(response.context["cards"]) == 20


@pytest.mark.parametrize("page", ["999", "7", "50"])
def test_a_page_past_the_end_shows_the_last_and_says_so(client_for, mentee, page):
    MentorProfileFactory.create_batch(25, industry="law")

    response = client_for(mentee).get(URL, {"industry": "law", "page": page})

    html = response.content.decode()
    assert response.status_code == 200
    assert len(response.context["cards"]) == 5
    assert response.context["page"].number == 2
    assert f"There is no page {page}: there are 2 pages. This is the last." in html
    assert "25 mentors" in html
    assert "No mentors match" not in html


def test_a_search_page_past_the_end_shows_the_last(client_for, mentee):
    MentorProfileFactory.create_batch(21, headline="Banker")

    response = client_for(mentee).get(URL, {"q": "bank", "page": "999"})

    html = response.content.decode()
    assert len(response.context["cards"]) == 1
    assert "21 mentors" in html
    assert "There is no page 999: there are 2 pages" in html


def test_no_match_past_the_end_says_no_mentors_not_a_count(client_for, mentee):
    mentor("Lone Lou")

    response = client_for(mentee).get(URL, {"q": "astronaut", "page": "999"})

    html = response.content.decode()
    assert "0 mentors" in html
    assert "No mentors match all of that" in html
    assert "There is no page" not in html


@pytest.mark.parametrize("page", ["0", "-1", "abc", "1.5", "", "9" * 5000])
def test_invalid_page_values_give_the_first_page(client_for, mentee, page):
    MentorProfileFactory.create_batch(3)

    response = client_for(mentee).get(URL, {"page": page})

    assert response.status_code == 200
    assert response.context["page"].number == 1


def test_the_filters_button_counts_the_chosen_filters(client_for, mentee):
    area = ExpertiseAreaFactory(name="CVs")
    mentor("Some Sam", areas=[area])

    response = client_for(mentee).get(
        URL, {"q": "sam", "area": area.slug, "country": "GB", "available": "1"}
    )

    html = response.content.decode()
    assert '<details class="filter-drawer' in html
    assert "Filters (3)</summary>" in html


def test_a_prefix_search_costs_no_more_queries_with_more_results(client_for, mentee):
    client = client_for(mentee)
    counts = []
    for total in (21, 60):
        MentorProfileFactory.create_batch(
            total - MentorProfile.objects.count(), headline="Negotiation coach", country="ES"
        )
        with CaptureQueriesContext(connection) as queries:
            response = client.get(URL, {"q": "neg spa", "page": "2"})
        assert response.context["cards"]
        assert response.context["cards"][0]["matched_on"]
        counts.append(len(queries))

    assert counts[0] == counts[1] <= 5
