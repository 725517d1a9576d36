"""Words the team can change in emails (issue 18, item 5): a programme's name, logo and contact
address in its emails, and each kind's opening paragraphs and sign-off per programme and
language, escaped, cached (no query per email), previewed and administered with permissions."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from mentoring import wording
from mentoring.emails import render
from mentoring.models import EmailWording
from tests.factories import ProgrammeFactory, UserFactory

pytestmark = pytest.mark.django_db

KIND = "membership_approved"


@pytest.fixture
def careers():
    return ProgrammeFactory(name="Careers mentoring", slug="careers")


@pytest.fixture
def staff():
    return ProgrammeFactory(name="Staff mentoring", slug="staff")


def _coordinator(programme, email):
    user = UserFactory(email=email, is_staff=True)
    user.groups.add(Group.objects.get(name="Scheme coordinator"))
    programme.coordinators.add(user)
    return user


@pytest.fixture
def cora(careers):
    return _coordinator(careers, "cora@example.org")


@pytest.fixture
def sam(staff):
    return _coordinator(staff, "sam@example.org")


def _email(programme, language="", **user):
    person = UserFactory(full_name="Daniel Okafor", language=language, **user)
    return render(
        KIND,
        to=person,
        ctx={"programme": programme, "url": "http://testserver/programmes/x/"},
        dedupe_key=f"test:{person.pk}",
    )


def test_the_email_keeps_its_own_words_when_nobody_changed_them(careers):
    email = _email(careers)

    assert email.body_text.startswith("Hello Daniel,\n\nThe coordinators of Careers mentoring")
    assert "<p>Hello Daniel,</p>\n<p>The coordinators of Careers mentoring" in email.body_html
    assert wording.CONTENT_MARK not in email.body_html


def test_a_programmes_wording_is_in_both_parts_of_its_emails_only(careers, staff):
    EmailWording.objects.create(
        kind=KIND,
        programme=careers,
        intro="Welcome to the careers team!\n\nWe meet every Tuesday.",
        sign_off="Best wishes,\nthe careers team",
    )

    ours, theirs = _email(careers), _email(staff)

    assert ours.body_text.startswith(
        "Hello Daniel,\n\nWelcome to the careers team!\n\nWe meet every Tuesday.\n\nThe coordinators"
    )
    assert ours.body_text.count("Best wishes,\nthe careers team") == 1
    assert "Mentoring Scheme" not in ours.body_text  # the email's own sign-off, replaced
    assert (
        "<p>Hello Daniel,</p>\n<p>Welcome to the careers team!</p>\n\n<p>We meet every Tuesday.</p>"
        in (ours.body_html)
    )
    assert "<p>Best wishes,<br>the careers team</p>" in ours.body_html
    for part in (theirs.body_text, theirs.body_html):
        assert "careers team" not in part and "Tuesday" not in part


def test_a_languages_wording_goes_to_people_who_read_that_language_only(careers):
    EmailWording.objects.create(kind=KIND, programme=careers, language="cy", intro="Croeso!")
    EmailWording.objects.create(kind=KIND, programme=None, intro="Welcome, everyone.")

    welsh, english = _email(careers, language="cy"), _email(careers, language="en-gb")

    assert "Croeso!" in welsh.body_text and "<p>Croeso!</p>" in welsh.body_html
    assert "Welcome, everyone." not in welsh.body_text
    assert "Welcome, everyone." in english.body_text and "Croeso" not in english.body_html


def test_wording_for_english_reaches_people_who_never_chose_a_language(careers):
    # Most people's saved language is "": their email is in the site's default (English), so
    # the words saved for English are theirs, and not the Welsh ones.
    EmailWording.objects.create(kind=KIND, programme=careers, language="en-gb", intro="Hello all.")
    EmailWording.objects.create(kind=KIND, programme=careers, language="cy", intro="Croeso!")

    email = _email(careers, language="")

    assert "Hello all." in email.body_text and "<p>Hello all.</p>" in email.body_html
    assert "Croeso" not in email.body_text


def test_a_cache_emptied_by_another_thread_mid_read_never_fails(careers, staff, monkeypatch):
    """Another thread's request_started (or a save) may empty the shared cache between any two
    steps of a read: the wording and brands are still returned, never a KeyError."""
    EmailWording.objects.create(kind=KIND, programme=careers, intro="Still here.")

    class EmptiedByAnotherThread(dict):
        # Every access is followed at once by another thread emptying the dict.
        def __contains__(self, key):
            found = super().__contains__(key)
            self.clear()
            return found

        def get(self, key, default=None):
            value = super().get(key, default)
            self.clear()
            return value

        def __getitem__(self, key):
            value = super().__getitem__(key)
            self.clear()
            return value

        def __setitem__(self, key, value):
            super().__setitem__(key, value)
            self.clear()

    for primed in (False, True):
        shared = EmptiedByAnotherThread()
        if primed:  # a cache that holds rows when the read starts
            dict.update(shared, rows=dict(wording._rows()), brands=dict(wording._brands()))
        monkeypatch.setattr(wording, "_fresh", lambda shared=shared: shared)

        assert wording.words_for(KIND, careers.pk).intro == "Still here."
        assert wording.brand_for(staff.pk).name == "Staff mentoring"


def test_the_all_programmes_default_applies_when_a_programme_has_no_row(careers, staff):
    EmailWording.objects.create(kind=KIND, programme=None, sign_off="The scheme office")
    EmailWording.objects.create(kind=KIND, programme=staff, intro="Staff only.")

    email = _email(careers)

    assert email.body_text.endswith(
        "The scheme office\n\nQuestions? Write to the Careers mentoring team: "
        "mentoring@example.org\n"
    )
    assert "Staff only." not in email.body_text


def test_staff_typing_html_gets_text_not_markup(careers):
    EmailWording.objects.create(
        kind=KIND,
        programme=careers,
        intro='<script>alert("x")</script> <b>bold</b>',
        sign_off="<img src=x onerror=alert(1)>",
    )

    html = _email(careers).body_html

    assert "<script>" not in html and "<b>bold" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &lt;b&gt;bold&lt;/b&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_an_email_about_a_programme_shows_its_name_logo_and_contact_address(careers):
    careers.contact_email = "careers@example.org"
    careers.logo = "programme-logos/careers.png"
    careers.save()

    email = _email(careers)

    assert (
        '<img src="http://testserver/media/programme-logos/careers.png" alt="Careers mentoring"'
        in email.body_html
    )
    assert 'href="mailto:careers@example.org"' in email.body_html
    assert email.body_text.endswith(
        "Mentoring Scheme\n\nQuestions? Write to the Careers mentoring team: careers@example.org\n"
    )


def test_sending_many_emails_of_one_kind_reads_the_wording_once(careers, staff):
    EmailWording.objects.create(kind=KIND, programme=careers, intro="Hello from careers.")
    people = [UserFactory() for _ in range(20)]
    wording.clear()

    def send(count):
        with CaptureQueriesContext(connection) as queries:
            for person in people[:count]:
                render(KIND, to=person, ctx={"programme": careers}, dedupe_key=f"q:{person.pk}")
        wording.clear()
        return len(queries)

    assert send(1) == send(20) == 1


def test_an_email_that_names_its_programme_by_id_loads_it_once(careers):
    from tests.factories import MentorshipRequestFactory

    requests = [MentorshipRequestFactory(programme=careers) for _ in range(5)]
    fresh = [type(r).objects.get(pk=r.pk) for r in requests]  # programme not loaded
    wording.clear()

    with CaptureQueriesContext(connection) as queries:
        for req in fresh:
            words = wording.words_for("request_received", *wording.programme_in({"req": req})[:1])
            assert not words
            assert wording.programme_in({"req": req})[1].name == "Careers mentoring"

    assert len(queries) == 2  # the wording table, then every programme at once


def test_saving_wording_empties_the_cache(careers):
    assert not _email(careers).body_text.count("New words")
    EmailWording.objects.create(kind=KIND, programme=careers, intro="New words.")

    assert "New words." in _email(careers).body_text


# The admin ---------------------------------------------------------------------------------


def _changelist(client):
    return client.get(reverse("admin:mentoring_emailwording_changelist"))


@pytest.fixture
def rows(careers, staff):
    return {
        "default": EmailWording.objects.create(kind=KIND, intro="For every programme."),
        "careers": EmailWording.objects.create(kind=KIND, programme=careers, intro="Careers."),
        "staff": EmailWording.objects.create(kind=KIND, programme=staff, intro="Staff."),
    }


def test_a_superuser_sees_and_changes_every_row(client_for, admin_user, rows):
    client = client_for(admin_user)

    page = _changelist(client)
    assert page.status_code == 200
    assert page.context["cl"].result_count == 3
    assert "To the mentor when a programme approves them" in page.content.decode()
    response = client.post(
        reverse("admin:mentoring_emailwording_change", args=[rows["default"].pk]),
        {"kind": KIND, "programme": "", "language": "", "intro": "Edited.", "sign_off": ""},
    )
    assert response.status_code == 302
    rows["default"].refresh_from_db()
    assert rows["default"].intro == "Edited." and rows["default"].updated_by == admin_user


def test_a_coordinator_changes_their_programmes_wording_and_reads_the_default(
    client_for, cora, rows, careers
):
    client = client_for(cora)

    page = _changelist(client)
    assert page.status_code == 200
    listed = {row.pk for row in page.context["cl"].result_list}
    assert listed == {rows["default"].pk, rows["careers"].pk}
    change = reverse("admin:mentoring_emailwording_change", args=[rows["careers"].pk])
    response = client.post(
        change,
        {"kind": KIND, "programme": careers.pk, "language": "", "intro": "Ours.", "sign_off": ""},
    )
    assert response.status_code == 302
    rows["careers"].refresh_from_db()
    assert rows["careers"].intro == "Ours." and rows["careers"].updated_by == cora
    default = reverse("admin:mentoring_emailwording_change", args=[rows["default"].pk])
    assert client.get(default).status_code == 200  # read only
    client.post(
        default, {"kind": KIND, "programme": "", "language": "", "intro": "Hack", "sign_off": ""}
    )
    rows["default"].refresh_from_db()
    assert rows["default"].intro == "For every programme."


def test_a_coordinator_cannot_add_a_default_or_another_programmes_wording(client_for, cora, staff):
    client = client_for(cora)
    add = reverse("admin:mentoring_emailwording_add")

    default = client.post(
        add, {"kind": KIND, "programme": "", "language": "", "intro": "x", "sign_off": ""}
    )
    other = client.post(
        add, {"kind": KIND, "programme": staff.pk, "language": "", "intro": "x", "sign_off": ""}
    )

    assert "Choose one of your programmes" in default.content.decode()
    assert "Select a valid choice" in other.content.decode()
    assert not EmailWording.objects.exists()


def test_a_coordinator_of_another_programme_gets_404(client_for, sam, rows):
    client = client_for(sam)

    change = reverse("admin:mentoring_emailwording_change", args=[rows["careers"].pk])

    assert client.get(change).status_code == 404
    assert rows["careers"].pk not in {r.pk for r in _changelist(client).context["cl"].result_list}


def test_anonymous_is_sent_to_sign_in(client, rows):
    response = _changelist(client)

    assert response.status_code == 302 and "login" in response["Location"]


def test_the_changelist_has_a_constant_number_of_queries(
    client_for, admin_user, careers, django_assert_max_num_queries
):
    for i in range(15):
        programme = ProgrammeFactory(slug=f"p{i}")
        EmailWording.objects.create(kind=KIND, programme=programme, updated_by=admin_user)
    client = client_for(admin_user)

    with django_assert_max_num_queries(12):
        assert _changelist(client).status_code == 200


def test_each_row_links_to_a_live_preview(client_for, admin_user, rows, careers):
    client = client_for(admin_user)

    page = _changelist(client).content.decode()
    preview = client.get(reverse("admin-email-previews"), {"kind": KIND, "programme": careers.pk})

    assert f"?kind={KIND}&amp;language=&amp;programme={careers.pk}" in page
    assert "Careers." in preview.context["email"].body_text
    assert "Careers mentoring" in preview.context["email"].body_html


# Previews ----------------------------------------------------------------------------------


def test_every_email_kind_has_a_human_title():
    from mentoring import email_kinds

    assert set(email_kinds.all_slugs()) <= set(email_kinds.REGISTRY)


def test_previews_are_listed_by_audience_with_human_titles(client_for, admin_user):
    page = client_for(admin_user).get(reverse("admin-email-previews")).content.decode()

    assert "<h2>To mentors</h2>" in page
    assert "To the mentor when a mentee is Interested" in page
    assert "To both when a pair is introduced" in page
    assert "request_received</small>" in page  # the slug, secondary
    assert 'iframe sandbox=""' in page


def test_a_preview_uses_the_chosen_programmes_wording(client_for, admin_user, careers):
    EmailWording.objects.create(kind="request_received", programme=careers, intro="Be kind.")
    client = client_for(admin_user)

    plain = client.get(reverse("admin-email-previews"), {"kind": "request_received"})
    chosen = client.get(
        reverse("admin-email-previews"), {"kind": "request_received", "programme": careers.pk}
    )
    frame = client.get(
        reverse("admin-email-preview-html", args=["request_received"]),
        {"programme": careers.pk},
    )

    assert "Be kind." not in plain.context["email"].body_text
    assert "Be kind." in chosen.context["email"].body_text
    assert "<p>Be kind.</p>" in frame.content.decode()


def test_a_coordinator_may_not_preview_with_another_programmes_wording(client_for, cora, staff):
    EmailWording.objects.create(kind="request_received", programme=staff, intro="Staff secret.")

    page = client_for(cora).get(
        reverse("admin-email-previews"), {"kind": "request_received", "programme": staff.pk}
    )

    assert page.status_code == 200
    assert "Staff secret." not in page.context["email"].body_text


# Programme logo ----------------------------------------------------------------------------


def _image(fmt="PNG", size=(120, 40)):
    out = io.BytesIO()
    Image.new("RGB", size, "navy").save(out, fmt)
    return out.getvalue()


def _programme_form(programme, client, logo, **extra):
    from django.forms.models import model_to_dict

    page = client.get(reverse("admin:profiles_programme_change", args=[programme.pk]))
    data = {}
    form = page.context["adminform"].form
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if value is None or name == "logo":
            continue
        data[name] = [str(v) for v in value] if isinstance(value, list | tuple) else value
    data.update(model_to_dict(programme, fields=["name", "slug"]))
    data["logo"] = logo
    data["contact_email"] = "careers@example.org"
    data.update(extra)
    return client.post(reverse("admin:profiles_programme_change", args=[programme.pk]), data)


def test_a_logo_that_is_not_an_image_is_refused_next_to_the_field(
    client_for, admin_user, careers, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    client = client_for(admin_user)

    response = _programme_form(
        careers, client, SimpleUploadedFile("logo.png", b"GIF89a not a png", "image/png")
    )

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors["logo"] == ["Choose a PNG or JPEG image. This file is not one of those."]
    assert 'value="careers@example.org"' in response.content.decode()  # what was typed stays
    careers.refresh_from_db()
    assert not careers.logo


def test_a_logo_too_large_in_pixels_is_refused(client_for, admin_user, careers, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path

    response = _programme_form(
        careers,
        client_for(admin_user),
        SimpleUploadedFile("logo.png", _image(size=(2400, 100)), "image/png"),
    )

    assert "at most 2000 pixels" in response.context["adminform"].form.errors["logo"][0]


def test_a_png_logo_is_stored_and_shown_on_the_programme_page(
    client_for, mentee, admin_user, careers, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path

    response = _programme_form(
        careers, client_for(admin_user), SimpleUploadedFile("logo.png", _image(), "image/png")
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    careers.refresh_from_db()
    assert careers.logo.name.startswith("programme-logos/") and careers.logo.name.endswith(".png")
    assert careers.contact_email == "careers@example.org"
    page = client_for(mentee).get(reverse("profiles:programme-detail", args=["careers"]))
    page = page.content.decode()
    assert f'<img src="{careers.logo.url}" alt="Careers mentoring"' in page
    assert 'href="mailto:careers@example.org"' in page


def test_a_replaced_or_cleared_logos_old_file_is_deleted_once_the_save_commits(
    client_for, admin_user, careers, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    client = client_for(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        _programme_form(careers, client, SimpleUploadedFile("a.png", _image(), "image/png"))
    careers.refresh_from_db()
    first = careers.logo.name
    assert (tmp_path / first).exists()

    with django_capture_on_commit_callbacks(execute=False) as pending:
        response = _programme_form(
            careers, client, SimpleUploadedFile("b.png", _image("JPEG"), "image/jpeg")
        )
        assert response.status_code == 302
        assert (tmp_path / first).exists()  # not before the save commits
    for callback in pending:
        callback()
    careers.refresh_from_db()
    second = careers.logo.name
    assert second != first and (tmp_path / second).exists()
    assert not (tmp_path / first).exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = _programme_form(careers, client, "", **{"logo-clear": "on"})
    assert response.status_code == 302
    careers.refresh_from_db()
    assert not careers.logo
    assert not (tmp_path / second).exists()


def test_saving_a_programme_without_touching_its_logo_keeps_the_file(
    client_for, admin_user, careers, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    client = client_for(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        _programme_form(careers, client, SimpleUploadedFile("a.png", _image(), "image/png"))
    careers.refresh_from_db()
    kept = careers.logo.name

    with django_capture_on_commit_callbacks(execute=True):
        response = _programme_form(careers, client, "")

    assert response.status_code == 302
    careers.refresh_from_db()
    assert careers.logo.name == kept and (tmp_path / kept).exists()


def test_the_programme_page_falls_back_to_the_sites_contact_address(client_for, mentee, careers):
    page = client_for(mentee).get(reverse("profiles:programme-detail", args=["careers"]))
    page = page.content.decode()

    assert 'href="mailto:mentoring@example.org"' in page


# Where the words go -----------------------------------------------------------------------


def test_the_intro_follows_a_greeting_in_any_language_and_the_sign_off_precedes_a_footer():
    words = wording.Words(intro="Our news.", sign_off="The team")
    text = "Helo Maya,\n\nMae gennych neges.\n\n--\nStop reminders: http://x/\n"
    html = "<body><!--content-->\n<p>Helo Maya,</p>\n<p>Mae gennych neges.</p></body>"

    assert wording.apply_to_text(text, words, "Mentoring Scheme") == (
        "Helo Maya,\n\nOur news.\n\nMae gennych neges.\n\nThe team\n\n--\nStop reminders: http://x/\n"
    )
    assert wording.apply_to_html(html, words) == (
        "<body>\n<p>Helo Maya,</p>\n<p>Our news.</p>\n<p>Mae gennych neges.</p></body>"
    )


def test_an_email_without_a_greeting_opens_with_the_intro():
    words = wording.Words(intro="Our news.")

    assert wording.apply_to_text("A report came in.\n", words, "S") == (
        "Our news.\n\nA report came in.\n"
    )
    assert wording.apply_to_html("<!--content--><p>A report came in.</p>", words) == (
        "<p>Our news.</p>\n<p>A report came in.</p>"
    )
