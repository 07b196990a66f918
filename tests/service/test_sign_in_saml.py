"""Browser sign-in through SAML 2.0 end to end: a real `corgi serve` as the service provider and a
real identity provider from PyPI, pysaml2's `Server` (it signs with Debian's `xmlsec1`), driven as
a browser would: GET /auth/saml/login (an AuthnRequest in the HTTP-Redirect binding, which the
IdP parses), the IdP's signed response POSTed to /auth/saml/acs with the sign-in cookie, then the
API with the session cookie.

The attacks each get the 401 problem+json naming the reason and a `sign_in.refused` audit row:
another audience, an expired assertion, a replayed one, an unsigned one, one signed by another
key, a tampered one, signature wrapping (the signed assertion moved aside and an unsigned one put
in its place, or added beside it), an answer to another sign-in (InResponseTo), another issuer,
another recipient, and a document type (entity expansion).
"""
import base64
import copy
import datetime
import os
import pathlib
import re
import sqlite3
import subprocess
import urllib.parse
import zlib

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from xml.etree import ElementTree as etree
from saml2 import BINDING_HTTP_REDIRECT
from saml2.config import IdPConfig
from saml2.saml import NAMEID_FORMAT_PERSISTENT, NameID
from saml2.server import Server
from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256

from corgi_service import CorgiService, corgi_binary
from test_sign_in import SIGN_IN, SESSION, CSRF, call

ORGANISATION = "github/acme"
SP_ENTITY = "https://corgi.acme.example/saml"
IDP_ENTITY = "https://idp.acme.example/"
NS = {"samlp": "urn:oasis:names:tc:SAML:2.0:protocol", "saml": "urn:oasis:names:tc:SAML:2.0:assertion",
      "ds": "http://www.w3.org/2000/09/xmldsig#"}


def key_and_certificate(directory: pathlib.Path, name: str) -> tuple[pathlib.Path, pathlib.Path]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
                   .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
                   .not_valid_after(now + datetime.timedelta(days=30)).sign(key, hashes.SHA256()))
    key_path, certificate_path = directory / f"{name}.key", directory / f"{name}.crt"
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    certificate_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return key_path, certificate_path


class IdentityProvider:
    """pysaml2's IdP with its own key (or another one, to forge with)."""

    def __init__(self, directory: pathlib.Path, acs: str, sso: str, name: str = "idp"):
        self.key, self.certificate = key_and_certificate(directory, name)
        metadata = (f'<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="{SP_ENTITY}">'
                    '<md:SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol" WantAssertionsSigned="true">'
                    f'<md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="{acs}" index="0"/>'
                    '</md:SPSSODescriptor></md:EntityDescriptor>')
        config = IdPConfig().load({
            "entityid": IDP_ENTITY,
            "service": {"idp": {"endpoints": {"single_sign_on_service": [(sso, BINDING_HTTP_REDIRECT)]},
                                "policy": {"default": {"lifetime": {"minutes": 5}, "attribute_restrictions": None}},
                                "name_id_format": [NAMEID_FORMAT_PERSISTENT]}},
            "key_file": str(self.key), "cert_file": str(self.certificate), "metadata": {"inline": [metadata]},
            "xmlsec_binary": "/usr/bin/xmlsec1",
        })
        self.server = Server(config=config)
        self.acs = acs

    def request(self, redirect_url: str):
        """The AuthnRequest the service sent (parsed and checked by pysaml2) and its RelayState."""
        query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(redirect_url).query))
        parsed = self.server.parse_authn_request(query["SAMLRequest"], BINDING_HTTP_REDIRECT)
        return parsed.message, query["RelayState"]

    def response(self, in_response_to: str, person: str = "alice", groups=("security",), audience: str = SP_ENTITY,
                 destination: str | None = None, sign: bool = True) -> str:
        return str(self.server.create_authn_response(
            identity={"groups": list(groups), "email": [f"{person}@acme.example"]}, in_response_to=in_response_to,
            destination=destination or self.acs, sp_entity_id=audience, name_id=NameID(format=NAMEID_FORMAT_PERSISTENT, text=person),
            sign_assertion=sign, sign_response=False, userid=person, authn={"class_ref": "urn:oasis:names:tc:SAML:2.0:ac:classes:Password"},
            sign_alg=SIG_RSA_SHA256, digest_alg=DIGEST_SHA256))

    def expired_response(self, in_response_to: str) -> str:
        """Signed, but every expiry an hour ago: the IdP's clock (pysaml2's `time_util`) set back."""
        import saml2.time_util as time_util
        real = time_util.datetime

        class Past(real):
            @classmethod
            def now(cls, tz=None):
                return real.now(tz) - datetime.timedelta(hours=1)

        time_util.datetime = Past
        try:
            return self.response(in_response_to)
        finally:
            time_util.datetime = real


