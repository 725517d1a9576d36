"""What matching tells the apps above it. A higher app reacts to a pair's change by listening
here; matching never imports it (DESIGN "Layers")."""

from django.dispatch import Signal

# Sent by services.end_mentorship and services.complete_mentorship inside their transaction, once
# the pair is saved as ended or completed, with `mentorship` (its `ended_at` set). A receiver's
# writes commit or roll back with the ending.
mentorship_ended = Signal()
