"""Browser sign-in through OpenID Connect end to end: a real `corgi serve` (embedded SQLite, the
GitHub double as its forge) against a real OpenID provider, `oidc-provider-mock` from PyPI, driven
as a browser would but without one: GET /auth/oidc/login, the provider's authorization form posted
for a chosen person (`sub`), the callback on the service with the sign-in cookie, then the API with
the session cookie (and X-CSRF-Token for anything that changes something).

Every refusal is checked three ways: 401 problem+json naming the reason, the sign-in cookie
cleared, and a `sign_in.refused` audit row with the reason; successes with a `sign_in.succeeded`
row; and the audit chain is vouched for by `corgi audit verify` each time it is read.

The provider answers as `http://localhost:PORT` (its issuer is the request's host URL); plain http
is accepted only because both it and the service are on loopback, which is also why the cookies
here carry no `Secure` attribute and no `__Host-` prefix.
"""
import base64
import contextlib
import hashlib
import hmac
import http.client
import json
import os
import pathlib
import re
import secrets
import sqlite3
import subprocess
import time
import urllib.parse
import warnings
from dataclasses import dataclass, field
from datetime import timedelta

import pytest

with warnings.catch_warnings():
    import authlib.deprecate  # noqa: F401  (it turns its own warnings on at import; quieted here)
    warnings.simplefilter("ignore", DeprecationWarning)  # authlib's, about its modules the mock imports
    from oidc_provider_mock import User, run_server_in_thread

from corgi_service import CorgiService, corgi_binary

ORGANISATION = "github/acme"
CLIENT_ID = "corgi-test"
SESSION_MINUTES = 60
FLOW_SECONDS = 600

SIGN_IN, SESSION, CSRF = "corgi_signin", "corgi_session", "corgi_csrf"

# authlib (inside the provider) warns of its own deprecated interfaces at every token it issues.
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:authlib")


def people() -> list[User]:
    """The provider's people, fresh for each provider (it stores them and PUT /users changes them)."""
    return [
        User(sub="alice", claims={"email": "alice@acme.example", "groups": ["security"]}),
        User(sub="bob", claims={"email": "bob@acme.example", "groups": ["developers"]}),
        User(sub="erin", claims={"email": "erin@acme.example", "groups": ["developers", "marketing", "security"]}),
        User(sub="dave", claims={"email": "dave@acme.example", "groups": ["marketing"]}),
    ]


# ------------------------------------------------------------------------------------------------
# HTTP, without following redirects


@dataclass
class Cookie:
    value: str
    attributes: dict[str, str]

    @property
    def flags(self) -> set[str]:
        return set(self.attributes)


@dataclass
class Answer:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    def json(self):
        return json.loads(self.body)

    @property
    def location(self) -> str:
        return self.headers.get("Location", "")

    @property
    def cookies(self) -> dict[str, Cookie]:
        """The Set-Cookie headers by name (attribute names lower-cased)."""
        found = {}
        for header in self.headers.get_all("Set-Cookie") or []:
            first, *attributes = [part.strip() for part in header.split(";")]
            name, _, value = first.partition("=")
            found[name] = Cookie(value, {a.partition("=")[0].lower(): a.partition("=")[2] for a in attributes})
        return found

    def __repr__(self):
        return f"{self.status} {dict(self.headers)} {self.body[:400]!r}"


def call(method: str, url: str, *, headers: dict | None = None, body: bytes | str | None = None) -> Answer:
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        connection.request(method, parts.path + (f"?{parts.query}" if parts.query else ""), body=body, headers=headers or {})
        response = connection.getresponse()
        return Answer(response.status, response.headers, response.read())
    finally:
        connection.close()


def jwt_part(token: str, index: int) -> dict:
    part = token.split(".")[index]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def hs256(header: str, payload: str, key: bytes) -> str:
    """A JWT of these encoded parts signed with `key` (HS256)."""
    return f"{header}.{payload}.{b64url(hmac.new(key, f'{header}.{payload}'.encode(), hashlib.sha256).digest())}"


def flipped(text: str, index: int) -> str:
    """`text` with the base64url character at `index` replaced by another one."""
    return text[:index] + ("A" if text[index] != "A" else "B") + text[index + 1:]


# ------------------------------------------------------------------------------------------------
# The identity provider


