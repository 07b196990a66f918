"""The REST API under /api/v1 end to end: a real `corgi serve` (embedded SQLite) against the GitHub
double, fed real findings by signed pull_request webhooks, keys bootstrapped with `corgi api-key`.

Three organisations: Codertocat (two repositories; a pull request pushed to once, so one finding is
fixed; another pull request closed), Octo-Org (a second installation with its own pull request and
findings) and Empty-Org (keys only). Every key secret the module sees is kept in `Env.secrets` and
must appear in no log line and nowhere in the database files.
"""
import datetime
import email.message
import hashlib
import json
import os
import pathlib
import re
import secrets
import sqlite3
import subprocess
import time
import urllib.error
import urllib.request
import zlib

import pytest
from openapi_spec_validator import validate

from corgi_service import ROOT, CorgiService, corgi_binary, fixture_payload
from github_double import GitHubDouble
from test_serve_e2e import FIRST_DIFF, GITHUB_TOKEN, MARKER, SECOND_DIFF, STRIPE_KEY, completed_runs, new_file

DOCUMENT = ROOT / "docs" / "api" / "openapi.json"
ROUTE_TABLE = ROOT / "Sources" / "CorgiService" / "API" / "APIRoutes.swift"
PERMISSIONS = ["api-keys:read", "api-keys:write", "audit:read", "findings:read", "findings:triage", "members:read", "organisation:delete",
               "organisation:export", "organisation:read", "policy:read", "policy:write"]

ORG_A, ORG_B, ORG_C = "Codertocat", "Octo-Org", "Empty-Org"
REPO_A, PR_A, REPO_A_ID = "Codertocat/Hello-World", 2, 186853002
REPO_A2, PR_A2, REPO_A2_ID = "Codertocat/Spoon-Knife", 5, 186853003
REPO_B, PR_B, REPO_B_ID = "Octo-Org/Secret-Repo", 7, 286853002
SHA1 = "ec26c3e57ca3a959ca5aad62de7213c562f8c821"
SHA2 = "5a1b2c3d4e5f60718293a4b5c6d7e8f901234567"
SHA_A2 = "a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2"
SHA_B = "b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0"
SPOON_DIFF = new_file("deploy/release.py", ["import os", f'TOKEN = "{GITHUB_TOKEN}"'])
OCTO_DIFF = new_file("app/config.py", ["import yaml", f'STRIPE = "{STRIPE_KEY}"', "def read(s):", "    return yaml.load(s)"])

# What the reviews leave in Codertocat: (repository, pull request, rule, path, line, severity, state).
EXPECTED_A = {
    (REPO_A, PR_A, "python-yaml-unsafe-load", "app/load.py", 4, "high", "open"),
    (REPO_A, PR_A, "python-pickle-load", "app/load.py", 6, "high", "open"),
    (REPO_A, PR_A, "github-pat-classic", "app/settings.py", 2, "critical", "fixed"),
    (REPO_A, PR_A, "stripe-live-secret-key", "app/settings.py", 3, "critical", "open"),
    (REPO_A2, PR_A2, "github-pat-classic", "deploy/release.py", 2, "critical", "open"),
}
EXPECTED_B = {
    (REPO_B, PR_B, "stripe-live-secret-key", "app/config.py", 2, "critical", "open"),
    (REPO_B, PR_B, "python-yaml-unsafe-load", "app/config.py", 4, "high", "open"),
}


# ------------------------------------------------------------------------------------------------
# Helpers


class Reply:
    def __init__(self, status: int, headers: email.message.Message, body: bytes):
        self.status, self.headers, self.body = status, headers, body

    @property
    def json(self):
        return json.loads(self.body)

    @property
    def content_type(self) -> str:
        return self.headers.get("Content-Type", "")

    def __repr__(self):
        return f"{self.status} {self.content_type} {self.body[:300]!r}"


def base62_crc32(random: str) -> str:
    """The checksum of a Code Corgi API key (GitHub's token scheme): CRC32, 6 base62 digits."""
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
    value, digits = zlib.crc32(random.encode()), ""
    while True:
        digits = alphabet[value % 62] + digits
        value //= 62
        if value == 0:
            break
    return digits.rjust(6, "0")


def well_formed_key() -> str:
    """A key with the right prefix, length, alphabet and checksum that was never issued."""
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
    random = "".join(secrets.choice(alphabet) for _ in range(30))
    return "corgi_" + random + base62_crc32(random)


def broken_checksum(key: str) -> str:
    """The same key with its last checksum character changed: never a valid checksum."""
    return key[:-1] + ("A" if key[-1] != "A" else "B")


def pull_request_event(action: str, repo: str, repo_id: int, number: int, sha: str, installation: int) -> bytes:
    payload = fixture_payload("pull_request", f"{action}.json")
    owner, name = repo.split("/")
    payload["action"] = action
    payload["number"] = number
    payload["installation"]["id"] = installation
    pr = payload["pull_request"]
    pr["number"] = number
    pr["head"]["sha"] = sha
    for holder in (payload["repository"], pr["head"]["repo"], pr["base"]["repo"]):
        holder.update({"id": repo_id, "name": name, "full_name": repo})
        holder["owner"]["login"] = owner
    return json.dumps(payload).encode()


def org_path(org: str, rest: str = "", forge: str = "github") -> str:
    return f"/api/v1/orgs/{forge}/{org}{rest}"


def concrete(template: str, org: str, id: int) -> str:
    return template.replace("{forge}", "github").replace("{organisation}", org).replace("{id}", str(id))


# A body any POST route of the table would take (each reads its own fields): a key for the caller's
# organisation, a dismissal.
FOREIGN_BODY = {"name": "intruder", "role": "owner", "reason": "false_positive"}


def swift_routes() -> set[tuple[str, str]]:
    """(METHOD, path) of every route in `APIRoutes.all`, read from the Swift route table."""
    source = ROUTE_TABLE.read_text()
    constants = dict(re.findall(r'static let (\w+) = "([^"]*)"', source))
    routes = {}
    for name, method, expression in re.findall(r"static let (\w+) = APIRoute\(method: \.(\w+), path: ([^,]+),\s+access:", source):
        path = ""
        for part in (p.strip() for p in expression.split("+")):
            path += part[1:-1] if part.startswith('"') else constants[part]
        routes[name] = (method.upper(), path)
    listed = re.search(r"static let all: \[APIRoute\] = \[([^\]]*)\]", source).group(1)
    names = [n.strip() for n in listed.split(",") if n.strip()]
    assert names and all(n in routes for n in names), (names, routes)
    return {routes[n] for n in names}


def document_routes(document: dict) -> set[tuple[str, str]]:
    methods = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}
    return {(m.upper(), path) for path, item in document["paths"].items() for m in item if m in methods}


# ------------------------------------------------------------------------------------------------
# The running service