class SAMLService:
    def __init__(self, workdir: pathlib.Path, github):
        self.service = CorgiService(workdir, github)
        self.acs = f"{self.service.url}/auth/saml/acs"
        self.idp = IdentityProvider(workdir, self.acs, "http://127.0.0.1:9/sso")
        (self.service.secrets_dir / "session-signing-key").write_text(base64.b64encode(bytes(range(48))).decode())
        self.service.settings.write_text(self.service.settings.read_text() + f"""
sso:
  saml:
    idp_entity_id: {IDP_ENTITY}
    idp_sso_url: http://127.0.0.1:9/sso
    idp_certificate_file: {self.idp.certificate}
    sp_entity_id: {SP_ENTITY}
    acs_url: {self.acs}
    organisation: {ORGANISATION}
    roles: ["security=owner", "developers=member"]
""")

    def login(self) -> tuple[object, str, str]:
        """GET /auth/saml/login: (the AuthnRequest, its RelayState, the sign-in cookie)."""
        answer = call("GET", self.service.url + "/auth/saml/login")
        assert answer.status == 302, answer
        cookie = answer.cookies[SIGN_IN]
        assert {"httponly", "path", "samesite"} <= cookie.flags, cookie
        request, relay = self.idp.request(answer.location)
        return request, relay, cookie.value

    def post(self, response: str | bytes, relay: str, cookie: str | None):
        data = response.encode() if isinstance(response, str) else response
        body = urllib.parse.urlencode({"SAMLResponse": base64.b64encode(data).decode(), "RelayState": relay})
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        if cookie:
            headers["Cookie"] = f"{SIGN_IN}={cookie}"
        return call("POST", self.acs, headers=headers, body=body)

    def audit(self, action: str) -> list[dict]:
        uri = pathlib.Path(self.service.database).resolve().as_uri() + "?mode=ro"
        with sqlite3.connect(uri, uri=True, timeout=30) as db:
            import json
            return [json.loads(row[0]) | {"actor": row[1]} for row in
                    db.execute("SELECT metadata, actor FROM audit_events WHERE action = ? ORDER BY id", (action,))]


@pytest.fixture(scope="module")
def saml(github_double, tmp_path_factory):
    service = SAMLService(tmp_path_factory.mktemp("saml"), github_double)
    with service.service:
        yield service


def refused(saml: SAMLService, answer, reason: str, audited: str | None = None):
    assert answer.status == 401 and answer.headers["Content-Type"] == "application/problem+json", answer
    assert reason in answer.json()["detail"], answer.json()
    assert answer.cookies[SIGN_IN].attributes.get("max-age") == "0", "the sign-in cookie is cleared"
    audited = audited or reason
    assert any(audited in row["reason"] and row["provider"] == "saml" for row in saml.audit("sign_in.refused")), audited


def test_a_signed_assertion_signs_the_person_in_with_the_role_of_their_group(saml):
    request, relay, cookie = saml.login()
    assert request.destination == "http://127.0.0.1:9/sso" and request.issuer.text == SP_ENTITY
    assert request.assertion_consumer_service_url == saml.acs
    answer = saml.post(saml.idp.response(request.id), relay, cookie)
    assert answer.status == 303 and answer.location == "/", answer
    session, csrf = answer.cookies[SESSION].value, answer.cookies[CSRF].value
    me = call("GET", saml.service.url + "/api/v1/me", headers={"Cookie": f"{SESSION}={session}; {CSRF}={csrf}"})
    assert me.status == 200 and me.json()["role"] == "owner" and me.json()["actor"].endswith("alice"), me
    succeeded = saml.audit("sign_in.succeeded")[-1]
    assert succeeded["provider"] == "saml" and succeeded["role"] == "owner"
    # A member of a group mapped lower gets that role; one in no mapped group is refused.
    request, relay, cookie = saml.login()
    answer = saml.post(saml.idp.response(request.id, person="bob", groups=("developers",)), relay, cookie)
    assert answer.status == 303
    request, relay, cookie = saml.login()
    refused(saml, saml.post(saml.idp.response(request.id, person="dave", groups=("marketing",)), relay, cookie), "none of your groups",
            audited="none of the person's groups")