class Provider:
    """oidc-provider-mock on a thread (ID tokens signed with a fresh RSA key per instance). Records
    every token it issues and when its key set was fetched, by wrapping its WSGI application."""

    def __init__(self, port: int = 0, **options):
        self.issued: list[str] = []
        self.jwks_fetches: list[float] = []
        self._context = run_server_in_thread(port=port, require_nonce=True, user_claims=people(), **options)
        self.server = self._context.__enter__()
        self.port = self.server.server_port
        self.issuer = f"http://localhost:{self.port}"
        inner = self.server.app

        def recording(environ, start_response):
            path = environ.get("PATH_INFO", "")
            if path == "/jwks":
                self.jwks_fetches.append(time.monotonic())
            body = b"".join(inner(environ, start_response))
            if path == "/oauth2/token":
                with contextlib.suppress(ValueError):
                    answer = json.loads(body)
                    self.issued += [answer[k] for k in ("id_token", "access_token", "refresh_token") if isinstance(answer.get(k), str)]
            return [body]

        self.server.app = recording

    def stop(self):
        self._context.__exit__(None, None, None)

    @property
    def id_tokens(self) -> list[str]:
        return [t for t in self.issued if t.count(".") == 2]

    def key_ids(self) -> set[str]:
        """The key ids of its key set (this fetch is not one of the service's)."""
        fetches = len(self.jwks_fetches)
        answer = call("GET", self.issuer + "/jwks")
        del self.jwks_fetches[fetches:]
        assert answer.status == 200, answer
        return {key["kid"] for key in answer.json()["keys"]}

    def set_claims(self, sub: str, claims: dict):
        answer = call("PUT", f"{self.issuer}/users/{sub}", headers={"Content-Type": "application/json"}, body=json.dumps(claims))
        assert answer.status == 204, answer

    def authorize(self, authorize_url: str, sub: str) -> Answer:
        """The person `sub` approves on the provider's authorization form (same query string)."""
        return call("POST", authorize_url, headers={"Content-Type": "application/x-www-form-urlencoded"},
                    body=urllib.parse.urlencode({"sub": sub}))


@contextlib.contextmanager
def provider_running(**options):
    provider = Provider(**options)
    try:
        yield provider
    finally:
        provider.stop()


@pytest.fixture(scope="module", autouse=True)
def insecure_transport_on_loopback():
    """authlib (inside the provider) refuses plain http unless told; everything here is loopback."""
    before = os.environ.get("AUTHLIB_INSECURE_TRANSPORT")
    os.environ["AUTHLIB_INSECURE_TRANSPORT"] = "1"
    yield
    if before is None:
        os.environ.pop("AUTHLIB_INSECURE_TRANSPORT", None)
    else:
        os.environ["AUTHLIB_INSECURE_TRANSPORT"] = before


# ------------------------------------------------------------------------------------------------
# The service


@dataclass
class Login:
    """A sign-in started at the service: where it sends the browser and the sign-in cookie."""
    authorize_url: str
    cookie: str

    @property
    def query(self) -> dict[str, str]:
        return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(self.authorize_url).query))


@dataclass
class Session:
    sub: str
    token: str
    csrf: str
    cookies: dict[str, Cookie] = field(default_factory=dict)

    @property
    def cookie_header(self) -> str:
        return f"{SESSION}={self.token}; {CSRF}={self.csrf}"


@dataclass
class AuditRow:
    actor: str
    action: str
    metadata: dict