class Env:
    """`corgi serve` with three organisations' data, and the means to call its API."""

    def __init__(self, workdir: pathlib.Path, github: GitHubDouble):
        self.github = github
        self.service = CorgiService(workdir, github)
        self.secrets: list[str] = []
        self.cli_user = "api-test"
        self.finding_ids: list[int] = []
        # Every region's database (one without residency settings).
        self.databases = [self.service.database]

    # Setup ---------------------------------------------------------------------------------------

    def populate(self):
        """Reviews in Codertocat (two repositories) and Octo-Org, as webhooks would cause them."""
        g, s = self.github, self.service
        g.add_installation(1, ORG_A, repos=[REPO_A, REPO_A2])
        g.add_installation(2, ORG_B, repos=[REPO_B])
        g.set_pull(REPO_A, PR_A, SHA1, "master", FIRST_DIFF)
        g.set_pull(REPO_A2, PR_A2, SHA_A2, "main", SPOON_DIFF)
        g.set_pull(REPO_B, PR_B, SHA_B, "main", OCTO_DIFF)
        for event in (pull_request_event("opened", REPO_A, REPO_A_ID, PR_A, SHA1, 1),
                      pull_request_event("opened", REPO_A2, REPO_A2_ID, PR_A2, SHA_A2, 1),
                      pull_request_event("opened", REPO_B, REPO_B_ID, PR_B, SHA_B, 2)):
            status, body = s.deliver("pull_request", event)
            assert (status, body.get("status")) == (202, "queued"), body
        for sha in (SHA1, SHA_A2, SHA_B):
            g.wait_for(lambda d, sha=sha: completed_runs(d, sha))
        s.wait_idle()
        # A push fixes the GitHub token of the first pull request and adds a pickle call.
        g.set_pull(REPO_A, PR_A, SHA2, "master", SECOND_DIFF)
        status, body = s.deliver("pull_request", pull_request_event("synchronize", REPO_A, REPO_A_ID, PR_A, SHA2, 1))
        assert (status, body.get("status")) == (202, "queued"), body
        g.wait_for(lambda d: completed_runs(d, SHA2))
        s.wait_idle()
        # The second repository's pull request is closed (merged).
        status, body = s.deliver("pull_request", pull_request_event("closed", REPO_A2, REPO_A2_ID, PR_A2, SHA_A2, 1))
        assert status == 202, body
        s.wait_idle()
        self.finding_ids = []
        for database in self.databases:
            uri = pathlib.Path(database).resolve().as_uri() + "?mode=ro"
            with sqlite3.connect(uri, uri=True, timeout=30) as db:
                self.finding_ids += [row[0] for row in db.execute("SELECT id FROM findings ORDER BY id")]
        assert len(self.finding_ids) == len(EXPECTED_A) + len(EXPECTED_B)

    # The CLI -------------------------------------------------------------------------------------

    def cli(self, *args: str) -> subprocess.CompletedProcess:
        environment = {k: v for k, v in os.environ.items() if not k.startswith("CORGI_")}
        environment["USER"] = self.cli_user
        return subprocess.run([corgi_binary(), *args], capture_output=True, text=True, env=environment, timeout=60)

    def create_key(self, org: str, role: str, name: str = "test", scopes=(), days: int | None = None,
                   forge: str = "github") -> tuple[int, str]:
        """`corgi api-key create`: (id, secret). The secret is stdout, alone."""
        args = ["api-key", "create", "--config", str(self.service.settings), "--organisation", f"{forge}/{org}",
                "--role", role, "--name", name]
        for scope in scopes:
            args += ["--scope", scope]
        if days is not None:
            args += ["--expires-in-days", str(days)]
        result = self.cli(*args)
        assert result.returncode == 0, result.stderr
        key = result.stdout.strip()
        assert re.fullmatch(r"corgi_[0-9A-Za-z]{36}", key) and result.stdout == key + "\n", result.stdout
        assert key not in result.stderr and key[10:] not in result.stderr
        self.secrets.append(key)
        created = re.search(r"created API key (\d+) \((\w+)\) for (\S+);", result.stderr)
        assert created and created.group(2, 3) == (role, f"{forge}/{org}"), result.stderr
        return int(created.group(1)), key

    # HTTP ----------------------------------------------------------------------------------------

    def call(self, method: str, path: str, key: str | None = None, body=None, headers: dict | None = None) -> Reply:
        sent = dict(headers or {})
        if key is not None:
            sent["Authorization"] = f"Bearer {key}"
        data = None
        if body is not None:
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            sent.setdefault("Content-Type", "application/json")
        request = urllib.request.Request(self.service.url + path, data=data, method=method, headers=sent)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                reply = Reply(response.status, response.headers, response.read())
        except urllib.error.HTTPError as error:
            reply = Reply(error.code, error.headers, error.read())
        if reply.status == 201 and b'"key"' in reply.body:
            self.secrets.append(reply.json["key"])
        return reply

    def get(self, path: str, key: str | None = None) -> Reply:
        return self.call("GET", path, key)

    def ok_public(self, path: str):
        reply = self.get(path)
        assert reply.status == 200 and reply.content_type == "application/json", (path, reply)
        return reply.json

    def ok(self, path: str, key: str):
        reply = self.get(path, key)
        assert reply.status == 200 and reply.content_type == "application/json", (path, reply)
        assert reply.headers["Cache-Control"] == "no-store"
        return reply.json

    def all_findings(self, key: str, org: str = ORG_A, query: str = "") -> list[dict]:
        return self.ok(org_path(org, "/findings") + "?limit=200" + query, key)["items"]


def problem(reply: Reply, status: int) -> dict:
    assert reply.status == status, reply
    assert reply.content_type == "application/problem+json", reply
    body = reply.json
    assert set(body) == {"type", "title", "status", "detail"} and body["status"] == status, body
    return body


def reveals(text: str, secret: str, window: int = 6) -> bool:
    """Whether `text` holds any `window` consecutive characters of `secret`."""
    return any(secret[i:i + window] in text for i in range(len(secret) - window + 1))


def finding_key(f: dict) -> tuple:
    return f["repository"], f["pull_request"], f["rule_id"], f["path"], f["line"], f["severity"], f["state"]



@pytest.fixture(scope="module")
def env(github_double, tmp_path_factory):
    environment = Env(tmp_path_factory.mktemp("api"), github_double)
    with environment.service:
        environment.populate()
        yield environment


@pytest.fixture(scope="module")
def owner(env):
    """The bootstrap key of Codertocat: (id, secret)."""
    return env.create_key(ORG_A, "owner", name="bootstrap")


# ------------------------------------------------------------------------------------------------
# The document


def test_the_document_describes_exactly_the_route_table():
    document = json.loads(DOCUMENT.read_text())
    assert document["openapi"] == "3.1.0"
    validate(document)  # the OpenAPI 3.1 meta-schema, and every reference resolves
    assert document_routes(document) == swift_routes()
    # A key, or a browser session from sign-in.
    assert document["security"] == [{"bearerAuth": []}, {"sessionCookie": []}]
    schemes = document["components"]["securitySchemes"]
    assert (schemes["bearerAuth"]["type"], schemes["bearerAuth"]["scheme"]) == ("http", "bearer")
    assert (schemes["sessionCookie"]["type"], schemes["sessionCookie"]["in"]) == ("apiKey", "cookie")
    for path, item in document["paths"].items():
        for method, operation in ((m, o) for m, o in item.items() if m != "parameters"):
            public = path == "/api/v1/openapi.json"
            assert operation.get("security", document["security"]) == ([] if public else document["security"]), (method, path)
            codes = set(operation["responses"])
            if not public:
                assert {"401", "503"} <= codes, (method, path, codes)
            if "{organisation}" in path:
                assert {"403", "404"} <= codes, (method, path, codes)


def test_the_served_document_is_docs_api_openapi_json(env):
    reply = env.get("/api/v1/openapi.json")  # no key
    assert reply.status == 200 and reply.content_type == "application/json", reply
    assert reply.json == json.loads(DOCUMENT.read_text()), (
        "GET /api/v1/openapi.json differs from docs/api/openapi.json: run scripts/embed-openapi and rebuild")


# ------------------------------------------------------------------------------------------------
# Authentication