def test_a_replayed_assertion_is_refused_even_with_a_new_sign_in(saml):
    request, relay, cookie = saml.login()
    response = saml.idp.response(request.id)
    assert saml.post(response, relay, cookie).status == 303
    refused(saml, saml.post(response, relay, cookie), "already completed")
    # A fresh flow in the same browser: the old response answers another request.
    _, relay2, cookie2 = saml.login()
    refused(saml, saml.post(response, relay2, cookie2), "InResponseTo")


def wrap_moving_the_signed_assertion(xml: str, evil: str = "mallory") -> bytes:
    """XSW: the signed assertion moved into an Extensions element; an unsigned copy naming
    `evil` put where the service reads."""
    root = etree.fromstring(xml.encode())
    signed = root.find("saml:Assertion", NS)
    forged = copy.deepcopy(signed)
    forged.remove(forged.find("ds:Signature", NS))
    forged.find("saml:Subject/saml:NameID", NS).text = evil
    extensions = etree.SubElement(root, f"{{{NS['samlp']}}}Extensions")
    root.remove(signed)
    extensions.append(signed)
    root.append(forged)
    return etree.tostring(root)


def wrap_beside(xml: str) -> bytes:
    """XSW: a second, unsigned assertion with another ID added after the signed one."""
    root = etree.fromstring(xml.encode())
    forged = copy.deepcopy(root.find("saml:Assertion", NS))
    forged.remove(forged.find("ds:Signature", NS))
    forged.set("ID", "_forged")
    forged.find("saml:Subject/saml:NameID", NS).text = "mallory"
    root.append(forged)
    return etree.tostring(root)


def tampered(xml: str) -> bytes:
    return xml.replace(">alice<", ">mallory<").encode()


def with_doctype(xml: str) -> bytes:
    body = xml.split("?>", 1)[1] if xml.startswith("<?xml") else xml
    return ('<?xml version="1.0"?><!DOCTYPE lol [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>' + body).encode()


@pytest.mark.parametrize("attack, reason", [
    (lambda idp, rid, forger: idp.response(rid, audience="https://elsewhere.example/saml"), "another audience"),
    (lambda idp, rid, forger: idp.expired_response(rid), "expired"),
    (lambda idp, rid, forger: idp.response(rid, sign=False), "not signed"),
    (lambda idp, rid, forger: forger.response(rid), "does not verify"),
    (lambda idp, rid, forger: tampered(idp.response(rid)), "does not verify"),
    (lambda idp, rid, forger: wrap_moving_the_signed_assertion(idp.response(rid)), "signature wrapping"),
    (lambda idp, rid, forger: wrap_beside(idp.response(rid)), "exactly one assertion"),
    (lambda idp, rid, forger: idp.response("_someone-elses-request"), "InResponseTo"),
    (lambda idp, rid, forger: idp.response(rid, destination="https://elsewhere.example/acs"), "another"),
    (lambda idp, rid, forger: with_doctype(idp.response(rid)), "document type"),
    (lambda idp, rid, forger: b"<samlp:Response", "not well-formed"),
])
def test_attacks_on_the_response_are_refused_and_audited(saml, tmp_path, attack, reason):
    forger = IdentityProvider(tmp_path, saml.acs, "http://127.0.0.1:9/sso", name="forger")
    request, relay, cookie = saml.login()
    refused(saml, saml.post(attack(saml.idp, request.id, forger), relay, cookie), reason)


def test_without_this_browsers_sign_in_cookie_a_valid_response_is_refused(saml):
    request, relay, cookie = saml.login()
    refused(saml, saml.post(saml.idp.response(request.id), relay, None), "no sign-in in progress")


def test_the_audit_chain_verifies_after_every_sign_in_and_refusal(saml):
    result = subprocess.run([corgi_binary(), "audit", "verify", "--config", str(saml.service.settings)], capture_output=True, text=True,
                            timeout=60, env={k: v for k, v in os.environ.items() if not k.startswith("CORGI_")})
    assert result.returncode == 0, result.stdout + result.stderr
    logs = "\n".join(saml.service.log_lines)
    assert "SAMLResponse" not in logs and not re.search(r"PHNhbWxw|<saml", logs), "no response in the log"
