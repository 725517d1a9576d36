"""The single sign-on tests' identity providers.

OpenID Connect: django-oauth-toolkit run as a real provider in its own process
(tests/sso_provider), with an RSA signing key made for the run, on a free loopback port. Our app
talks to it over HTTP like to Microsoft Entra ID or Keycloak: discovery, authorisation code with
PKCE, token, JWKS and userinfo.

SAML: a test IdP certificate and key made with `cryptography`, and Responses signed with
python3-saml's xmlsec-based signing, as an IdP would send them.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
import socket
import subprocess
import sys
import time
import uuid
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "correct horse battery staple"  # noqa: S105 (the in-test provider's users)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def private_pem(key: rsa.RSAPrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


@dataclass
class ProviderUser:
    username: str
    email: str
    first_name: str
    last_name: str
    groups: list[str] = field(default_factory=list)  # "unverified", "mfa", "amr:sms"


@dataclass
class OIDCProvider:
    """A running provider: its base URL and the client our app is registered as."""

    url: str
    client_id: str
    client_secret: str
    process: subprocess.Popen

    def app_config(self, provider_id: str = "university", name: str = "University login"):
        """The provider as SSO_OIDC_PROVIDERS would configure it (accounts.sso_config)."""
        return [
            {
                "id": provider_id,
                "name": name,
                "server_url": f"{self.url}/o",
                "client_id": self.client_id,
                "secret": self.client_secret,
            }
        ]

    def sign_in(self, authorize_url: str, username: str) -> str:
        """What a person does at the provider: opens the authorisation URL our app redirected
        to, signs in with their password, and is sent back. Returns the callback URL (with the
        code) the provider redirects the browser to."""
        session = requests.Session()
        page = session.get(authorize_url, timeout=10)
        page.raise_for_status()
        csrf = session.cookies["idp_csrftoken"]
        response = session.post(
            page.url,
            data={
                "username": username,
                "password": PASSWORD,
                "csrfmiddlewaretoken": csrf,
                "next": parse_qs(urlparse(page.url).query)["next"][0],
            },
            headers={"Referer": page.url},
            allow_redirects=False,
            timeout=10,
        )
        assert response.status_code == 302, response.text
        authorize = session.get(
            self.url + response.headers["Location"], allow_redirects=False, timeout=10
        )
        assert authorize.status_code == 302, authorize.text
        return authorize.headers["Location"]


def start_oidc_provider(
    tmp_path: Path, users: list[ProviderUser], redirect_uris: list[str]
) -> OIDCProvider:
    key_file = tmp_path / "idp-key.pem"
    key_file.write_text(private_pem(rsa_key()))
    client_id, client_secret = uuid.uuid4().hex, uuid.uuid4().hex
    spec = tmp_path / "idp-spec.json"
    spec.write_text(
        json.dumps(
            {
                "client_id": client_id,
                "client_secret": client_secret,
                "redirect_uris": redirect_uris,
                "users": [{**user.__dict__, "password": PASSWORD} for user in users],
            }
        )
    )
    port = free_port()
    env = {
        **os.environ,
        "SSO_PROVIDER_DB": str(tmp_path / "idp.sqlite3"),
        "SSO_PROVIDER_KEY": str(key_file),
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    process = subprocess.Popen(  # noqa: S603 (our own interpreter and module)
        [sys.executable, "-m", "tests.sso_provider.serve", str(port), str(spec)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=(tmp_path / "idp.log").open("w"),
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log = (tmp_path / "idp.log").read_text()
            raise RuntimeError(f"the test provider stopped: {log}")
        try:
            requests.get(f"{url}/o/.well-known/openid-configuration", timeout=1)
            break
        except requests.ConnectionError:
            time.sleep(0.1)
    else:
        process.kill()
        raise RuntimeError("the test provider did not start")
    return OIDCProvider(url, client_id, client_secret, process)


# SAML


@dataclass
class TestIdP:
    """A SAML identity provider's signing certificate and key, made for the test."""

    __test__ = False  # not a test class

    entity_id: str
    key_pem: str
    cert_pem: str

    @property
    def cert_base64(self) -> str:
        """The certificate as an IdP's metadata gives it (base64 DER, no PEM armour)."""
        return "".join(self.cert_pem.strip().splitlines()[1:-1])