def test_every_protected_route_wants_a_key_and_refuses_bad_ones_alike(env, owner):
    owner_id, owner_key = owner
    routes = [(method, concrete(path, ORG_A, 1)) for method, path in sorted(swift_routes()) if path != "/api/v1/openapi.json"]
    for method, path in routes:
        reply = env.call(method, path, body=FOREIGN_BODY if method == "POST" else None)
        body = problem(reply, 401)
        assert reply.headers["WWW-Authenticate"].startswith("Bearer"), (path, reply.headers)
        assert body["title"] == "Unauthorized" and "Authorization: Bearer" in body["detail"]

    # Keys that do not authenticate, each for its own reason.
    by_api = env.call("POST", org_path(ORG_A, "/api-keys"), owner_key, {"name": "to revoke by API", "role": "member"})
    assert by_api.status == 201, by_api
    api_revoked_id, api_revoked = by_api.json["api_key"]["id"], by_api.json["key"]
    assert env.get("/api/v1/me", api_revoked).status == 200
    assert env.call("DELETE", org_path(ORG_A, f"/api-keys/{api_revoked_id}"), owner_key).status == 204
    assert problem(env.call("DELETE", org_path(ORG_A, f"/api-keys/{api_revoked_id}"), owner_key), 404)  # once only

    cli_revoked_id, cli_revoked = env.create_key(ORG_A, "admin", name="to revoke by CLI")
    assert env.get("/api/v1/me", cli_revoked).status == 200
    revoke = env.cli("api-key", "revoke", "--config", str(env.service.settings), "--organisation", f"github/{ORG_A}",
                     "--id", str(cli_revoked_id))
    assert revoke.returncode == 0 and f"revoked API key {cli_revoked_id}" in revoke.stdout, revoke.stderr
    again = env.cli("api-key", "revoke", "--config", str(env.service.settings), "--organisation", f"github/{ORG_A}",
                    "--id", str(cli_revoked_id))
    assert again.returncode != 0

    # A key whose time ran out: its expiry moved into the past in the store, as a day passing would.
    expired_id, expired = env.create_key(ORG_A, "owner", name="expired", days=1)
    assert env.get("/api/v1/me", expired).status == 200
    with sqlite3.connect(env.service.database, timeout=30) as db:
        assert db.execute("UPDATE api_keys SET expires_at = ? WHERE id = ?", (time.time() - 60, expired_id)).rowcount == 1

    never_issued = well_formed_key()
    assert base62_crc32(owner_key[6:36]) == owner_key[36:], "the checksum scheme of the test is the service's"
    refused = {
        "malformed": owner_key[:20],
        "not base62": owner_key[:-2] + "-_",
        "checksum broken": broken_checksum(owner_key),
        "never issued": never_issued,
        "revoked through DELETE": api_revoked,
        "revoked through corgi api-key revoke": cli_revoked,
        "expired": expired,
    }
    bodies = {}
    for method, path in routes:
        for reason, key in refused.items():
            reply = env.call(method, path, key, body=FOREIGN_BODY if method == "POST" else None)
            problem(reply, 401)
            assert reply.headers["WWW-Authenticate"] == 'Bearer realm="corgi"', (reason, reply.headers)
            bodies.setdefault(reply.body, []).append((reason, method, path))
    assert len(bodies) == 1, f"401 bodies differ by reason: {list(bodies.values())}"
    assert json.loads(next(iter(bodies))) == {"type": "about:blank", "title": "Unauthorized", "status": 401,
                                               "detail": "the API key is not valid"}
    # Another scheme than Bearer, or the key without a scheme: refused the same way.
    for header in (f"Basic {owner_key}", owner_key, f"Bearer  {owner_key}x", "Bearer"):
        reply = env.call("GET", "/api/v1/me", headers={"Authorization": header})
        assert reply.status == 401 and reply.content_type == "application/problem+json", (header, reply)
    # The owner's key still works, its scheme case-insensitively.
    assert env.call("GET", "/api/v1/me", headers={"Authorization": f"bearer {owner_key}"}).json["key_id"] == owner_id


# ------------------------------------------------------------------------------------------------
# Reading an organisation


def test_the_owner_key_sees_its_organisations_findings_with_redacted_evidence_only(env, owner):
    owner_id, key = owner
    assert env.ok("/api/v1/me", key) == {"actor": f"api-key:{owner_id}", "key_id": owner_id,
                                         "organisation": {"forge": "github", "login": ORG_A}, "role": "owner", "permissions": PERMISSIONS}
    reply = env.get(org_path(ORG_A, "/findings?limit=200"), key)
    findings = reply.json["items"]
    assert "next_after" not in reply.json
    assert {finding_key(f) for f in findings} == EXPECTED_A
    assert [f["id"] for f in findings] == sorted(f["id"] for f in findings)
    # Nothing of the secrets past their well-known prefixes, nor the code around them.
    assert not reveals(reply.body.decode(), GITHUB_TOKEN[4:]) and not reveals(reply.body.decode(), STRIPE_KEY[8:])
    for needle in (MARKER, "yaml.load(stream)", "pickle.loads(blob)", "GITHUB_TOKEN =", "STRIPE_KEY ="):
        assert needle.encode() not in reply.body, needle
    secrets_by_rule = {"github-pat-classic": GITHUB_TOKEN, "stripe-live-secret-key": STRIPE_KEY}
    for f in findings:
        if f["rule_id"] in secrets_by_rule:
            secret = secrets_by_rule[f["rule_id"]]
            assert f["kind"] == "secret" and f["redacted"].startswith(secret[:4]) and f["redacted"].endswith("*"), f
            assert not reveals(f["redacted"], secret[4:], 4), f["redacted"]
        if f["kind"] == "code":
            assert "redacted" not in f, f
        if f["state"] == "fixed":
            assert f["fixed_scan_id"] > f["first_scan_id"], f
        else:
            assert "fixed_scan_id" not in f, f
        assert f["end_line"] >= f["line"] and f["cwe"].startswith("CWE-") and f["fingerprint"]
        # One finding by id: the same object as in the list.
        assert env.ok(org_path(ORG_A, f"/findings/{f['id']}"), key) == f

    summary = env.ok(org_path(ORG_A), key)
    assert summary == {
        "organisation": {"forge": "github", "login": ORG_A}, "repositories": 2, "pull_requests": 2,
        "findings_by_state": {"open": 4, "fixed": 1}, "open_findings_by_severity": {"critical": 2, "high": 2},
        "region": "us",  # one region without residency settings: the default
    }
    assert env.ok(org_path(ORG_A, "/repositories"), key) == {"items": [
        {"name": REPO_A, "pull_requests": 1, "open_findings": 3},
        {"name": REPO_A2, "pull_requests": 1, "open_findings": 1},
    ]}
    pulls = env.ok(org_path(ORG_A, "/pull-requests"), key)
    assert "next_after" not in pulls
    assert [(p["repository"], p["number"], p["state"], p.get("head_sha"), p["open_findings"]) for p in pulls["items"]] == [
        (REPO_A, PR_A, "open", SHA2, 3), (REPO_A2, PR_A2, "closed", SHA_A2, 1)]
    for p in pulls["items"]:
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z", p["updated_at"]), p


