"""Reply by email from a real IMAP mailbox: matching.jobs.fetch_reply_emails against pymap (a
pure-Python IMAP server, in memory) on the loopback, behind implicit TLS (port 993 style, as
IMAP4_SSL speaks) with a certificate made for the test. The job checks the certificate: one the
system does not trust is refused before the mailbox's password is sent."""

from __future__ import annotations

import datetime
import imaplib
import ipaddress
import socket
import ssl
import subprocess
import sys
import threading
import time
from io import StringIO
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.core.management import call_command

from matching.jobs import fetch_reply_emails
from matching.models import Message
from matching.reply_address import reply_address
from tests.matching.messaging import conversation
from tests.matching.test_reply_by_email import DOMAIN, raw_reply

# Takes a free port on loopback (or one it knows is closed): under `make test`'s parallel part
# the tests that do run in one process, one at a time, so no two of them meet on a port.
pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("ports")]
USER, PASSWORD = "replies", "mailbox-password"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _certificate(directory: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "imap.pem", directory / "imap.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


class _TLSFront:
    """Implicit TLS in front of pymap's plain port (pymap itself offers STARTTLS only)."""

    def __init__(self, backend_port: int, cert: Path, key: Path) -> None:
        self.context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self.context.load_cert_chain(cert, key)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.backend_port = backend_port
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._pipe_connection, args=(client,), daemon=True).start()

    def _pipe_connection(self, client: socket.socket) -> None:
        try:
            secure = self.context.wrap_socket(client, server_side=True)
        except (ssl.SSLError, OSError):
            client.close()
            return
        backend = socket.create_connection(("127.0.0.1", self.backend_port))
        done = threading.Event()

        def pipe(src, dst):
            try:
                while data := src.recv(65536):
                    dst.sendall(data)
            except OSError:
                pass
            done.set()

        threading.Thread(target=pipe, args=(secure, backend), daemon=True).start()
        threading.Thread(target=pipe, args=(backend, secure), daemon=True).start()
        done.wait(30)
        for s in (secure, backend):
            try:
                s.close()
            except OSError:
                pass

    def close(self) -> None:
        self.listener.close()


@pytest.fixture
def imap_server(tmp_path, settings, monkeypatch):
    """pymap's in-memory mailbox behind TLS; the settings point the job at it and the
    certificate is trusted the way a system trusts one (SSL_CERT_FILE)."""
    port = _free_port()
    server = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("pymap")),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--no-tls",
            "dict",
            "--demo-user",
            USER,
            "--demo-password",
            PASSWORD,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 20
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                raise RuntimeError("The IMAP server did not start") from None
            time.sleep(0.1)
    cert, key = _certificate(tmp_path)
    front = _TLSFront(port, cert, key)
    settings.REPLY_IMAP_HOST, settings.REPLY_IMAP_PORT = "127.0.0.1", front.port
    settings.REPLY_IMAP_USER, settings.REPLY_IMAP_PASSWORD = USER, PASSWORD
    settings.REPLY_IMAP_MAILBOX = "INBOX"
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    yield front, cert
    front.close()
    server.terminate()
    server.wait(10)


def _mailbox(front: _TLSFront, cert: Path) -> imaplib.IMAP4_SSL:
    context = ssl.create_default_context(cafile=str(cert))
    imap = imaplib.IMAP4_SSL("127.0.0.1", front.port, ssl_context=context, timeout=10)
    imap.login(USER, PASSWORD)
    imap.select("INBOX")
    return imap


def _deliver(front, cert, *messages: bytes) -> None:
    imap = _mailbox(front, cert)
    for raw in messages:
        imap.append("INBOX", None, None, raw)
    imap.logout()


@pytest.fixture
def conv():
    conv = conversation()
    for person in (conv.mentor, conv.mentee):
        EmailAddress.objects.update_or_create(
            user=person, email=person.email, defaults={"verified": True, "primary": True}
        )
    return conv


def test_replies_in_a_real_mailbox_are_stored_refused_and_marked_seen(imap_server, conv, settings):
    settings.REPLY_EMAIL_DOMAIN = DOMAIN
    front, cert = imap_server
    good = raw_reply(reply_address(conv.pk, conv.mentee_id), conv.mentee.email)
    forged = raw_reply(f"reply+{'0' * 40}@{DOMAIN}", conv.mentee.email, message_id="<f@x>")
    unreadable = raw_reply(
        reply_address(conv.pk, conv.mentor_id), conv.mentor.email, message_id="<u@x>"
    ).replace(b'charset="utf-8"', b'charset="x-no-such-charset"')
    assert b"x-no-such-charset" in unreadable
    _deliver(front, cert, good, forged, unreadable)

    out = StringIO()
    call_command("fetch_reply_emails", stdout=out)

    assert out.getvalue() == "Stored 2 replies by email; refused 1.\n"

    messages = {m.author_id: m for m in Message.objects.all()}
    assert messages[conv.mentee_id].body == "Tuesday at six works for me."
    assert messages[conv.mentee_id].by_email
    # An unknown character set is read as UTF-8, not a failure that blocks the mailbox.
    assert messages[conv.mentor_id].body == "Tuesday at six works for me."
    imap = _mailbox(front, cert)
    assert imap.search(None, "UNSEEN")[1] == [b""]  # all three seen, the refused one too
    assert imap.search(None, "SEEN")[1] == [b"1 2 3"]
    imap.logout()

    assert fetch_reply_emails() == (0, 0)  # run twice = once
    assert Message.objects.count() == 2


def test_a_certificate_the_system_does_not_trust_is_refused_before_logging_in(
    imap_server, conv, settings, monkeypatch
):
    settings.REPLY_EMAIL_DOMAIN = DOMAIN
    front, cert = imap_server
    _deliver(front, cert, raw_reply(reply_address(conv.pk, conv.mentee_id), conv.mentee.email))
    monkeypatch.setenv("SSL_CERT_FILE", str(cert.with_name("none.pem")))

    # Refused in the TLS handshake, before any login. Usually as a verification error; on a busy
    # machine the test's TLS front has also answered the aborted handshake with an alert first
    # (an SSLError of another kind): either way no password is sent and nothing is read.
    with pytest.raises(ssl.SSLError):
        fetch_reply_emails()

    assert not Message.objects.exists()