def make_idp(entity_id: str = "https://idp.example.ac.uk/saml") -> TestIdP:
    key = rsa_key()
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test IdP")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    return TestIdP(
        entity_id, private_pem(key), cert.public_bytes(serialization.Encoding.PEM).decode()
    )


def authn_request_id(redirect_url: str) -> str:
    """The ID of the AuthnRequest our app sent (HTTP-Redirect binding: deflated, base64)."""
    encoded = parse_qs(urlparse(redirect_url).query)["SAMLRequest"][0]
    xml = zlib.decompress(base64.b64decode(encoded), -15).decode()
    start = xml.index('ID="') + 4
    return xml[start : xml.index('"', start)]


def saml_response(
    idp: TestIdP,
    *,
    acs_url: str,
    audience: str,
    in_response_to: str,
    name_id: str,
    attributes: dict[str, str],
    authn_context: str = "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport",
    signing_idp: TestIdP | None = None,
) -> str:
    """A Response with one Assertion, the assertion signed (enveloped, RSA-SHA256) with the
    IdP's key (or `signing_idp`'s, to sign with the wrong key). Returns the XML."""
    from onelogin.saml2.constants import OneLogin_Saml2_Constants
    from onelogin.saml2.utils import OneLogin_Saml2_Utils

    now = dt.datetime.now(dt.UTC)

    def stamp(moment: dt.datetime) -> str:
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")

    attrs = "".join(
        f'<saml:Attribute Name="{name}"><saml:AttributeValue>{value}</saml:AttributeValue>'
        "</saml:Attribute>"
        for name, value in attributes.items()
    )
    assertion_id = "_" + uuid.uuid4().hex
    assertion = (
        '<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" '
        f'ID="{assertion_id}" Version="2.0" IssueInstant="{stamp(now)}">'
        f"<saml:Issuer>{idp.entity_id}</saml:Issuer>"
        "<saml:Subject>"
        '<saml:NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress">'
        f"{name_id}</saml:NameID>"
        '<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">'
        f'<saml:SubjectConfirmationData NotOnOrAfter="{stamp(now + dt.timedelta(minutes=5))}" '
        f'Recipient="{acs_url}" InResponseTo="{in_response_to}"/>'
        "</saml:SubjectConfirmation></saml:Subject>"
        f'<saml:Conditions NotBefore="{stamp(now - dt.timedelta(minutes=1))}" '
        f'NotOnOrAfter="{stamp(now + dt.timedelta(minutes=5))}">'
        f"<saml:AudienceRestriction><saml:Audience>{audience}</saml:Audience>"
        "</saml:AudienceRestriction></saml:Conditions>"
        f'<saml:AuthnStatement AuthnInstant="{stamp(now)}" SessionIndex="{assertion_id}">'
        f"<saml:AuthnContext><saml:AuthnContextClassRef>{authn_context}"
        "</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>"
        f"<saml:AttributeStatement>{attrs}</saml:AttributeStatement>"
        "</saml:Assertion>"
    )
    signer = signing_idp or idp
    signed = OneLogin_Saml2_Utils.add_sign(
        assertion,
        signer.key_pem,
        signer.cert_pem,
        sign_algorithm=OneLogin_Saml2_Constants.RSA_SHA256,
        digest_algorithm=OneLogin_Saml2_Constants.SHA256,
    ).decode()
    signed = signed.split("?>", 1)[1] if signed.startswith("<?xml") else signed
    return (
        '<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" '
        'xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" '
        f'ID="_{uuid.uuid4().hex}" Version="2.0" IssueInstant="{stamp(now)}" '
        f'Destination="{acs_url}" InResponseTo="{in_response_to}">'
        f"<saml:Issuer>{idp.entity_id}</saml:Issuer>"
        '<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/>'
        f"</samlp:Status>{signed.strip()}</samlp:Response>"
    )