def test_filters_select_and_pages_walk_the_findings(env, owner):
    _, key = owner
    everything = env.all_findings(key)
    by_id = {f["id"]: f for f in everything}

    def ids(query: str) -> set[int]:
        return {f["id"] for f in env.all_findings(key, query=query)}

    def expected(predicate) -> set[int]:
        return {f["id"] for f in everything if predicate(f)}

    assert ids("&severity=critical") == expected(lambda f: f["severity"] == "critical") and len(ids("&severity=critical")) == 3
    assert ids("&severity=low") == set()
    assert ids("&state=fixed") == expected(lambda f: f["state"] == "fixed") and len(ids("&state=fixed")) == 1
    assert ids("&state=dismissed") == set()
    assert ids(f"&repository={REPO_A2}") == expected(lambda f: f["repository"] == REPO_A2) and len(ids(f"&repository={REPO_A2}")) == 1
    assert ids("&repository=Codertocat/no-such-repo") == set()
    assert ids(f"&pull_request={PR_A}") == expected(lambda f: f["pull_request"] == PR_A) and len(ids(f"&pull_request={PR_A}")) == 4
    assert ids("&rule=stripe-live-secret-key") == expected(lambda f: f["rule_id"] == "stripe-live-secret-key")
    combined = ids(f"&rule=github-pat-classic&state=open&repository={REPO_A2}&pull_request={PR_A2}&severity=critical")
    assert [finding_key(by_id[i]) for i in combined] == [(REPO_A2, PR_A2, "github-pat-classic", "deploy/release.py", 2, "critical", "open")]

    # Pages of two: each page's next_after is its last id, the last page has none, nothing repeats.
    walked, after, pages = [], 0, 0
    while True:
        page = env.ok(org_path(ORG_A, f"/findings?limit=2&after={after}"), key)
        pages += 1
        walked += [f["id"] for f in page["items"]]
        if "next_after" not in page:
            assert len(page["items"]) < 2
            break
        assert len(page["items"]) == 2 and page["next_after"] == page["items"][-1]["id"]
        after = page["next_after"]
    assert walked == sorted(by_id) and pages == 3
    # A filter pages too: the critical findings one at a time.
    first = env.ok(org_path(ORG_A, "/findings?severity=critical&limit=1"), key)
    second = env.ok(org_path(ORG_A, f"/findings?severity=critical&limit=1&after={first['next_after']}"), key)
    assert first["items"][0]["id"] < second["items"][0]["id"] and second["items"][0]["severity"] == "critical"
    # After the last id: an empty page, no next_after.
    assert env.ok(org_path(ORG_A, f"/findings?after={max(by_id)}"), key) == {"items": []}

    pulls = lambda q: [(p["repository"], p["number"]) for p in env.ok(org_path(ORG_A, "/pull-requests" + q), key)["items"]]
    assert pulls("?state=open") == [(REPO_A, PR_A)]
    assert pulls("?state=closed") == [(REPO_A2, PR_A2)]
    assert pulls(f"?repository={REPO_A2}") == [(REPO_A2, PR_A2)]
    first_pr = env.ok(org_path(ORG_A, "/pull-requests?limit=1"), key)
    assert len(first_pr["items"]) == 1 and first_pr["next_after"] == first_pr["items"][0]["id"]
    rest = env.ok(org_path(ORG_A, f"/pull-requests?limit=1&after={first_pr['next_after']}"), key)
    assert [p["number"] for p in first_pr["items"] + rest["items"]] == [PR_A, PR_A2]


@pytest.mark.parametrize("route, query, parameter", [
    ("/findings", "limit=0", "limit"),
    ("/findings", "limit=201", "limit"),
    ("/findings", "limit=ten", "limit"),
    ("/findings", "limit=", "limit"),
    ("/findings", "after=-1", "after"),
    ("/findings", "after=1.5", "after"),
    ("/findings", "after=%2B1", "after"),
    ("/findings", "after=99999999999999999999", "after"),
    ("/findings", "severity=urgent", "severity"),
    ("/findings", "severity=CRITICAL", "severity"),
    ("/findings", "state=closed", "state"),
    ("/findings", "pull_request=0", "pull_request"),
    ("/findings", "pull_request=2147483648", "pull_request"),
    ("/findings", "repository=", "repository"),
    ("/findings", "repository=a%00b", "repository"),
    ("/findings", "rule=" + "r" * 201, "rule"),
    ("/findings", "rule=a%0Ab", "rule"),
    ("/findings", "limit=1&limit=2", "limit"),
    ("/pull-requests", "state=fixed", "state"),
    ("/pull-requests", "limit=1000", "limit"),
    ("/pull-requests", "after=x", "after"),
    ("/pull-requests", "repository=" + "r" * 513, "repository"),
])
def test_an_invalid_query_value_is_a_400_naming_the_parameter(env, owner, route, query, parameter):
    body = problem(env.get(org_path(ORG_A, route) + "?" + query, owner[1]), 400)
    assert body["title"] == "Bad Request" and body["detail"].startswith(parameter + ":"), body


def test_query_limits_at_their_bounds_are_accepted(env, owner):
    _, key = owner
    for query in ("limit=1", "limit=200", "after=0", "after=9223372036854775807", "pull_request=2147483647",
                  "rule=" + "r" * 200, "repository=" + "r" * 512, "unknown=ignored"):
        assert env.get(org_path(ORG_A, "/findings?") + query, key).status == 200, query


# ------------------------------------------------------------------------------------------------
# Tenancy


def test_another_organisations_key_gets_the_404_of_a_missing_organisation(env, owner):
    owner_id, owner_key = owner
    a_findings = env.all_findings(owner_key)
    a_finding = a_findings[0]["id"]
    _, b_key = env.create_key(ORG_B, "owner", name="octo owner")
    _, c_key = env.create_key(ORG_C, "owner", name="empty owner")
    _, same_login_elsewhere = env.create_key(ORG_A, "owner", name="gitlab namesake", forge="gitlab")

    # Octo-Org sees its own findings only; Empty-Org sees nothing; the GitLab namesake of Codertocat shares nothing.
    b_findings = env.all_findings(b_key, ORG_B)
    assert {finding_key(f) for f in b_findings} == EXPECTED_B
    assert not {f["id"] for f in b_findings} & {f["id"] for f in a_findings}
    assert env.all_findings(c_key, ORG_C) == []
    assert env.ok(org_path(ORG_C), c_key) == {"organisation": {"forge": "github", "login": ORG_C}, "repositories": 0,
                                              "pull_requests": 0, "findings_by_state": {}, "open_findings_by_severity": {},
                                              "region": "us"}
    assert env.ok(org_path(ORG_A, "/findings", forge="gitlab"), same_login_elsewhere) == {"items": []}

    for key, own in ((b_key, ORG_B), (c_key, ORG_C), (same_login_elsewhere, None)):
        reference = env.get(org_path("No-Such-Org", "/findings"), key)
        problem(reference, 404)
        assert reference.json["detail"] == "no such resource"
        # Every organisation route of the table, aimed at Codertocat, with Codertocat's ids.
        foreign = [(method, concrete(path, ORG_A, a_finding if "/findings/" in path else owner_id), FOREIGN_BODY if method == "POST" else None)
                   for method, path in sorted(swift_routes()) if "{organisation}" in path]
        foreign += [
            ("GET", org_path(ORG_A, "/findings?limit=0"), None),  # tenancy before validation
            ("GET", org_path(ORG_A.lower()), None),
            ("GET", org_path("No-Such-Org", "/api-keys"), None),
            ("GET", org_path(ORG_A, forge="gitea"), None),
        ]
        if own:
            # Codertocat's ids through the caller's own organisation: as ids that do not exist.
            foreign += [
                ("GET", org_path(own, f"/findings/{a_finding}"), None),
                ("GET", org_path(own, "/findings/999999"), None),
                ("DELETE", org_path(own, f"/api-keys/{owner_id}"), None),
                ("DELETE", org_path(own, "/api-keys/999999"), None),
            ]
        for method, path, body in foreign:
            reply = env.call(method, path, key, body)
            assert reply.status == 404, (method, path, reply)
            assert reply.body == reference.body and reply.content_type == reference.content_type, (method, path, reply)
    # Nothing of it happened: Codertocat's key is live and no key was created in Codertocat.
    keys = env.ok(org_path(ORG_A, "/api-keys"), owner_key)["items"]
    assert owner_id in [k["id"] for k in keys if "revoked_at" not in k]
    assert "intruder" not in [k["name"] for k in keys]
    assert env.get("/api/v1/me", owner_key).status == 200
    # The caller's own organisation answers the same 404 for its own missing ids.
    assert env.get(org_path(ORG_A, "/findings/999999"), owner_key).body == reference.body