class SignInService:
    """`corgi serve` with `sso.oidc` pointing at `provider`; the secrets as files."""

    def __init__(self, workdir: pathlib.Path, github, provider: Provider):
        self.provider = provider
        self.service = CorgiService(workdir, github)
        self.redirect_url = f"{self.service.url}/auth/oidc/callback"
        self.client_secret = secrets.token_urlsafe(32)
        self.signing_key = base64.b64encode(os.urandom(48)).decode()
        (self.service.secrets_dir / "oidc-client-secret").write_text(self.client_secret)
        (self.service.secrets_dir / "session-signing-key").write_text(self.signing_key)
        self.service.settings.write_text(self.service.settings.read_text() + f"""
sso:
  oidc:
    issuer: {provider.issuer}
    client_id: {CLIENT_ID}
    redirect_url: {self.redirect_url}
    organisation: {ORGANISATION}
    groups_claim: groups
    scopes: [groups]
    roles: ["security=owner", "developers=member", "auditors=auditor"]
  session_minutes: {SESSION_MINUTES}
""")
        # Every secret value this service handles or issues: none may be logged (test 9).
        self.secret_values: set[str] = {self.client_secret, self.signing_key}

    def __enter__(self):
        self.service.start()
        return self

    def __exit__(self, *exc):
        self.service.stop()

    @property
    def url(self) -> str:
        return self.service.url

    # The flow ------------------------------------------------------------------------------------

    def login(self) -> Login:
        answer = call("GET", self.url + "/auth/oidc/login")
        assert answer.status == 302, answer
        assert answer.location.startswith(self.provider.issuer + "/oauth2/authorize?"), answer.location
        assert answer.headers["Cache-Control"] == "no-store"
        cookie = answer.cookies[SIGN_IN]
        assert cookie.attributes["path"] == "/" and cookie.attributes["max-age"] == str(FLOW_SECONDS), cookie
        assert cookie.attributes["samesite"] == "Lax" and "httponly" in cookie.flags and "secure" not in cookie.flags, cookie
        login = Login(answer.location, cookie.value)
        flow = jwt_part(cookie.value, 1)
        assert flow["use"] == "sign-in" and flow["state"] == login.query["state"] and flow["nonce"] == login.query["nonce"]
        self.secret_values |= {cookie.value, flow["verifier"]}
        return login

    def authorized(self, login: Login | str, sub: str) -> str:
        """The callback URL the provider sends the browser to once `sub` approved."""
        answer = self.provider.authorize(login if isinstance(login, str) else login.authorize_url, sub)
        assert answer.status == 302, answer
        assert answer.location.startswith(self.redirect_url + "?"), answer.location
        self.secret_values.add(dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(answer.location).query))["code"])
        return answer.location

    def callback(self, callback_url: str, cookie: str | None, *, name: str = SIGN_IN) -> Answer:
        return call("GET", callback_url, headers={"Cookie": f"{name}={cookie}"} if cookie is not None else {})

    def sign_in(self, sub: str) -> Session:
        login = self.login()
        answer = self.callback(self.authorized(login, sub), login.cookie)
        assert answer.status == 303, answer
        assert answer.location == "/" and answer.headers["Cache-Control"] == "no-store"
        cookies = answer.cookies
        session, csrf = cookies[SESSION], cookies[CSRF]
        for cookie in (session, csrf):
            assert cookie.attributes["path"] == "/" and cookie.attributes["max-age"] == str(SESSION_MINUTES * 60), cookie
            assert cookie.attributes["samesite"] == "Lax" and "secure" not in cookie.flags, cookie
        assert "httponly" in session.flags, "the session cookie is out of reach of the page's scripts"
        assert "httponly" not in csrf.flags, "the page's scripts read the CSRF token to echo it"
        assert cookies[SIGN_IN].value == "" and cookies[SIGN_IN].attributes["max-age"] == "0", "the sign-in cookie is cleared"
        self.secret_values |= {session.value, csrf.value}
        return Session(sub, session.value, csrf.value, cookies)

    def api(self, method: str, path: str, session: Session | None = None, *, cookie: str | None = None, csrf: str | None = None,
            body: dict | None = None) -> Answer:
        headers = {"Cookie": cookie if cookie is not None else session.cookie_header}
        if csrf is not None:
            headers["X-CSRF-Token"] = csrf
        if body is not None:
            headers["Content-Type"] = "application/json"
        return call(method, self.url + path, headers=headers, body=json.dumps(body) if body is not None else None)

    # The audit log -------------------------------------------------------------------------------

    def audit(self) -> list[AuditRow]:
        """The audit rows, once `corgi audit verify --config` has vouched for the chain."""
        # A clean environment, as a user runs it: corgi refuses CORGI_* variables that look like secrets.
        environment = {k: v for k, v in os.environ.items() if not k.startswith("CORGI_")}
        result = subprocess.run([corgi_binary(), "audit", "verify", "--config", str(self.service.settings)],
                                capture_output=True, text=True, timeout=60, env=environment)
        assert result.returncode == 0 and "audit log intact" in result.stdout, result.stdout + result.stderr
        uri = pathlib.Path(self.service.database).resolve().as_uri() + "?mode=ro"
        with contextlib.closing(sqlite3.connect(uri, uri=True, timeout=30)) as db:
            return [AuditRow(actor, action, json.loads(metadata)) for actor, action, metadata in
                    db.execute("SELECT actor, action, metadata FROM audit_events ORDER BY id")]

    def sign_in_rows(self, since: int) -> list[AuditRow]:
        return [row for row in self.audit()[since:] if row.action.startswith("sign_")]

    def assert_no_secret_logged(self):
        logs = "\n".join(self.service.log_lines)
        assert '"msg":"signed in"' in logs, "the log shows sign-ins (so this check looks at the right lines)"
        values = set(self.secret_values) | set(self.provider.issued)
        # A JWT's signature alone identifies (and with its other parts, is) the token.
        values |= {v.rsplit(".", 1)[1] for v in values if v.count(".") == 2}
        assert len(values) >= 8, values
        for value in values:
            assert value not in logs, f"a secret, token or cookie value is in serve's log: {value[:12]}…"


