"""What matching tells the apps above it. A higher app reacts to a pair's change by listening
here; matching never imports it (DESIGN "Layers")."""

from collections.abc import Sequence

from django.dispatch import Signal

# Sent by services.end_mentorship and services.complete_mentorship inside their transaction, once
# the pair is saved as ended or completed, with `mentorship` (its `ended_at` set). A receiver's
# writes commit or roll back with the ending.
mentorship_ended = Signal()

# A receiver may return extra context for the ending's emails, by the person they go to:
# {user_pk: {name: value}} (sessions_log returns the meetings it cancelled and their calendar
# cancellations). `email_context` merges what the receivers returned.


def email_context(responses: Sequence[tuple[object, object]]) -> dict[int, dict]:
    merged: dict[int, dict] = {}
    for _receiver, response in responses:
        if isinstance(response, dict):
            for person_pk, ctx in response.items():
                merged.setdefault(person_pk, {}).update(ctx)
    return merged