# ------------------------------------------------------------------------------------------------
# Roles and keys


def test_roles_bound_what_a_key_may_read_and_create(env, owner):
    _, owner_key = owner
    _, member = env.create_key(ORG_A, "member", name="member")
    _, auditor = env.create_key(ORG_A, "auditor", name="auditor")
    _, admin = env.create_key(ORG_A, "admin", name="admin")
    _, narrow = env.create_key(ORG_A, "owner", name="findings only", scopes=["findings:read"])
    _, narrow_admin = env.create_key(ORG_A, "admin", name="narrow admin", scopes=["api-keys:write", "findings:read"])

    for key, role in ((member, "member"), (auditor, "auditor")):
        assert env.ok("/api/v1/me", key)["role"] == role
        assert len(env.all_findings(key)) == len(EXPECTED_A)  # they read findings
        body = problem(env.get(org_path(ORG_A, "/api-keys"), key), 403)
        assert body["detail"] == "this key lacks the permission api-keys:read"
        problem(env.call("POST", org_path(ORG_A, "/api-keys"), key, {"name": "escalate", "role": "member"}), 403)
        problem(env.call("DELETE", org_path(ORG_A, "/api-keys/1"), key), 403)
    assert env.ok("/api/v1/me", member)["permissions"] == ["findings:read", "findings:triage", "organisation:read", "policy:read"]
    assert env.ok("/api/v1/me", auditor)["permissions"] == ["audit:read", "findings:read", "organisation:read", "policy:read"]

    # An admin creates admins and below, never an owner.
    body = problem(env.call("POST", org_path(ORG_A, "/api-keys"), admin, {"name": "coup", "role": "owner"}), 403)
    assert "at or below its own role" in body["detail"]
    for role in ("admin", "member", "auditor"):
        assert env.call("POST", org_path(ORG_A, "/api-keys"), admin, {"name": f"by admin {role}", "role": role}).status == 201

    # Scopes narrow a key: an owner key scoped to findings:read cannot read the overview.
    assert env.ok("/api/v1/me", narrow)["permissions"] == ["findings:read"]
    assert len(env.all_findings(narrow)) == len(EXPECTED_A)
    assert problem(env.get(org_path(ORG_A), narrow), 403)["detail"] == "this key lacks the permission organisation:read"
    # A narrowed admin mints nothing broader than itself.
    problem(env.call("POST", org_path(ORG_A, "/api-keys"), narrow_admin, {"name": "wider", "role": "member"}), 403)
    created = env.call("POST", org_path(ORG_A, "/api-keys"), narrow_admin, {"name": "reader", "role": "member", "scopes": ["findings:read"]})
    assert created.status == 201 and created.json["api_key"]["scopes"] == ["findings:read"], created
    assert problem(env.get(org_path(ORG_A, "/api-keys"), narrow_admin), 403)["detail"].endswith("api-keys:read")
    # No key was made by a refused request.
    names = [k["name"] for k in env.ok(org_path(ORG_A, "/api-keys"), owner_key)["items"]]
    assert not {"escalate", "coup", "wider"} & set(names)


def test_a_created_key_is_shown_once_and_works_at_once(env, owner):
    owner_id, owner_key = owner
    reply = env.call("POST", org_path(ORG_A, "/api-keys"), owner_key,
                     {"name": "  ci pipeline  ", "role": "auditor", "scopes": ["findings:read", "organisation:read"], "expires_in_days": 7})
    assert reply.status == 201 and reply.content_type == "application/json", reply
    assert reply.headers["Cache-Control"] == "no-store"
    created = reply.json
    key, view = created["key"], created["api_key"]
    assert set(created) == {"key", "api_key"} and re.fullmatch(r"corgi_[0-9A-Za-z]{36}", key)
    assert base62_crc32(key[6:36]) == key[36:]
    assert reply.headers["Location"] == org_path(ORG_A, f"/api-keys/{view['id']}")
    assert view["name"] == "ci pipeline" and view["role"] == "auditor" and view["scopes"] == ["findings:read", "organisation:read"]
    assert view["prefix"] == key[:10] and view["created_by"] == f"api-key:{owner_id}"
    assert not {"last_used_at", "revoked_at"} & set(view)
    lifetime = parse_time(view["expires_at"]) - parse_time(view["created_at"])
    assert abs(lifetime - 7 * 86400) <= 2, view

    me = env.ok("/api/v1/me", key)  # at once
    assert me == {"actor": f"api-key:{view['id']}", "key_id": view["id"], "organisation": {"forge": "github", "login": ORG_A},
                  "role": "auditor", "permissions": ["findings:read", "organisation:read"]}

    listing = env.get(org_path(ORG_A, "/api-keys"), owner_key)
    items = {k["id"]: k for k in listing.json["items"]}
    assert key.encode() not in listing.body and key[10:].encode() not in listing.body
    assert hashlib.sha256(key.encode()).hexdigest().encode() not in listing.body
    for item in items.values():
        assert set(item) <= {"id", "name", "role", "scopes", "prefix", "created_by", "created_at", "expires_at", "last_used_at",
                             "revoked_at"}, item
        assert re.fullmatch(r"corgi_[0-9A-Za-z]{4}", item["prefix"]), item
    listed = items[view["id"]]
    assert {k: v for k, v in listed.items() if k != "last_used_at"} == view and "last_used_at" in listed
    assert items[owner_id]["created_by"] == f"cli:{env.cli_user}" and "scopes" not in items[owner_id]
    # The CLI lists the same keys, without secrets either.
    listed_by_cli = env.cli("api-key", "list", "--config", str(env.service.settings), "--organisation", f"github/{ORG_A}")
    assert listed_by_cli.returncode == 0 and f"{view['id']}\t{key[:10]}…\tauditor\tactive" in listed_by_cli.stdout
    assert key not in listed_by_cli.stdout and key not in listed_by_cli.stderr
    # Only the owner's creation shows the secret; the default lifetime is 90 days.
    default = env.call("POST", org_path(ORG_A, "/api-keys"), owner_key, {"name": "default", "role": "member"}).json["api_key"]
    assert abs(parse_time(default["expires_at"]) - parse_time(default["created_at"]) - 90 * 86400) <= 2
    assert "scopes" not in default


def parse_time(text: str) -> float:
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