def assert_refused(answer: Answer, reason: str, *, flow_cleared: bool = True) -> dict:
    """401 problem+json naming `reason`; the sign-in cookie cleared."""
    assert answer.status == 401, answer
    assert answer.headers["Content-Type"] == "application/problem+json", answer
    problem = answer.json()
    assert problem["status"] == 401 and reason in problem["detail"], problem
    if flow_cleared:
        cookie = answer.cookies[SIGN_IN]
        assert cookie.value == "" and cookie.attributes["max-age"] == "0", answer
    assert SESSION not in answer.cookies, "a refusal sets no session"
    return problem


def assert_refusal_audited(corgi: SignInService, since: int, reason: str, actor: str = "oidc"):
    rows = corgi.sign_in_rows(since)
    assert [(r.actor, r.action, r.metadata.get("reason")) for r in rows] == [(actor, "sign_in.refused", reason)], rows
    assert rows[0].metadata["provider"] == "oidc" and rows[0].metadata["forge"] == "github"


def problem_of(answer: Answer, status: int, detail: str) -> dict:
    assert answer.status == status, answer
    assert answer.headers["Content-Type"] == "application/problem+json", answer
    problem = answer.json()
    assert detail in problem["detail"], problem
    return problem



@pytest.fixture(scope="module")
def provider():
    with provider_running() as running:
        yield running


@pytest.fixture(scope="module")
def corgi(github_double, provider, tmp_path_factory):
    with SignInService(tmp_path_factory.mktemp("sign-in"), github_double, provider) as service:
        yield service


KEYS = "/api/v1/orgs/github/acme/api-keys"


# ------------------------------------------------------------------------------------------------
# 1. The happy path


