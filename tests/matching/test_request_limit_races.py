"""The rate limit holds when a mentee's requests arrive at the same moment: it is counted in the
database under the mentee's lock, so two processes cannot both see room for one more."""

from __future__ import annotations

from matching.models import MentorshipRequest
from matching.services import MatchingError, send_request
from tests.factories import MenteeProfileFactory, MentorProfileFactory
from tests.matching.conftest import MESSAGE
from tests.matching.test_races import _race, _reseed_expertise_areas, racing

__all__ = ["_reseed_expertise_areas"]  # the module's autouse fixture applies here too


@racing
def test_requests_sent_at_once_never_pass_the_hourly_limit(settings):
    settings.REQUEST_RATE_LIMIT_PER_HOUR = 2
    mentee = MenteeProfileFactory().user
    mentors = [MentorProfileFactory().user for _ in range(8)]

    results = _race(
        [
            lambda mentor=mentor: send_request(mentee=mentee, mentor=mentor, message=MESSAGE)
            for mentor in mentors
        ]
    )

    sent = [r for r in results if isinstance(r, MentorshipRequest)]
    refused = [r for r in results if isinstance(r, MatchingError)]
    assert len(sent) == 2
    assert len(refused) == 6
    assert MentorshipRequest.objects.filter(mentee=mentee).count() == 2