@pytest.mark.parametrize("body, parameter", [
    ({"name": "", "role": "member"}, "name"),
    ({"name": "   ", "role": "member"}, "name"),
    ({"name": "n" * 101, "role": "member"}, "name"),
    ({"name": "tab\tinside", "role": "member"}, "name"),
    ({"name": "zero\u200bwidth", "role": "member"}, "name"),
    ({"name": "x", "role": "root"}, "role"),
    ({"name": "x", "role": "Owner"}, "role"),
    ({"name": "x", "role": "member", "scopes": []}, "scopes"),
    ({"name": "x", "role": "member", "scopes": ["findings:write"]}, "scopes"),
    ({"name": "x", "role": "member", "scopes": ["findings:read"] * (len(PERMISSIONS) + 1)}, "scopes"),
    ({"name": "x", "role": "member", "expires_in_days": 0}, "expires_in_days"),
    ({"name": "x", "role": "member", "expires_in_days": 366}, "expires_in_days"),
    ({"role": "member"}, "the body"),
    ({"name": "x", "role": "member", "expires_in_days": "7"}, "the body"),
    (b"not json", "the body"),
    (b"", "the body"),
    (json.dumps({"name": "x", "role": "member", "pad": "p" * 17000}).encode(), "the body"),
])
def test_an_invalid_key_request_is_a_400_naming_what_is_wrong(env, owner, body, parameter):
    before = len(env.ok(org_path(ORG_A, "/api-keys"), owner[1])["items"])
    detail = problem(env.call("POST", org_path(ORG_A, "/api-keys"), owner[1], body), 400)["detail"]
    assert detail.startswith(parameter), detail
    assert len(env.ok(org_path(ORG_A, "/api-keys"), owner[1])["items"]) == before


# ------------------------------------------------------------------------------------------------
# Export and triage (these change nothing the tests above read, but dismissal: it comes last)


def test_findings_export_as_json_and_sarif_with_the_lists_filters(env, owner):
    _, key = owner
    everything = env.all_findings(key)
    reply = env.get(org_path(ORG_A, "/findings/export"), key)
    assert reply.status == 200 and reply.content_type == "application/json", reply
    assert reply.headers["Content-Disposition"] == f'attachment; filename="corgi-github-{ORG_A}-findings.json"'
    assert reply.headers["Cache-Control"] == "no-store"
    assert reply.json == {"items": everything}
    critical = env.get(org_path(ORG_A, "/findings/export?format=json&severity=critical&state=open"), key).json["items"]
    assert critical == [f for f in everything if f["severity"] == "critical" and f["state"] == "open"] and critical

    sarif = env.get(org_path(ORG_A, f"/findings/export?format=sarif&repository={REPO_A}"), key)
    assert sarif.status == 200 and sarif.content_type == "application/sarif+json", sarif
    assert sarif.headers["Content-Disposition"] == f'attachment; filename="corgi-github-{ORG_A}-findings.sarif"'
    log = sarif.json
    assert log["version"] == "2.1.0" and len(log["runs"]) == 1
    results = {(r["ruleId"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
                r["locations"][0]["physicalLocation"]["region"]["startLine"]) for r in log["runs"][0]["results"]}
    assert results == {(f["rule_id"], f["path"], f["line"]) for f in everything if f["repository"] == REPO_A}
    for body in (reply.body, sarif.body):
        text = body.decode()
        assert not reveals(text, GITHUB_TOKEN[4:]) and not reveals(text, STRIPE_KEY[8:]) and MARKER not in text

    # A SARIF file describes one repository; unknown formats and bad filters are named.
    assert problem(env.get(org_path(ORG_A, "/findings/export?format=sarif"), key), 400)["detail"].startswith("repository:")
    assert problem(env.get(org_path(ORG_A, "/findings/export?format=csv"), key), 400)["detail"].startswith("format:")
    assert problem(env.get(org_path(ORG_A, "/findings/export?severity=urgent"), key), 400)["detail"].startswith("severity:")
    # Another organisation exports only its own.
    _, octo = env.create_key(ORG_B, "auditor", name="octo exporter")
    assert {finding_key(f) for f in env.get(org_path(ORG_B, "/findings/export"), octo).json["items"]} == EXPECTED_B


def test_a_triager_dismisses_an_open_finding_once_and_it_is_audited_without_the_comment(env, owner):
    _, owner_key = owner
    member_id, member = env.create_key(ORG_A, "member", name="triager")
    _, auditor = env.create_key(ORG_A, "auditor", name="no triage")
    _, octo = env.create_key(ORG_B, "owner", name="octo triager")
    everything = env.all_findings(owner_key)
    target = next(f for f in everything if f["repository"] == REPO_A2)
    fixed = next(f for f in everything if f["state"] == "fixed")
    path = org_path(ORG_A, f"/findings/{target['id']}/dismissal")
    comment = "fixture token of the release script, revoked " + secrets.token_hex(8)

    assert problem(env.call("POST", path, auditor, {"reason": "false_positive"}), 403)["detail"].endswith("findings:triage")
    assert problem(env.call("POST", org_path(ORG_B, f"/findings/{target['id']}/dismissal"), octo, {"reason": "false_positive"}), 404)
    for body, parameter in (({"reason": "because"}, "reason"), ({"reason": "wont_fix", "comment": "bell\x07"}, "comment"),
                            ({"reason": "wont_fix", "comment": "c" * 1001}, "comment"), ({"comment": "no reason"}, "the body"),
                            (b"[]", "the body"), ({"reason": "wont_fix", "until": "2020-01-01"}, "until"),
                            ({"reason": "wont_fix", "until": "2031-02-30"}, "until"), ({"reason": "wont_fix", "until": "tomorrow"}, "until"),
                            ({"reason": "wont_fix", "until": "2099-01-01"}, "until"),
                            ({"reason": "wont_fix", "until": "2027-01-01T00:00:00Z"}, "until")):
        assert problem(env.call("POST", path, member, body), 400)["detail"].startswith(parameter), body
    assert env.ok(org_path(ORG_A, f"/findings/{target['id']}"), owner_key)["state"] == "open"  # nothing changed so far

    reply = env.call("POST", path, member, {"reason": "used_in_tests", "comment": comment})
    assert reply.status == 200 and reply.content_type == "application/json", reply
    assert reply.json == {**target, "state": "dismissed"}
    assert env.ok(org_path(ORG_A, f"/findings/{target['id']}"), owner_key)["state"] == "dismissed"
    assert [f["id"] for f in env.all_findings(owner_key, query="&state=dismissed")] == [target["id"]]
    assert env.ok(org_path(ORG_A), owner_key)["findings_by_state"] == {"open": 3, "fixed": 1, "dismissed": 1}
    # Once only; a fixed finding is not dismissed either.
    assert problem(env.call("POST", path, member, {"reason": "used_in_tests"}), 409)["title"] == "Conflict"
    assert problem(env.call("POST", org_path(ORG_A, f"/findings/{fixed['id']}/dismissal"), member, {"reason": "wont_fix"}), 409)

    uri = pathlib.Path(env.service.database).resolve().as_uri() + "?mode=ro"
    with sqlite3.connect(uri, uri=True, timeout=30) as db:
        rows = db.execute("SELECT actor, target, organisation, metadata FROM audit_events WHERE action = 'finding.dismissed'").fetchall()
    assert [(actor, target_, organisation, json.loads(metadata).get("reason")) for actor, target_, organisation, metadata in rows] == [
        (f"api-key:{member_id}", f"finding:{target['id']}", ORG_A, "used_in_tests")]
    assert comment not in json.dumps(rows) and comment not in "\n".join(env.service.log_lines)


def test_a_dismissal_until_a_date_is_stored_with_its_end_and_audited_with_it(env, owner):
    _, owner_key = owner
    target = next(f for f in env.all_findings(owner_key) if f["state"] == "open")
    end = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=30)).date().isoformat()
    reply = env.call("POST", org_path(ORG_A, f"/findings/{target['id']}/dismissal"), owner_key, {"reason": "accepted_risk", "until": end})
    assert reply.status == 200 and reply.json["state"] == "dismissed", reply
    uri = pathlib.Path(env.service.database).resolve().as_uri() + "?mode=ro"
    with sqlite3.connect(uri, uri=True, timeout=30) as db:
        expires = db.execute("SELECT expires_at FROM dismissals WHERE finding_id = ?", (target["id"],)).fetchall()
        audited = db.execute("SELECT metadata FROM audit_events WHERE action = 'finding.dismissed' AND target = ?",
                             (f"finding:{target['id']}",)).fetchall()
    midnight = datetime.datetime.fromisoformat(end).replace(tzinfo=datetime.timezone.utc).timestamp()
    assert expires == [(midnight,)]
    assert [json.loads(m)["until"] for (m,) in audited] == [end]