def test_sign_in_gives_a_session_the_api_accepts_with_csrf_for_changes(corgi):
    before = len(corgi.audit())
    login = corgi.login()
    query = login.query
    assert (query["response_type"], query["client_id"], query["redirect_uri"]) == ("code", CLIENT_ID, corgi.redirect_url)
    assert query["scope"].split() == ["openid", "email", "profile", "groups"] and query["code_challenge_method"] == "S256"
    verifier = jwt_part(login.cookie, 1)["verifier"]
    assert query["code_challenge"] == b64url(hashlib.sha256(verifier.encode()).digest()), "PKCE S256 of the cookie's verifier"
    answer = corgi.callback(corgi.authorized(login, "alice"), login.cookie)
    assert answer.status == 303 and answer.location == "/", answer
    alice = Session("alice", answer.cookies[SESSION].value, answer.cookies[CSRF].value)
    corgi.secret_values |= {alice.token, alice.csrf}
    assert "httponly" in answer.cookies[SESSION].flags and "httponly" not in answer.cookies[CSRF].flags

    me = corgi.api("GET", "/api/v1/me", alice)
    assert me.status == 200 and me.headers["Cache-Control"] == "no-store", me
    assert me.json()["actor"] == "user:github/acme/alice" and me.json()["role"] == "owner", me.json()
    assert me.json()["organisation"] == {"forge": "github", "login": "acme"} and "api-keys:write" in me.json()["permissions"]
    assert me.json().get("key_id") is None

    listed = corgi.api("GET", KEYS, alice)
    assert listed.status == 200, listed
    names = [k["name"] for k in listed.json()["items"]]

    # Changing something: the CSRF token in X-CSRF-Token, not just the cookies a cross-site form sends.
    body = {"name": "from the browser", "role": "member"}
    problem_of(corgi.api("POST", KEYS, alice, body=body), 403, "X-CSRF-Token")
    problem_of(corgi.api("POST", KEYS, alice, body=body, csrf=flipped(alice.csrf, 5)), 403, "X-CSRF-Token")
    created = corgi.api("POST", KEYS, alice, body=body, csrf=alice.csrf)
    assert created.status == 201, created
    corgi.secret_values.add(created.json()["key"])
    assert created.json()["api_key"]["role"] == "member"
    listed = corgi.api("GET", KEYS, alice)
    assert [k["name"] for k in listed.json()["items"]] == names + ["from the browser"], listed
    # The key made in the browser works on its own.
    as_key = call("GET", corgi.url + "/api/v1/me", headers={"Authorization": f"Bearer {created.json()['key']}"})
    assert as_key.status == 200 and as_key.json()["role"] == "member", as_key

    # Signing out: the CSRF token again; the cookies are cleared.
    problem_of(call("POST", corgi.url + "/auth/logout", headers={"Cookie": alice.cookie_header}), 403, "X-CSRF-Token")
    problem_of(call("POST", corgi.url + "/auth/logout", headers={"X-CSRF-Token": alice.csrf}), 401, "not signed in")
    out = call("POST", corgi.url + "/auth/logout", headers={"Cookie": alice.cookie_header, "X-CSRF-Token": alice.csrf})
    assert out.status == 204, out
    for name in (SESSION, CSRF):
        assert out.cookies[name].value == "" and out.cookies[name].attributes["max-age"] == "0", out
    # The session ends on the server too: the old cookie, replayed from anywhere, is refused.
    problem_of(corgi.api("GET", "/api/v1/me", alice), 401, "sign in again")
    problem_of(corgi.api("POST", KEYS, alice, body=body, csrf=alice.csrf), 401, "sign in again")
    problem_of(call("POST", corgi.url + "/auth/logout", headers={"Cookie": alice.cookie_header, "X-CSRF-Token": alice.csrf}),
               401, "not signed in")

    rows = [r for r in corgi.audit()[before:] if r.action.startswith(("sign_", "api_key.created"))]
    assert [(r.actor, r.action) for r in rows] == [("user:github/acme/alice", "sign_in.succeeded"),
                                                   ("user:github/acme/alice", "api_key.created"),
                                                   ("user:github/acme/alice", "sign_out")], rows
    assert rows[0].metadata == {"forge": "github", "role": "owner", "provider": "oidc"}, rows[0]


# ------------------------------------------------------------------------------------------------
# 2. Groups to roles, at every sign-in


def test_a_person_sees_where_they_are_signed_in_and_ends_a_session_they_left_open(corgi):
    laptop, phone = corgi.sign_in("bob"), corgi.sign_in("bob")
    alice = corgi.sign_in("alice")
    listed = corgi.api("GET", "/api/v1/me/sessions", laptop)
    assert listed.status == 200, listed
    mine = listed.json()["items"]
    assert [s["current"] for s in mine if s["current"]] == [True] and all(s["method"] == "oidc" and s["role"] == "member" for s in mine)
    current = next(s["id"] for s in mine if s["current"])
    others = [s["id"] for s in mine if not s["current"]]
    assert len(others) >= 1 and current not in others
    # Nothing of a session's secrets is listed: only its id, method, role and times.
    assert not any(value in listed.body.decode() for value in (laptop.token, laptop.csrf, phone.token, phone.csrf))
    phone_id = next(s["id"] for s in corgi.api("GET", "/api/v1/me/sessions", phone).json()["items"] if s["current"])

    end = f"/auth/sessions/{phone_id}/end"
    problem_of(call("POST", corgi.url + end, headers={"Cookie": laptop.cookie_header}), 403, "X-CSRF-Token")
    # Another person's session is not theirs to end: the same 404 as one that does not exist.
    problem_of(call("POST", corgi.url + end, headers={"Cookie": alice.cookie_header, "X-CSRF-Token": alice.csrf}), 404, "")
    ended = call("POST", corgi.url + end, headers={"Cookie": laptop.cookie_header, "X-CSRF-Token": laptop.csrf})
    assert ended.status == 204, ended
    assert corgi.api("GET", "/api/v1/me", phone).status == 401, "the ended session is refused everywhere"
    assert corgi.api("GET", "/api/v1/me", laptop).status == 200
    assert phone_id not in [s["id"] for s in corgi.api("GET", "/api/v1/me/sessions", laptop).json()["items"]]
    problem_of(call("POST", corgi.url + end, headers={"Cookie": laptop.cookie_header, "X-CSRF-Token": laptop.csrf}), 404, "")
    rows = corgi.audit()
    assert rows[-1].action == "session.ended" and rows[-1].metadata == {"forge": "github", "current": "no"}, rows[-1]


