"""Sign-in with GitHub end to end: a real `corgi serve` (embedded SQLite) with `sso.github`, the
GitHub double as both github.com (the consent page and the token exchange of the web application
flow) and its REST API (the person's own membership and teams), driven as a browser would but
without one: GET /auth/github/login, the double's consent page approving for a chosen person, the
callback with the sign-in cookie, then the API with the session cookie.

The double checks what GitHub checks (the client's id and secret, the registered callback, the
code used once and within ten minutes, the PKCE verifier, the read:org scope) and records what it
saw; the person's access token must never reach a log, the database or a cookie.
"""
import contextlib
import hashlib
import os
import pathlib
import secrets
import sqlite3
import base64
import urllib.parse

import pytest

from corgi_service import CorgiService
from github_double import GitHubDouble, stable_id
from test_sign_in import CSRF, SESSION, SIGN_IN, Login, Session, b64url, call, jwt_part, problem_of

ORG = "acme"


class GitHubSignIn:
    def __init__(self, workdir: pathlib.Path, github: GitHubDouble):
        self.github = github
        self.service = CorgiService(workdir, github)
        self.redirect_url = f"{self.service.url}/auth/github/callback"
        github.oauth_callback = self.redirect_url
        self.signing_key = base64.b64encode(os.urandom(48)).decode()
        (self.service.secrets_dir / "github-oauth-client-secret").write_text(github.oauth_client_secret)
        (self.service.secrets_dir / "session-signing-key").write_text(self.signing_key)
        self.service.settings.write_text(self.service.settings.read_text() + f"""
sso:
  github:
    client_id: {github.client_id}
    redirect_url: {self.redirect_url}
    organisation: {ORG}
    web_url: {github.base_url}
    roles: ["team:security=owner", "org:admin=admin", "org:member=member", "team:audit=auditor"]
  session_minutes: 30
""")
        self.secret_values = {github.oauth_client_secret, self.signing_key}

    def __enter__(self):
        self.service.start()
        return self

    def __exit__(self, *exc):
        self.service.stop()

    def login(self) -> Login:
        answer = call("GET", self.service.url + "/auth/github/login")
        assert answer.status == 302 and answer.location.startswith(self.github.base_url + "/login/oauth/authorize?"), answer
        cookie = answer.cookies[SIGN_IN]
        self.secret_values |= {cookie.value, jwt_part(cookie.value, 1)["verifier"]}
        return Login(answer.location, cookie.value)

    def consent(self, login: Login, person: str | None) -> str:
        """The double's consent page, approved by `person` (None: declined): where GitHub sends the browser."""
        self.github.oauth_approve_as = person
        answer = call("GET", login.authorize_url, headers={"User-Agent": "a browser"})
        assert answer.status == 302 and answer.location.startswith(self.redirect_url + "?"), answer
        return answer.location

    def callback(self, url: str, cookie: str | None):
        parts = urllib.parse.urlsplit(url)
        headers = {"Cookie": f"{SIGN_IN}={cookie}"} if cookie else {}
        return call("GET", self.service.url + parts.path + "?" + parts.query, headers=headers)

    def sign_in(self, person: str) -> Session:
        login = self.login()
        answer = self.callback(self.consent(login, person), login.cookie)
        assert answer.status == 303, answer
        session = Session(person, answer.cookies[SESSION].value, answer.cookies[CSRF].value)
        self.secret_values |= {session.token, session.csrf}
        return session

    def me(self, session: Session) -> dict:
        answer = call("GET", self.service.url + "/api/v1/me", headers={"Cookie": session.cookie_header})
        assert answer.status == 200, answer
        return answer.json()

    def audit(self) -> list[tuple[str, str, dict]]:
        import json
        uri = pathlib.Path(self.service.database).resolve().as_uri() + "?mode=ro"
        with contextlib.closing(sqlite3.connect(uri, uri=True, timeout=30)) as db:
            return [(actor, action, json.loads(metadata)) for actor, action, metadata in
                    db.execute("SELECT actor, action, metadata FROM audit_events WHERE action LIKE 'sign_in.%' ORDER BY id")]


@pytest.fixture(scope="module")
def corgi(tmp_path_factory):
    github = GitHubDouble().start()
    github.add_person("alice", orgs={ORG: "member"}, teams=[(ORG, "security"), ("elsewhere", "security")])
    github.add_person("bob", orgs={ORG: "member"}, teams=[(ORG, "developers")])
    github.add_person("carol", orgs={ORG: "admin"})
    github.add_person("erin", orgs={"elsewhere": "admin"}, teams=[("elsewhere", "security")])
    github.add_person("ivan", pending=(ORG,), teams=[(ORG, "security")])
    try:
        with GitHubSignIn(tmp_path_factory.mktemp("github-sign-in"), github) as service:
            yield service
    finally:
        github.stop()