def test_with_four_eyes_a_dismissal_waits_for_someone_else_and_the_requester_cannot_approve_it(env, owner):
    owner_id, owner_key = owner
    requester_id, requester = env.create_key(ORG_A, "member", name="four eyes requester")
    approver_id, approver = env.create_key(ORG_A, "member", name="four eyes approver")
    _, auditor = env.create_key(ORG_A, "auditor", name="four eyes auditor")
    _, other_owner = env.create_key(ORG_B, "owner", name="four eyes elsewhere")
    policy = org_path(ORG_A, "/policy")
    assert env.call("PUT", policy, owner_key, {"four_eyes": True}).status == 200
    try:
        target, withdrawn = [f for f in env.all_findings(owner_key) if f["state"] == "open"][:2]
        reply = env.call("POST", org_path(ORG_A, f"/findings/{target['id']}/dismissal"), requester, {"reason": "false_positive", "comment": "a fixture"})
        assert reply.status == 202, reply
        request = reply.json
        assert request["state"] == "pending" and request["finding_id"] == target["id"] and request["requested_by"] == f"api-key:{requester_id}"
        assert env.ok(org_path(ORG_A, f"/findings/{target['id']}"), owner_key)["state"] == "open", "nothing is dismissed yet"
        assert "already waits" in problem(env.call("POST", org_path(ORG_A, f"/findings/{target['id']}/dismissal"), approver,
                                                   {"reason": "wont_fix"}), 409)["detail"]
        assert [r["id"] for r in env.ok(org_path(ORG_A, "/dismissal-requests"), auditor)["items"]] == [request["id"]]
        assert env.ok(org_path(ORG_B, "/dismissal-requests"), other_owner)["items"] == []

        approval = org_path(ORG_A, f"/dismissal-requests/{request['id']}/approval")
        assert "four eyes" in problem(env.call("POST", approval, requester), 403)["detail"]
        problem(env.call("POST", approval, auditor), 403)
        problem(env.call("POST", org_path(ORG_B, f"/dismissal-requests/{request['id']}/approval"), other_owner), 404)
        reply = env.call("POST", approval, approver)
        assert reply.status == 200 and reply.json["id"] == target["id"] and reply.json["state"] == "dismissed", reply
        problem(env.call("POST", approval, owner_key), 409)
        decided = env.ok(org_path(ORG_A, "/dismissal-requests?state=approved"), owner_key)["items"]
        assert [(r["id"], r["decided_by"]) for r in decided] == [(request["id"], f"api-key:{approver_id}")]

        # The requester withdraws another request: nothing is dismissed.
        second = env.call("POST", org_path(ORG_A, f"/findings/{withdrawn['id']}/dismissal"), requester, {"reason": "wont_fix"}).json
        assert env.call("POST", org_path(ORG_A, f"/dismissal-requests/{second['id']}/rejection"), requester).json["state"] == "rejected"
        assert env.ok(org_path(ORG_A, f"/findings/{withdrawn['id']}"), owner_key)["state"] == "open"
    finally:
        assert env.call("PUT", policy, owner_key, {}).status == 200

    uri = pathlib.Path(env.service.database).resolve().as_uri() + "?mode=ro"
    with sqlite3.connect(uri, uri=True, timeout=30) as db:
        rows = db.execute("SELECT actor, action, metadata FROM audit_events WHERE action LIKE 'finding.dismiss%' AND metadata LIKE '%request%'"
                          " ORDER BY id").fetchall()
        author = db.execute("SELECT author FROM dismissals WHERE finding_id = ?", (target["id"],)).fetchall()
    events = [(actor, action, json.loads(metadata)) for actor, action, metadata in rows]
    assert [(a, act) for a, act, _ in events] == [
        (f"api-key:{requester_id}", "finding.dismissal_requested"), (f"api-key:{approver_id}", "finding.dismissed"),
        (f"api-key:{requester_id}", "finding.dismissal_requested"), (f"api-key:{requester_id}", "finding.dismissal_rejected")]
    assert events[1][2]["requested_by"] == f"api-key:{requester_id}" and events[1][2]["approved_by"] == f"api-key:{approver_id}"
    assert author == [(f"api-key:{requester_id}",)]
    assert "a fixture" not in json.dumps(rows)


def test_auditors_read_their_organisations_trail_and_verify_the_chain(env, owner):
    _, owner_key = owner
    _, auditor = env.create_key(ORG_A, "auditor", name="trail reader")
    _, member = env.create_key(ORG_A, "member", name="no trail")
    _, other = env.create_key(ORG_B, "auditor", name="other trail")
    trail = org_path(ORG_A, "/audit-events")
    problem(env.get(trail, member), 403)
    problem(env.get(org_path(ORG_A, "/audit-events"), other), 404)
    rows, after = [], 0
    while True:
        page = env.ok(trail + f"?limit=50&after={after}", auditor)
        rows += page["items"]
        if "next_after" not in page:
            break
        after = page["next_after"]
    actions = {r["action"] for r in rows}
    # Webhooks, reviews and the API's own changes, all of this organisation and forge only.
    assert {"webhook.pull_request.opened", "scan.recorded", "review.published", "api_key.created"} <= actions, actions
    assert all(r["metadata"]["forge"] == "github" for r in rows)
    assert [r["id"] for r in rows] == sorted(r["id"] for r in rows)
    repositories = {r["metadata"].get("repository") for r in rows} | {r["target"].split("#")[0] for r in rows}
    assert REPO_B not in repositories, "another organisation's repository in the trail"
    only = env.ok(trail + "?action=review.published", auditor)["items"]
    assert only and {r["action"] for r in only} == {"review.published"}
    assert problem(env.get(trail + "?action=DROP%20TABLE", auditor), 400)["detail"].startswith("action")
    verified = env.ok(org_path(ORG_A, "/audit-events/verification"), auditor)
    assert verified["intact"] is True and isinstance(verified["limitations"], list), verified

    # Every row the service wrote for an organisation names its forge: the trail can select on both.
    uri = pathlib.Path(env.service.database).resolve().as_uri() + "?mode=ro"
    with sqlite3.connect(uri, uri=True, timeout=30) as db:
        unnamed = db.execute("SELECT action FROM audit_events WHERE organisation IS NOT NULL AND json_extract(metadata, '$.forge') IS NULL"
                             ).fetchall()
    assert unnamed == []