def test_groups_give_the_highest_mapped_role_at_every_sign_in(corgi, provider):
    before = len(corgi.audit())
    bob = corgi.sign_in("bob")
    me = corgi.api("GET", "/api/v1/me", bob).json()
    assert (me["actor"], me["role"]) == ("user:github/acme/bob", "member"), me
    problem_of(corgi.api("GET", KEYS, bob), 403, "api-keys:read")

    # The provider moves bob to the auditors: the next sign-in reads the groups again.
    provider.set_claims("bob", {"email": "bob@acme.example", "groups": ["auditors"]})
    bob_again = corgi.sign_in("bob")
    assert corgi.api("GET", "/api/v1/me", bob_again).json()["role"] == "auditor"
    problem_of(corgi.api("GET", KEYS, bob_again), 403, "api-keys:read")
    # Rotation on a privilege change: the session with the old role ended at that sign-in.
    assert corgi.api("GET", "/api/v1/me", bob).status == 401
    ended = [r for r in corgi.audit()[before:] if r.action == "session.ended"]
    # (Every one of bob's member sessions, those of earlier tests of this module too.)
    assert ended and {(r.actor, r.metadata["reason"], r.metadata["role"]) for r in ended} == {("user:github/acme/bob", "role changed", "member")}, ended
    # The same role again (another device): both sessions stay.
    bob_laptop = corgi.sign_in("bob")
    assert corgi.api("GET", "/api/v1/me", bob_again).status == 200 and corgi.api("GET", "/api/v1/me", bob_laptop).status == 200

    # Several mapped groups: the most privileged role.
    erin = corgi.sign_in("erin")
    assert corgi.api("GET", "/api/v1/me", erin).json()["role"] == "owner"
    assert corgi.api("GET", KEYS, erin).status == 200

    rows = corgi.sign_in_rows(before)
    assert [(r.actor, r.action, r.metadata["role"]) for r in rows] == [
        ("user:github/acme/bob", "sign_in.succeeded", "member"),
        ("user:github/acme/bob", "sign_in.succeeded", "auditor"),
        ("user:github/acme/bob", "sign_in.succeeded", "auditor"),
        ("user:github/acme/erin", "sign_in.succeeded", "owner")], rows


@pytest.mark.parametrize("sub", ["dave", "mallory"], ids=["unmapped-groups", "no-groups-claim"])
def test_a_person_without_a_mapped_group_is_refused(corgi, sub):
    # dave is only in "marketing"; mallory is unknown to the provider, which then issues no groups claim.
    before = len(corgi.audit())
    login = corgi.login()
    answer = corgi.callback(corgi.authorized(login, sub), login.cookie)
    problem = assert_refused(answer, "none of your groups at the identity provider gives a role")
    assert "acme" in problem["detail"], problem
    assert_refusal_audited(corgi, before, "none of the person's groups is mapped to a role", actor=f"user:github/acme/{sub}")


# ------------------------------------------------------------------------------------------------
# 3 and 4. The sign-in cookie: once, this browser's own


def test_a_completed_sign_in_cannot_be_replayed(corgi):
    login = corgi.login()
    callback = corgi.authorized(login, "alice")
    assert corgi.callback(callback, login.cookie).status == 303
    before = len(corgi.audit())
    assert_refused(corgi.callback(callback, login.cookie), "this sign-in was already completed")
    assert_refusal_audited(corgi, before, "this sign-in was already completed")