def test_sign_in_with_github_maps_membership_and_teams_to_roles(corgi):
    login = corgi.login()
    query = login.query
    assert (query["client_id"], query["redirect_uri"], query["scope"]) == (corgi.github.client_id, corgi.redirect_url, "read:org")
    verifier = jwt_part(login.cookie, 1)["verifier"]
    assert query["code_challenge_method"] == "S256" and query["code_challenge"] == b64url(hashlib.sha256(verifier.encode()).digest())

    answer = corgi.callback(corgi.consent(login, "alice"), login.cookie)
    assert answer.status == 303 and answer.location == "/", answer
    alice = Session("alice", answer.cookies[SESSION].value, answer.cookies[CSRF].value)
    me = corgi.me(alice)
    assert me["actor"] == f"user:github/{ORG}/github:{stable_id('alice')}" and me["role"] == "owner", me
    # An organisation admin without a mapped team is an admin; a plain member a member.
    assert corgi.me(corgi.sign_in("carol"))["role"] == "admin"
    assert corgi.me(corgi.sign_in("bob"))["role"] == "member"

    # The token exchange carried the client secret and the PKCE verifier; the API calls the token.
    exchanges = corgi.github.calls("POST", r"^/login/oauth/access_token$")
    assert exchanges and all(r.headers["Accept"] == "application/json" for r in exchanges)
    reads = corgi.github.calls("GET", r"^/user")
    assert reads and {r.credential for r in reads} == {"user_token"}
    assert corgi.github.take_violations() == []
    rows = corgi.audit()
    assert [(action, meta["provider"], meta.get("role")) for _, action, meta in rows[-3:]] == [
        ("sign_in.succeeded", "github", "owner"), ("sign_in.succeeded", "github", "admin"), ("sign_in.succeeded", "github", "member")]


@pytest.mark.parametrize("person, reason", [
    ("erin", "not an active member of acme"),       # a team of the same name in another organisation counts for nothing
    ("ivan", "not an active member of acme"),       # invited, not yet a member
    ("nobody", "GitHub"),                           # no such person at GitHub: the token reads nothing
])
def test_people_outside_the_organisation_are_refused_and_audited(corgi, person, reason):
    if person == "nobody":
        corgi.github.oauth_approve_as = None
    login = corgi.login()
    answer = corgi.callback(corgi.consent(login, person if person != "nobody" else None), login.cookie)
    problem_of(answer, 401, "refused" if person == "nobody" else reason)
    assert answer.cookies[SIGN_IN].value == "", "the sign-in cookie is cleared"
    assert corgi.audit()[-1][1] == "sign_in.refused"


def test_a_code_is_redeemed_once_and_only_with_this_browsers_cookie(corgi):
    login = corgi.login()
    callback = corgi.consent(login, "bob")
    problem_of(corgi.callback(callback, None), 401, "no sign-in in progress")
    other = corgi.login()
    problem_of(corgi.callback(callback, other.cookie), 401, "state does not match")
    assert corgi.callback(callback, login.cookie).status == 303
    problem_of(corgi.callback(callback, login.cookie), 401, "already completed")


def test_a_wrong_client_secret_or_a_replayed_code_is_refused_by_github(corgi, tmp_path):
    # Redeeming the same code twice at GitHub (a second flow state, the first code): GitHub refuses.
    login = corgi.login()
    callback = corgi.consent(login, "bob")
    code = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(callback).query))["code"]
    assert corgi.callback(callback, login.cookie).status == 303
    second = corgi.login()
    replayed = f"{corgi.redirect_url}?{urllib.parse.urlencode({'code': code, 'state': second.query['state']})}"
    problem_of(corgi.callback(replayed, second.cookie), 401, "bad_verification_code")
    # A service holding a wrong client secret gets GitHub's refusal, named.
    real = corgi.github.oauth_client_secret
    corgi.github.oauth_client_secret = secrets.token_hex(20)
    try:
        login = corgi.login()
        problem_of(corgi.callback(corgi.consent(login, "bob"), login.cookie), 401, "incorrect_client_credentials")
    finally:
        corgi.github.oauth_client_secret = real


def test_no_token_secret_or_cookie_reaches_the_log_or_the_database(corgi):
    corgi.sign_in("alice")
    tokens = corgi.github.user_tokens_issued
    assert tokens
    log = "\n".join(corgi.service.log_lines)
    database = b"".join(pathlib.Path(str(corgi.service.database) + suffix).read_bytes()
                        for suffix in ("", "-wal") if pathlib.Path(str(corgi.service.database) + suffix).exists())
    for value in set(tokens) | corgi.secret_values:
        assert value not in log, "a secret value was logged"
        assert value.encode() not in database, "a secret value was stored"