def test_owners_set_the_organisations_policy_members_read_it_and_each_change_is_audited_by_name(env, owner):
    owner_id, owner_key = owner
    _, member = env.create_key(ORG_A, "member", name="policy reader")
    _, other_owner = env.create_key(ORG_B, "owner", name="other organisation")
    path = org_path(ORG_A, "/policy")
    defaults = {"ignore_paths": [], "disabled_rules": [], "four_eyes": False, "ai_review": False}
    assert env.ok(path, member) == defaults
    strict = {"fail_on": "medium", "packs": ["secrets", "code"], "ignore_paths": ["vendor/**", "*.{min,map}.js"],
              "disabled_rules": ["python-debug-mode"], "diff_retention_days": 30, "review_retention_days": 400, "four_eyes": True}
    reply = env.call("PUT", path, owner_key, strict)
    assert reply.status == 200, reply
    assert reply.json == {**strict, "ai_review": False}
    assert env.ok(path, member) == reply.json
    # Members read, never write; another organisation's owner gets the 404 of a missing organisation.
    problem(env.call("PUT", path, member, {}), 403)
    problem(env.call("PUT", path, other_owner, {}), 404)
    assert env.ok(org_path(ORG_B, "/policy"), other_owner) == defaults
    # A wrong value or an unknown setting is a 400 naming it, and nothing changes.
    for body, named in (({"fail_on": "sometimes"}, "fail_on"), ({"ignore_paths": ["{unclosed"]}, "ignore_paths"),
                        ({"ignore_paths": ["a\u200bb"]}, "ignore_paths"), ({"disabled_rules": ["x" * 201]}, "disabled_rules"),
                        ({"diff_retention_days": 0}, "diff_retention_days"), ({"packs": []}, "packs"),
                        ({"review_retention_days": 7}, "review_retention_days"),
                        ({"fail_one": "high"}, "fail_one"), ({"four_eyes": "yes"}, "wrong type"), ([], "JSON object")):
        assert named in problem(env.call("PUT", path, owner_key, body), 400)["detail"], body
    assert env.ok(path, member) == reply.json
    # The same policy again changes nothing; back to the defaults is one more change.
    assert env.call("PUT", path, owner_key, strict).status == 200
    assert env.call("PUT", path, owner_key, {}).json == defaults

    uri = pathlib.Path(env.service.database).resolve().as_uri() + "?mode=ro"
    with sqlite3.connect(uri, uri=True, timeout=30) as db:
        rows = db.execute("SELECT actor, organisation, metadata FROM audit_events WHERE action = 'organisation.policy_changed' ORDER BY id").fetchall()
    # The last two: other tests of this module switch four eyes on and off before this one.
    assert [(actor, organisation, json.loads(metadata)["changed"]) for actor, organisation, metadata in rows][-2:] == [
        (f"api-key:{owner_id}", ORG_A, "fail_on,packs,ignore_paths,disabled_rules,diff_retention_days,review_retention_days,four_eyes"),
        (f"api-key:{owner_id}", ORG_A, "fail_on,packs,ignore_paths,disabled_rules,diff_retention_days,review_retention_days,four_eyes"),
    ]


def test_a_key_name_is_refused_for_control_and_format_characters_only(env, owner):
    _, key = owner
    # VARIATION SELECTOR-18 (Mn) and an unassigned code point of plane 14: not control characters.
    for name in ("emoji style \U000E0101", "plane 14 \U000E0150"):
        reply = env.call("POST", org_path(ORG_A, "/api-keys"), key, {"name": name, "role": "member"})
        assert reply.status == 201, (name.encode("unicode_escape"), reply)
    # ZERO WIDTH SPACE and a tag character are format characters (Cf), not spaces: refused, not trimmed.
    for name in ("\u200bhidden", "tag \U000E0041 smuggled"):
        reply = env.call("POST", org_path(ORG_A, "/api-keys"), key, {"name": name, "role": "member"})
        assert reply.status == 400, (name.encode("unicode_escape"), reply)
    # Spaces (Zs) and tabs around a name are trimmed; a name of 100 code points is accepted, 101 is not.
    reply = env.call("POST", org_path(ORG_A, "/api-keys"), key, {"name": "\u3000\t ci \u00a0", "role": "member"})
    assert reply.status == 201 and reply.json["api_key"]["name"] == "ci", reply
    for length, status in ((100, 201), (101, 400)):
        reply = env.call("POST", org_path(ORG_A, "/api-keys"), key, {"name": "e\u0301" * (length // 2) + "x" * (length % 2), "role": "member"})
        assert reply.status == status, (length, reply)


def test_the_audit_log_records_key_events_and_no_secret_is_stored_or_logged(env, owner):
    owner_id, owner_key = owner
    created = env.call("POST", org_path(ORG_A, "/api-keys"), owner_key, {"name": "audited", "role": "member"})
    new_id, new_key = created.json["api_key"]["id"], created.json["key"]
    assert env.get("/api/v1/me", new_key).status == 200
    assert env.call("DELETE", org_path(ORG_A, f"/api-keys/{new_id}"), owner_key).status == 204
    refused = env.get("/api/v1/me", new_key)
    assert refused.status == 401
    cli_id, _ = env.create_key(ORG_A, "member", name="audited, revoked by the CLI")
    revoke = env.cli("api-key", "revoke", "--config", str(env.service.settings), "--organisation", f"github/{ORG_A}", "--id", str(cli_id))
    assert revoke.returncode == 0, revoke.stderr

    verify = env.cli("audit", "verify", "--config", str(env.service.settings))
    assert verify.returncode == 0, verify.stdout + verify.stderr

    uri = pathlib.Path(env.service.database).resolve().as_uri() + "?mode=ro"
    with sqlite3.connect(uri, uri=True, timeout=30) as db:
        rows = db.execute("SELECT actor, action, target, organisation, metadata FROM audit_events WHERE action LIKE 'api_key.%' ORDER BY id").fetchall()
        stored = db.execute("SELECT id, key_hash, display_prefix FROM api_keys").fetchall()
    events = [(actor, action, target, organisation, json.loads(metadata)) for actor, action, target, organisation, metadata in rows]
    assert ("cli:api-test", "api_key.created", "api-key", ORG_A) in [e[:4] for e in events if e[4].get("key_id") == str(owner_id)]
    assert any(e[:4] == (f"api-key:{owner_id}", "api_key.created", "api-key", ORG_A) and e[4].get("key_id") == str(new_id)
               and e[4].get("role") == "member" for e in events), events
    assert (f"api-key:{owner_id}", "api_key.revoked", f"api-key:{new_id}", ORG_A) in [e[:4] for e in events]
    assert (f"api-key:{new_id}", "api_key.used", f"api-key:{new_id}", ORG_A) in [e[:4] for e in events]
    assert (f"api-key:{owner_id}", "api_key.used", f"api-key:{owner_id}", ORG_A) in [e[:4] for e in events]
    assert ("cli:api-test", "api_key.revoked", f"api-key:{cli_id}", ORG_A) in [e[:4] for e in events], "the CLI's revocation is audited"
    # A key's use is audited once an hour, not per request.
    assert len([e for e in events if e[1] == "api_key.used" and e[2] == f"api-key:{owner_id}"]) == 1
    # The store keeps the SHA-256, never the key.
    hashes = {h for _, h, _ in stored}
    assert hashlib.sha256(owner_key.encode()).hexdigest() in hashes and hashlib.sha256(new_key.encode()).hexdigest() in hashes

    # Every key this module saw, in whole or from its random part on: in no database file and no log line.
    assert len(env.secrets) >= 10
    database = pathlib.Path(env.service.database)
    files = [p for p in database.parent.iterdir() if p.name.startswith(database.name)]  # with -wal, -shm, the checkpoint
    assert database in files and database.stat().st_size > 0
    stored_bytes = b"".join(p.read_bytes() for p in files)
    logs = "\n".join(env.service.log_lines)
    for secret in env.secrets:
        for needle in (secret, secret[10:]):
            assert needle.encode() not in stored_bytes, f"a key secret is in {[p.name for p in files]}"
            assert needle not in logs, "a key secret is in the service's log"
    assert any('"msg":"api key refused: unknown, revoked or expired"' in line for line in env.service.log_lines)
    assert any('"msg":"api key created"' in line and f'"api.created_key_id":"{new_id}"' in line for line in env.service.log_lines)