def test_the_callback_needs_this_browsers_sign_in_cookie(corgi):
    mine, theirs = corgi.login(), corgi.login()
    callback = corgi.authorized(mine, "alice")

    before = len(corgi.audit())
    assert_refused(corgi.callback(callback, None), "no sign-in in progress in this browser")
    assert_refusal_audited(corgi, before, "no sign-in in progress in this browser (or it expired): start again")

    before = len(corgi.audit())
    assert_refused(corgi.callback(callback, theirs.cookie), "the state does not match")
    assert_refusal_audited(corgi, before, "the state does not match this browser's sign-in")

    before = len(corgi.audit())
    assert_refused(corgi.callback(callback, flipped(mine.cookie, len(mine.cookie) // 2)), "no sign-in in progress")
    assert_refusal_audited(corgi, before, "no sign-in in progress in this browser (or it expired): start again")

    # The refusals spent nothing: with its own cookie, the sign-in completes.
    assert corgi.callback(callback, mine.cookie).status == 303

    # A callback with neither code nor state, and one carrying the provider's error.
    before = len(corgi.audit())
    assert_refused(call("GET", corgi.redirect_url, headers={"Cookie": f"{SIGN_IN}={theirs.cookie}"}), "no code and state")
    state = theirs.query["state"]
    denied = call("GET", f"{corgi.redirect_url}?error=access_denied%0A&state={state}", headers={"Cookie": f"{SIGN_IN}={theirs.cookie}"})
    assert_refused(denied, "the identity provider refused: access_denied")
    assert denied.json()["detail"] == "the identity provider refused: access_denied", "control characters dropped"
    rows = corgi.sign_in_rows(before)
    assert [r.metadata["reason"] for r in rows] == ["the callback carries no code and state", "the identity provider refused: access_denied"]


# ------------------------------------------------------------------------------------------------
# 5. The nonce


def test_an_id_token_for_another_nonce_is_refused(corgi, provider):
    login = corgi.login()
    other = secrets.token_urlsafe(32)
    tampered = re.sub(r"([?&]nonce=)[^&]*", lambda m: m.group(1) + other, login.authorize_url)
    assert tampered != login.authorize_url
    callback = corgi.authorized(tampered, "alice")
    before = len(corgi.audit())
    assert_refused(corgi.callback(callback, login.cookie), "nonce")
    assert_refusal_audited(corgi, before, "the ID token's nonce does not match this sign-in")
    # The provider did issue a token, with the nonce it was given, and signed by the key the service trusts.
    assert jwt_part(provider.id_tokens[-1], 1)["nonce"] == other


# ------------------------------------------------------------------------------------------------
# 8. Forged and swapped cookies


def test_forged_tampered_and_swapped_cookies_are_refused(corgi):
    alice = corgi.sign_in("alice")
    assert corgi.api("GET", "/api/v1/me", alice).status == 200

    header, payload, signature = alice.token.split(".")
    forgeries = {
        "payload flipped": f"{header}.{flipped(payload, len(payload) // 2)}.{signature}",
        "signature flipped": f"{header}.{payload}.{flipped(signature, 3)}",
        "signed with another key": hs256(header, payload, os.urandom(48)),
        "alg none": f"{b64url(json.dumps({'alg': 'none', 'typ': 'JWT'}).encode())}.{payload}.",
    }
    # Alice's owner session made bob's: the subject rewritten, the signature kept.
    claims = jwt_part(alice.token, 1)
    assert claims["use"] == "session" and claims["role"] == "owner" and claims["sub"] == "alice"
    forgeries["claims rewritten"] = f"{header}.{b64url(json.dumps({**claims, 'sub': 'bob'}).encode())}.{signature}"
    for name, forged in forgeries.items():
        answer = corgi.api("GET", "/api/v1/me", cookie=f"{SESSION}={forged}")
        assert answer.status == 401, (name, answer)
        problem_of(answer, 401, "the session is not valid")
    # The rewritten claims signed with the service's own key would pass: what refused them above
    # is the signature, and the session-signing-key is all that stands behind a session.
    rewritten = b64url(json.dumps({**claims, "sub": "bob"}).encode())
    resigned = corgi.api("GET", "/api/v1/me", cookie=f"{SESSION}={hs256(header, rewritten, corgi.signing_key.encode())}")
    assert resigned.status == 200 and resigned.json()["actor"] == "user:github/acme/bob", resigned

    # A session presented as the sign-in cookie (with a genuine code and state otherwise).
    login = corgi.login()
    callback = corgi.authorized(login, "alice")
    before = len(corgi.audit())
    assert_refused(corgi.callback(callback, alice.token), "no sign-in in progress")
    assert_refusal_audited(corgi, before, "no sign-in in progress in this browser (or it expired): start again")
    # A sign-in cookie presented as the session: on the API and to sign out.
    problem_of(corgi.api("GET", "/api/v1/me", cookie=f"{SESSION}={login.cookie}"), 401, "the session is not valid")
    problem_of(call("POST", corgi.url + "/auth/logout", headers={"Cookie": f"{SESSION}={login.cookie}", "X-CSRF-Token": alice.csrf}),
               401, "not signed in")
    # The genuine ones still work.
    assert corgi.callback(callback, login.cookie).status == 303
    assert corgi.api("GET", "/api/v1/me", alice).status == 200


# ------------------------------------------------------------------------------------------------
# 9. Nothing secret in the log


def test_no_secret_token_or_cookie_value_is_logged_or_stored(corgi, provider):
    # A sign-in, a refusal and a sign-out of its own, whatever ran before.
    alice = corgi.sign_in("alice")
    login = corgi.login()
    assert_refused(corgi.callback(corgi.authorized(login, "dave"), login.cookie), "none of your groups")
    assert call("POST", corgi.url + "/auth/logout", headers={"Cookie": alice.cookie_header, "X-CSRF-Token": alice.csrf}).status == 204
    assert provider.id_tokens, "the provider issued ID tokens"
    assert any('"msg":"sign-in refused: ' in line for line in corgi.service.log_lines)
    corgi.assert_no_secret_logged()
    # Nor in the database: sessions are cookies, not rows.
    database = pathlib.Path(corgi.service.database)
    stored = b"".join(p.read_bytes() for p in database.parent.iterdir() if p.name.startswith(database.name))
    for value in corgi.secret_values | set(provider.issued):
        assert value.encode() not in stored, f"a secret, token or cookie value is in the database: {value[:12]}…"
    corgi.audit()


# ------------------------------------------------------------------------------------------------
# 6. An expired ID token


def test_an_expired_id_token_is_refused(github_double, tmp_path):
    # The mock sets exp = iat + access_token_max_age: two minutes in the past.
    with provider_running(access_token_max_age=timedelta(seconds=-120)) as expired, \
            SignInService(tmp_path, github_double, expired) as corgi:
        login = corgi.login()
        callback = corgi.authorized(login, "alice")
        assert_refused(corgi.callback(callback, login.cookie), "expired")
        assert_refusal_audited(corgi, 0, "the ID token has expired")
        token = jwt_part(expired.id_tokens[-1], 1)
        assert token["exp"] < time.time() - 60 and token["nonce"] == login.query["nonce"], token
        assert not [line for line in corgi.service.log_lines if '"msg":"signed in"' in line]
        values = corgi.secret_values | set(expired.issued)
        assert not [v for v in values if any(v in line for line in corgi.service.log_lines)]


# ------------------------------------------------------------------------------------------------
# 7. The provider rotates its signing key


def test_a_rotated_provider_key_is_picked_up_without_a_restart(github_double, tmp_path):
    """The service caches the provider's key set and fetches it again when a token does not verify
    with it. (The mock's ID tokens name no `kid`, so it is the failed signature, not an unknown key
    id, that sends the service back to the key set.) The first sign-in after the rotation succeeds."""
    first = Provider()
    port, issuer, old_keys = first.port, first.issuer, first.key_ids()
    try:
        corgi = SignInService(tmp_path, github_double, first)
        with corgi:
            assert corgi.api("GET", "/api/v1/me", corgi.sign_in("alice")).status == 200
            assert len(first.jwks_fetches) == 1, "the service fetched the key set once, at the first sign-in"
            corgi.secret_values |= set(first.issued)
            first.stop()
            first = None

            # A new instance on the same port: the same issuer, a new signing key.
            with provider_running(port=port) as second:
                corgi.provider = second
                assert second.issuer == issuer and second.key_ids().isdisjoint(old_keys)
                before = len(corgi.audit())
                bob = corgi.sign_in("bob")
                assert len(second.jwks_fetches) == 1, second.jwks_fetches
                assert corgi.api("GET", "/api/v1/me", bob).json()["role"] == "member"
                # And it stays picked up: the next sign-in needs no fetch.
                corgi.sign_in("alice")
                assert len(second.jwks_fetches) == 1, second.jwks_fetches
                rows = corgi.sign_in_rows(before)
                assert [r.action for r in rows][-2:] == ["sign_in.succeeded", "sign_in.succeeded"], rows
                corgi.assert_no_secret_logged()
    finally:
        if first is not None:
            first.stop()
