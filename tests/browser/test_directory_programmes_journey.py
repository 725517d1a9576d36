"""Issue #13: a mentee in two programmes moves between their directories, never meets their
line manager in the staff one, and says in which programme they ask a mentor who is in both."""

import pytest
from playwright.sync_api import Page, expect

from matching.models import MentorshipRequest
from tests.browser.session import sign_in
from tests.factories import MenteeProfileFactory, MentorProfileFactory, ProgrammeFactory
from tests.matching.conftest import MESSAGE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_mentee_in_two_programmes_chooses_where_to_look_and_where_to_ask(
    page: Page, context, live_server
):
    careers = ProgrammeFactory(name="Alumni career mentoring", slug="careers", position=1)
    staff = ProgrammeFactory(
        name="Professional staff mentoring", slug="staff", position=2, outside_line_management=True
    )
    mentee = MenteeProfileFactory(
        user__full_name="Sam Okoye",
        department="Finance Office",
        line_manager_email="boss@example.ac.uk",
        programmes=[careers, staff],
    ).user
    MentorProfileFactory(user__full_name="Carla Alumna", programmes=[careers])
    MentorProfileFactory(
        user__full_name="Barbara Boss", user__email="boss@example.ac.uk", programmes=[staff]
    )
    MentorProfileFactory(user__full_name="Bea Both", programmes=[careers, staff])
    sign_in(context, live_server, mentee)

    page.goto(f"{live_server.url}/mentors/")
    chooser = page.get_by_role("navigation", name="Programmes")
    expect(chooser.get_by_role("link", name="Alumni career mentoring")).to_have_attribute(
        "aria-current", "page"
    )
    expect(page.locator(".mentor-card")).to_have_count(2)
    expect(page.get_by_text("Carla Alumna")).to_be_visible()

    chooser.get_by_role("link", name="Professional staff mentoring").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Professional staff mentoring")
    expect(page.locator(".mentor-card")).to_have_count(1)
    expect(page.get_by_text("Barbara Boss")).to_have_count(0)
    expect(page.get_by_text("your line manager and colleagues")).to_be_visible()

    page.get_by_role("link", name="Bea Both").click()
    page.get_by_role("link", name="Interested").click()
    page.get_by_label("Your message").fill(MESSAGE)
    page.get_by_role("button", name="Send my request").click()
    # The programme is a required choice: the reason is beside it and the message is kept.
    expect(page.locator("#id_programme_error")).to_have_text(
        "Choose the programme in which you would like Bea to mentor you."
    )
    expect(page.get_by_label("Your message")).to_have_value(MESSAGE)
    page.get_by_role("radio", name="Professional staff mentoring").check()
    page.get_by_role("button", name="Send my request").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Your request to Bea Both")
    expect(page.get_by_text("In Professional staff mentoring")).to_be_visible()
    assert MentorshipRequest.objects.get().programme == staff
