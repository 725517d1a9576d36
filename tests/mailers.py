"""Email backends that stand in for the SMTP server in tests."""

from __future__ import annotations

import smtplib
import threading

from django.core.mail.backends.locmem import EmailBackend as LocmemBackend


class FailingBackend(LocmemBackend):
    """An SMTP server that hangs up on every message."""

    def send_messages(self, messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


class BlockingBackend(LocmemBackend):
    """Holds each send until `release` is set, so a test can race a second send against it."""

    sending = threading.Event()
    release = threading.Event()

    def send_messages(self, messages):
        type(self).sending.set()
        if not type(self).release.wait(timeout=10):
            raise TimeoutError("the test never released the send")
        return super().send_messages(messages)
