"""Tests of the GitHub API double itself, so it cannot silently accept what GitHub would refuse."""
import base64
import http.client
import json
import re
import socket
import threading
import time

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from double_testing import SAMPLE_DIFF, Reply, exchange, json_payload, with_headers
from github_double import DEFAULT_SPEC_PATH, GitHubDouble, parse_diff

# Checks that the double refuses what GitHub's OpenAPI description refuses: they need that
# third-party description (../shared, or CORGI_SHARED_DIR), and are skipped, named, without it.
needs_spec = pytest.mark.skipif(not DEFAULT_SPEC_PATH.exists(),
                                reason=f"conformance check skipped: GitHub's OpenAPI description {DEFAULT_SPEC_PATH} is absent")

APP_ID = 12345
REPO = "acme/widgets"
OTHER_REPO = "other/secret"
HEAD = "6dcb09b5b57875f334f61aebed695e2e4193db5e"

# ---- helpers ---------------------------------------------------------------------------------


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def make_jwt(pem: bytes, iss, iat: float | None = None, exp: float | None = None, alg: str = "RS256") -> str:
    now = int(time.time())
    iat = now - 30 if iat is None else iat
    exp = iat + 570 if exp is None else exp
    header = b64url(json.dumps({"alg": alg, "typ": "JWT"}).encode())
    payload = b64url(json.dumps({"iat": iat, "exp": exp, "iss": iss}).encode())
    key = serialization.load_pem_private_key(pem, password=None)
    signature = key.sign(f"{header}.{payload}".encode(), padding.PKCS1v15(), hashes.SHA256())
    return f"{header}.{payload}.{b64url(signature)}"


def call(double, method, path, *, token=None, scheme="token", body=None, accept="application/vnd.github+json",
         headers=None, timeout=10.0, conn=None) -> Reply:
    sent = {"User-Agent": "corgi-tests/1.0", "Accept": accept, "X-GitHub-Api-Version": "2022-11-28"}
    if token:
        sent["Authorization"] = f"{scheme} {token}"
    payload = json_payload(sent, body)
    sent = with_headers(sent, headers)
    # Without a User-Agent, send no header it did not ask for (http.client would add Accept-Encoding).
    return exchange(double, method, path, sent, payload, timeout=timeout, conn=conn, bare="User-Agent" not in sent)


def token_for(double, installation_id=42, body=None) -> str:
    jwt = make_jwt(double.private_key_pem, APP_ID)
    reply = call(double, "POST", f"/app/installations/{installation_id}/access_tokens", token=jwt, scheme="Bearer",
                 body=body)
    assert reply.status == 201, reply.data
    return reply.json()["token"]


@pytest.fixture
def gh(github):
    """The double with two installations and a pull request on each."""
    github.add_installation(42, "acme", repos=[REPO])
    github.add_installation(43, "other", repos=[OTHER_REPO])
    github.set_pull(REPO, 1, HEAD, "main", SAMPLE_DIFF)
    github.set_pull(OTHER_REPO, 1, HEAD, "main", SAMPLE_DIFF)
    return github


@pytest.fixture
def token(gh):
    return token_for(gh)


def annotations(n: int, level: str = "warning") -> list[dict]:
    return [{"path": "app/config.py", "start_line": i + 1, "end_line": i + 1, "annotation_level": level,
             "message": f"finding {i}"} for i in range(n)]


# ---- app key and JWT --------------------------------------------------------------------------


def test_private_key_is_pkcs1_pem_as_github_hands_it_out():
    double = GitHubDouble(app_id=7)
    assert double.private_key_pem.startswith(b"-----BEGIN RSA PRIVATE KEY-----\n")
    key = serialization.load_pem_private_key(double.private_key_pem, password=None)
    assert key.key_size == 2048


@pytest.mark.parametrize("iss", [APP_ID, str(APP_ID)])
def test_valid_jwt_gets_an_installation_token(gh, iss):
    jwt = make_jwt(gh.private_key_pem, iss)
    reply = call(gh, "POST", "/app/installations/42/access_tokens", token=jwt, scheme="Bearer")
    assert reply.status == 201
    body = reply.json()
    assert re.fullmatch(r"ghs_[A-Za-z0-9]{36}", body["token"])
    expires = time.mktime(time.strptime(body["expires_at"], "%Y-%m-%dT%H:%M:%SZ")) - time.timezone
    assert 3500 < expires - time.time() <= 3600
    assert body["repository_selection"] == "selected"
    assert body["permissions"]["checks"] == "write"
    assert gh.tokens_issued == 1
    record = gh.requests[-1]
    assert record.headers["Authorization"] == "Bearer" and record.credential == "jwt"
    assert jwt not in repr(record)


def test_claims_window_the_service_uses_is_accepted(gh):
    now = int(time.time())
    jwt = make_jwt(gh.private_key_pem, str(APP_ID), iat=now - 60, exp=now + 540)
    assert call(gh, "POST", "/app/installations/42/access_tokens", token=jwt, scheme="Bearer").status == 201


def test_client_id_is_accepted_as_issuer(gh):
    jwt = make_jwt(gh.private_key_pem, gh.client_id)
    assert call(gh, "POST", "/app/installations/42/access_tokens", token=jwt, scheme="Bearer").status == 201


def _other_key_pem() -> bytes:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption())


def _rejected_jwt(double, case):
    now = int(time.time())
    pem = double.private_key_pem
    cases = {
        "bad signature": lambda: ("Bearer", make_jwt(_other_key_pem(), APP_ID)),
        "wrong iss": lambda: ("Bearer", make_jwt(pem, 99999)),
        "expired": lambda: ("Bearer", make_jwt(pem, APP_ID, iat=now - 700, exp=now - 100)),
        "exp - iat > 600": lambda: ("Bearer", make_jwt(pem, APP_ID, iat=now - 120, exp=now + 500)),
        "exp too far ahead": lambda: ("Bearer", make_jwt(pem, APP_ID, iat=now, exp=now + 900)),
        "iat in the future": lambda: ("Bearer", make_jwt(pem, APP_ID, iat=now + 120, exp=now + 300)),
        # GitHub wants integer NumericDates; fractional ones are refused (lcobucci/jwt#582,
        # bradleyfalzon/ghinstallation#47). Encoders using seconds-since-1970 as a Double emit these.
        "fractional iat": lambda: ("Bearer", make_jwt(pem, APP_ID, iat=now - 59.5, exp=now + 540)),
        "fractional exp": lambda: ("Bearer", make_jwt(pem, APP_ID, iat=now - 60, exp=now + 539.5)),
        "alg is not RS256": lambda: ("Bearer", make_jwt(pem, APP_ID, alg="HS256")),
        "not a JWT": lambda: ("Bearer", "abc.def"),
        "JWT sent with token scheme": lambda: ("token", make_jwt(pem, APP_ID)),
        "no credentials": lambda: (None, None),
    }
    return cases[case]()


@pytest.mark.parametrize("case", [
    "bad signature", "wrong iss", "expired", "exp - iat > 600", "exp too far ahead", "iat in the future",
    "fractional iat", "fractional exp", "alg is not RS256", "not a JWT", "JWT sent with token scheme", "no credentials",
])
def test_invalid_jwt_is_rejected_with_401(gh, case):
    scheme, jwt = _rejected_jwt(gh, case)
    reply = call(gh, "POST", "/app/installations/42/access_tokens", token=jwt, scheme=scheme)
    assert reply.status == 401, case
    body = reply.json()
    assert body["message"] and body["documentation_url"].startswith("https://docs.github.com/")
    assert gh.tokens_issued == 0


def test_lifetime_rule_can_be_relaxed_to_githubs_documented_exp_rule():
    with GitHubDouble(app_id=APP_ID, strict_jwt_lifetime=False) as double:
        double.add_installation(1, "acme", repos=[REPO])
        now = int(time.time())
        # GitHub's own examples back-date iat by 60 s and set exp 10 minutes ahead (660 s apart).
        jwt = make_jwt(double.private_key_pem, APP_ID, iat=now - 60, exp=now + 600)
        assert call(double, "POST", "/app/installations/1/access_tokens", token=jwt, scheme="Bearer").status == 201
        too_far = make_jwt(double.private_key_pem, APP_ID, iat=now, exp=now + 700)
        assert call(double, "POST", "/app/installations/1/access_tokens", token=too_far,
                    scheme="Bearer").status == 401


def test_unknown_installation_is_404(gh):
    jwt = make_jwt(gh.private_key_pem, APP_ID)
    reply = call(gh, "POST", "/app/installations/999/access_tokens", token=jwt, scheme="Bearer")
    assert reply.status == 404 and reply.json()["message"] == "Not Found"


def test_get_installation_with_jwt(gh):
    jwt = make_jwt(gh.private_key_pem, APP_ID)
    reply = call(gh, "GET", "/app/installations/42", token=jwt, scheme="Bearer")
    assert reply.status == 200
    assert reply.json()["account"]["login"] == "acme" and reply.json()["app_id"] == APP_ID


# ---- installation tokens -----------------------------------------------------------------------


@pytest.mark.parametrize("scheme", ["token", "Bearer"])
def test_installation_token_reads_its_own_repositories(gh, token, scheme):
    reply = call(gh, "GET", f"/repos/{REPO}/pulls/1", token=token, scheme=scheme)
    assert reply.status == 200
    assert gh.requests[-1].installation_id == 42


def test_repository_names_are_case_insensitive(gh, token):
    assert call(gh, "GET", "/repos/ACME/Widgets/pulls/1", token=token).status == 200


def test_token_is_scoped_to_its_installation(gh, token):
    assert call(gh, "GET", f"/repos/{OTHER_REPO}/pulls/1", token=token).status == 404
    assert call(gh, "GET", "/repos/acme/unknown/pulls/1", token=token).status == 404
    assert call(gh, "GET", f"/repos/{REPO}/pulls/77", token=token).status == 404


@pytest.mark.parametrize("auth", [None, ("token", "ghs_" + "x" * 36), ("Basic", "abc"), ("token", "")])
def test_missing_or_invalid_token_is_401(gh, auth):
    scheme, value = auth or (None, None)
    reply = call(gh, "GET", f"/repos/{REPO}/pulls/1", token=value, scheme=scheme)
    assert reply.status == 401
    assert set(reply.json()) >= {"message", "documentation_url"}


def test_jwt_is_not_an_installation_token(gh):
    jwt = make_jwt(gh.private_key_pem, APP_ID)
    assert call(gh, "GET", f"/repos/{REPO}/pulls/1", token=jwt, scheme="Bearer").status == 401


def test_expired_token_and_uninstalled_app_are_401(gh, token):
    gh.expire_tokens()
    assert call(gh, "GET", f"/repos/{REPO}/pulls/1", token=token).status == 401
    fresh = token_for(gh)
    assert call(gh, "GET", f"/repos/{REPO}/pulls/1", token=fresh).status == 200
    gh.remove_installation(42)
    assert call(gh, "GET", f"/repos/{REPO}/pulls/1", token=fresh).status == 401
    assert gh.tokens_issued == 2


def test_token_limited_to_requested_repositories_and_permissions(gh):
    gh.add_installation(42, "acme", repos=[REPO, "acme/gadgets"])
    gh.set_pull("acme/gadgets", 1, HEAD, "main", SAMPLE_DIFF)
    limited = token_for(gh, body={"repositories": ["gadgets"], "permissions": {"checks": "read",
                                                                             "pull_requests": "read"}})
    assert call(gh, "GET", f"/repos/{REPO}/pulls/1", token=limited).status == 404
    assert call(gh, "GET", "/repos/acme/gadgets/pulls/1", token=limited).status == 200
    reply = call(gh, "POST", "/repos/acme/gadgets/check-runs", token=limited,
                 body={"name": "corgi", "head_sha": HEAD})
    assert reply.status == 403 and reply.json()["message"] == "Resource not accessible by integration"
    jwt = make_jwt(gh.private_key_pem, APP_ID)
    for body in ({"repositories": ["secret"]}, {"permissions": {"administration": "write"}}):
        reply = call(gh, "POST", "/app/installations/42/access_tokens", token=jwt, scheme="Bearer", body=body)
        assert reply.status == 422


# ---- pull request, diff, files ------------------------------------------------------------------


@pytest.mark.parametrize("accept", ["application/vnd.github.diff", "application/vnd.github.v3.diff"])
def test_diff_media_type_returns_the_diff_text(gh, token, accept):
    reply = call(gh, "GET", f"/repos/{REPO}/pulls/1", token=token, accept=accept)
    assert reply.status == 200
    assert reply.headers["content-type"] == "text/plain; charset=utf-8"
    assert reply.data.decode() == SAMPLE_DIFF


@pytest.mark.parametrize("accept", ["application/vnd.github+json", "application/json", None])
def test_json_media_type_returns_the_pull_request(gh, token, accept):
    reply = call(gh, "GET", f"/repos/{REPO}/pulls/1", token=token, headers={"Accept": accept})
    assert reply.status == 200
    assert reply.headers["content-type"] == "application/json; charset=utf-8"
    pull = reply.json()
    assert (pull["number"], pull["state"], pull["head"]["sha"], pull["base"]["ref"]) == (1, "open", HEAD, "main")
    assert pull["base"]["repo"]["full_name"] == REPO and pull["changed_files"] == 5


@pytest.mark.parametrize("mode,fragment", [(True, "maximum number of lines (20000)"),
                                           ("files", "maximum number of files (300)")])
def test_too_large_diff_is_406(gh, token, mode, fragment):
    gh.set_pull(REPO, 2, HEAD, "main", SAMPLE_DIFF, diff_too_large=mode)
    reply = call(gh, "GET", f"/repos/{REPO}/pulls/2", token=token, accept="application/vnd.github.diff")
    assert reply.status == 406
    body = reply.json()
    assert fragment in body["message"]
    assert body["errors"] == [{"resource": "PullRequest", "field": "diff", "code": "too_large"}]
    assert call(gh, "GET", f"/repos/{REPO}/pulls/2", token=token).status == 200
    assert call(gh, "GET", f"/repos/{REPO}/pulls/2/files", token=token).status == 200


def test_files_are_derived_from_the_diff(gh, token):
    files = {f["filename"]: f for f in call(gh, "GET", f"/repos/{REPO}/pulls/1/files", token=token).json()}
    assert list(files) == ["app/config.py", "docs/new.md", "old.txt", "logo.png", "src/b.py"]
    config = files["app/config.py"]
    assert (config["status"], config["additions"], config["deletions"], config["changes"]) == ("modified", 3, 1, 4)
    assert config["patch"].startswith("@@ -1,5 +1,6 @@\n import os\n-DEBUG = True")
    assert not config["patch"].endswith("\n")
    assert files["docs/new.md"]["status"] == "added"
    assert files["old.txt"]["status"] == "removed" and files["old.txt"]["deletions"] == 1
    assert files["logo.png"]["status"] == "added" and "patch" not in files["logo.png"]
    assert files["src/b.py"]["status"] == "renamed" and files["src/b.py"]["previous_filename"] == "src/a.py"
    assert all(re.fullmatch(r"[0-9a-f]{40}", f["sha"]) for f in files.values())


def test_files_pagination_and_link_header(gh, token):
    many = "".join(
        f"diff --git a/f{i:03}.txt b/f{i:03}.txt\nnew file mode 100644\n--- /dev/null\n+++ b/f{i:03}.txt\n"
        f"@@ -0,0 +1 @@\n+line {i}\n" for i in range(75))
    gh.set_pull(REPO, 5, HEAD, "main", many)
    base = f"/repos/{REPO}/pulls/5/files"

    first = call(gh, "GET", base, token=token)
    assert len(first.json()) == 30 and first.json()[0]["filename"] == "f000.txt"
    assert first.links == {"next": f"{gh.base_url}{base}?page=2", "last": f"{gh.base_url}{base}?page=3"}

    page2 = call(gh, "GET", f"{base}?per_page=30&page=2", token=token)
    assert [f["filename"] for f in page2.json()][:1] == ["f030.txt"]
    assert set(page2.links) == {"prev", "next", "last", "first"}
    assert page2.links["next"] == f"{gh.base_url}{base}?per_page=30&page=3"

    last = call(gh, "GET", page2.links["last"].removeprefix(gh.base_url), token=token)
    assert len(last.json()) == 15 and set(last.links) == {"prev", "first"}

    capped = call(gh, "GET", f"{base}?per_page=500", token=token)
    assert len(capped.json()) == 75 and "link" not in capped.headers
    assert call(gh, "GET", f"/repos/{REPO}/pulls/1/files", token=token).headers.get("link") is None


@needs_spec
def test_explicit_files_are_served_and_checked_against_the_schema(gh, token):
    entry = {"sha": "b" * 40, "filename": "big.min.js", "status": "modified", "additions": 1, "deletions": 1,
             "changes": 2, "blob_url": "https://github.com/acme/widgets/blob/x/big.min.js",
             "raw_url": "https://github.com/acme/widgets/raw/x/big.min.js",
             "contents_url": "https://api.github.com/repos/acme/widgets/contents/big.min.js?ref=x"}
    gh.set_pull(REPO, 3, HEAD, "main", "", files=[entry])
    assert call(gh, "GET", f"/repos/{REPO}/pulls/3/files", token=token).json() == [entry]
    assert gh.violations == []
    gh.set_pull(REPO, 4, HEAD, "main", "", files=[{"filename": "x"}])  # not a diff-entry
    assert call(gh, "GET", f"/repos/{REPO}/pulls/4/files", token=token).status == 200
    drift = gh.take_violations()
    assert drift and all(v.startswith("response:") for v in drift)


@needs_spec
def test_query_parameters_are_validated(gh, token):
    reply = call(gh, "GET", f"/repos/{REPO}/pulls/1/files?per_page=many", token=token)
    assert reply.status == 422 and "per_page" in reply.json()["message"]
    assert call(gh, "GET", f"/repos/{REPO}/pulls/1/comments?sort=size", token=token).status == 422
    assert len(gh.take_violations()) == 2


# ---- check runs ---------------------------------------------------------------------------------


def test_check_run_create_and_ids_increment(gh, token):
    first = call(gh, "POST", f"/repos/{REPO}/check-runs", token=token,
                 body={"name": "Code Corgi", "head_sha": HEAD, "status": "in_progress"})
    second = call(gh, "POST", f"/repos/{REPO}/check-runs", token=token, body={"name": "Code Corgi", "head_sha": HEAD})
    assert first.status == second.status == 201
    assert second.json()["id"] == first.json()["id"] + 1
    run = first.json()
    assert (run["status"], run["conclusion"], run["head_sha"]) == ("in_progress", None, HEAD)
    assert run["pull_requests"][0]["number"] == 1
    assert gh.check_runs[run["id"]]["status"] == "in_progress"


@pytest.mark.parametrize("body,fragment", [
    ({"name": "Code Corgi"}, "head_sha"),
    ({"name": "Code Corgi", "head_sha": HEAD, "output": {"title": "t", "summary": "s",
                                                         "annotations": annotations(1, level="error")}},
     "annotation_level"),
    ({"name": "Code Corgi", "head_sha": HEAD, "output": {"title": "t", "summary": "s",
                                                         "annotations": annotations(51)}}, "at most 50"),
    ({"name": "Code Corgi", "head_sha": HEAD, "status": "completed"}, "conclusion"),
    ({"name": "Code Corgi", "head_sha": HEAD, "output": {"summary": "no title"}}, "title"),
    ({"name": "Code Corgi", "head_sha": HEAD, "completed_at": "yesterday", "conclusion": "success"}, "date-time"),
])
@needs_spec
def test_invalid_check_run_body_is_422_and_a_violation(gh, token, body, fragment):
    reply = call(gh, "POST", f"/repos/{REPO}/check-runs", token=token, body=body)
    assert reply.status == 422
    assert fragment in reply.json()["message"]
    violations = gh.take_violations()
    assert len(violations) == 1 and fragment in violations[0]
    assert gh.check_runs == {}


def test_semantic_check_run_rules_are_enforced(gh, token):
    spanning = annotations(1)
    spanning[0].update(end_line=5, start_column=1, end_column=4)
    for body in ({"name": "c", "head_sha": HEAD, "conclusion": "stale"},
                 {"name": "c", "head_sha": HEAD, "output": {"title": "t", "summary": "s", "annotations": spanning}}):
        assert call(gh, "POST", f"/repos/{REPO}/check-runs", token=token, body=body).status == 422
    assert len(gh.take_violations()) == 2


@needs_spec
def test_annotations_are_appended_across_updates(gh, token):
    created = call(gh, "POST", f"/repos/{REPO}/check-runs", token=token, body={
        "name": "Code Corgi", "head_sha": HEAD, "status": "in_progress",
        "output": {"title": "Scanning", "summary": "batch 1", "annotations": annotations(50)}}).json()
    path = f"/repos/{REPO}/check-runs/{created['id']}"
    second = call(gh, "PATCH", path, token=token, body={"output": {"summary": "batch 2",
                                                                    "annotations": annotations(50, "failure")}})
    assert second.status == 200 and second.json()["output"]["annotations_count"] == 100
    too_many = call(gh, "PATCH", path, token=token, body={"output": {"summary": "x", "annotations": annotations(51)}})
    assert too_many.status == 422 and len(gh.take_violations()) == 1
    final = call(gh, "PATCH", path, token=token, body={
        "conclusion": "failure", "output": {"title": "3 findings", "summary": "done", "annotations": annotations(20)}})
    assert final.status == 200
    run = final.json()
    assert (run["status"], run["conclusion"], run["output"]["annotations_count"]) == ("completed", "failure", 120)
    assert run["completed_at"] and run["output"]["title"] == "3 findings"
    state = gh.check_runs[created["id"]]
    assert len(state["annotations"]) == 120
    assert [a["annotation_level"] for a in state["annotations"][49:51]] == ["warning", "failure"]
    assert state["output"]["summary"] == "done" and state["updates"] == 2


@needs_spec
def test_check_run_update_errors(gh, token):
    assert call(gh, "PATCH", f"/repos/{REPO}/check-runs/123", token=token, body={"status": "queued"}).status == 404
    created = call(gh, "POST", f"/repos/{OTHER_REPO}/check-runs", token=token_for(gh, 43),
                   body={"name": "c", "head_sha": HEAD}).json()
    assert call(gh, "PATCH", f"/repos/{REPO}/check-runs/{created['id']}", token=token,
                body={"status": "queued"}).status == 404
    reply = call(gh, "PATCH", f"/repos/{REPO}/check-runs/abc", token=token, body={"status": "queued"})
    assert reply.status == 422 and "check_run_id" in reply.json()["message"]
    assert len(gh.take_violations()) == 1


# ---- reviews ------------------------------------------------------------------------------------


def test_review_with_comments_on_the_diff(gh, token):
    comments = [
        {"path": "app/config.py", "line": 3, "body": "secret on an added line"},
        {"path": "app/config.py", "line": 4, "side": "RIGHT", "body": "context line"},
        {"path": "app/config.py", "line": 2, "side": "LEFT", "body": "deleted line"},
        {"path": "app/config.py", "start_line": 2, "line": 3, "body": "two lines"},
        {"path": "app/config.py", "line": 23, "body": "second hunk"},
        {"path": "app/config.py", "position": 3, "body": "legacy position"},
        {"path": "docs/new.md", "line": 2, "body": "new file"},
    ]
    reply = call(gh, "POST", f"/repos/{REPO}/pulls/1/reviews", token=token,
                 body={"commit_id": HEAD, "event": "COMMENT", "body": "Code Corgi found 1 secret", "comments": comments})
    assert reply.status == 200
    review = reply.json()
    assert review["state"] == "COMMENTED" and review["commit_id"] == HEAD
    assert review["user"]["login"] == "code-corgi[bot]" and review["user"]["type"] == "Bot"
    stored = list(gh.review_comments.values())
    assert [(c["line"], c["side"], c["position"]) for c in stored] == [
        (3, "RIGHT", 4), (4, "RIGHT", 5), (2, "LEFT", 2), (3, "RIGHT", 4), (23, "RIGHT", 11), (2, "RIGHT", 3),
        (2, "RIGHT", 2)]
    assert stored[3]["start_line"] == 2 and stored[3]["start_side"] == "RIGHT"
    assert stored[0]["diff_hunk"].splitlines()[-1] == '+API_KEY = "AKIAIOSFODNN7EXAMPLE"'
    assert gh.reviews[review["id"]]["comment_ids"] == list(gh.review_comments)

    listed = call(gh, "GET", f"/repos/{REPO}/pulls/1/comments?per_page=5", token=token)
    assert listed.status == 200 and len(listed.json()) == 5 and "next" in listed.links
    assert listed.json()[0]["pull_request_review_id"] == review["id"]


@pytest.mark.parametrize("comment,fragment", [
    ({"path": "app/config.py", "line": 10, "body": "between hunks"}, "line must be part of the diff"),
    ({"path": "app/config.py", "line": 99, "body": "past the end"}, "line must be part of the diff"),
    ({"path": "app/config.py", "line": 25, "side": "LEFT", "body": "left, outside"}, "line must be part of the diff"),
    ({"path": "app/config.py", "line": 3, "side": "LEFT", "body": "3 is context on the left"}, None),
    ({"path": "old.txt", "line": 1, "body": "removed file, RIGHT side"}, "line must be part of the diff"),
    ({"path": "nope.py", "line": 1, "body": "not in the pull"}, "path is invalid"),
    ({"path": "logo.png", "line": 1, "body": "binary"}, "path is invalid"),
    ({"path": "app/config.py", "body": "no line"}, "line must be part of the diff"),
    ({"path": "app/config.py", "start_line": 2, "line": 23, "body": "spans hunks"}, "same hunk"),
    ({"path": "app/config.py", "start_line": 3, "line": 3, "body": "empty range"}, "must precede the end line"),
    ({"path": "app/config.py", "position": 8, "body": "on the second hunk header"}, "position is invalid"),
])
def test_review_comment_outside_the_diff_is_422(gh, token, comment, fragment):
    good = {"path": "app/config.py", "line": 3, "body": "fine"}
    reply = call(gh, "POST", f"/repos/{REPO}/pulls/1/reviews", token=token,
                 body={"event": "COMMENT", "body": "b", "comments": [good, comment]})
    if fragment is None:
        assert reply.status == 200
        return
    assert reply.status == 422
    body = reply.json()
    assert body["message"] == "Unprocessable Entity" and fragment in body["errors"][0]
    assert gh.reviews == {} and gh.review_comments == {}  # all or nothing, as on GitHub
    violations = gh.take_violations()
    assert len(violations) == 1 and "comments[1]" in violations[0]


def test_review_commit_id_selects_the_diff_it_is_checked_against(gh, token):
    new_head = "f" * 40
    gh.set_pull(REPO, 1, new_head, "main", "\n".join([
        "diff --git a/app/config.py b/app/config.py", "--- a/app/config.py", "+++ b/app/config.py",
        "@@ -40,1 +40,2 @@", " x", "+y"]) + "\n")
    old = {"path": "app/config.py", "line": 3, "body": "on the first push"}
    assert call(gh, "POST", f"/repos/{REPO}/pulls/1/reviews", token=token,
                body={"commit_id": HEAD, "event": "COMMENT", "comments": [old]}).status == 200
    reply = call(gh, "POST", f"/repos/{REPO}/pulls/1/reviews", token=token,
                 body={"event": "COMMENT", "comments": [old]})
    assert reply.status == 422 and len(gh.take_violations()) == 1  # defaults to the new head
    unknown = call(gh, "POST", f"/repos/{REPO}/pulls/1/reviews", token=token,
                   body={"commit_id": "0" * 40, "event": "COMMENT", "body": "x"})
    assert unknown.status == 422 and gh.violations == []


@needs_spec
def test_review_events_and_bodies(gh, token):
    path = f"/repos/{REPO}/pulls/1/reviews"
    assert call(gh, "POST", path, token=token, body={"event": "REQUEST_CHANGES"}).status == 422
    assert call(gh, "POST", path, token=token, body={"event": "COMMENT"}).status == 422
    assert call(gh, "POST", path, token=token, body={"event": "NITPICK", "body": "x"}).status == 422
    assert call(gh, "POST", path, token=token, body={"event": "COMMENT", "body": "x" * 65537}).status == 422
    assert len(gh.take_violations()) == 4
    pending = call(gh, "POST", path, token=token, body={"body": "draft"})
    assert pending.status == 200 and pending.json()["state"] == "PENDING" and "submitted_at" not in pending.json()
    assert call(gh, "POST", path, token=token, body={"body": "draft 2"}).status == 422
    assert call(gh, "POST", path, token=token, body={"event": "REQUEST_CHANGES", "body": "fix"}).json()["state"] == \
        "CHANGES_REQUESTED"


# ---- issue comments -----------------------------------------------------------------------------


def test_issue_comment_create_update_and_list(gh, token):
    first = call(gh, "POST", f"/repos/{REPO}/issues/1/comments", token=token, body={"body": "Summary v1"})
    assert first.status == 201
    comment = first.json()
    assert first.headers["location"] == comment["url"] and comment["body"] == "Summary v1"
    second = call(gh, "POST", f"/repos/{REPO}/issues/1/comments", token=token, body={"body": "another"})
    assert second.json()["id"] == comment["id"] + 1

    updated = call(gh, "PATCH", f"/repos/{REPO}/issues/comments/{comment['id']}", token=token,
                   body={"body": "Summary v2"})
    assert updated.status == 200 and updated.json()["body"] == "Summary v2"
    state = gh.issue_comments[comment["id"]]
    assert state["history"] == ["Summary v1", "Summary v2"] and state["issue_number"] == 1

    assert call(gh, "PATCH", f"/repos/{REPO}/issues/comments/999", token=token, body={"body": "x"}).status == 404
    assert call(gh, "POST", f"/repos/{REPO}/issues/404/comments", token=token, body={"body": "x"}).status == 404

    listed = call(gh, "GET", f"/repos/{REPO}/issues/1/comments?per_page=1", token=token)
    assert listed.status == 200 and [c["body"] for c in listed.json()] == ["Summary v2"]
    assert listed.links["last"].endswith("per_page=1&page=2")


@needs_spec
def test_issue_comment_bodies_are_validated(gh, token):
    path = f"/repos/{REPO}/issues/1/comments"
    assert call(gh, "POST", path, token=token, body={}).status == 422
    assert call(gh, "POST", path, token=token, body={"body": 5}).status == 422
    assert call(gh, "POST", path, token=token, body={"body": "  "}).status == 422
    too_long = call(gh, "POST", path, token=token, body={"body": "x" * 65537})
    assert too_long.status == 422 and "too long" in too_long.json()["errors"][0]["message"]
    assert call(gh, "POST", path, token=token, body={"body": "x" * 65536}).status == 201
    assert len(gh.take_violations()) == 4


# ---- protocol details ---------------------------------------------------------------------------


def test_head_is_answered_like_get_without_a_body(gh, token):
    reply = call(gh, "HEAD", f"/repos/{REPO}/pulls/1", token=token)
    assert reply.status == 200 and reply.data == b"" and int(reply.headers["content-length"]) > 0
    assert reply.headers["server"] == "GitHub.com"


def test_unknown_route_is_404_json(gh, token):
    reply = call(gh, "GET", f"/repos/{REPO}/branches", token=token)
    assert reply.status == 404 and reply.json()["message"] == "Not Found"
    assert call(gh, "DELETE", f"/repos/{REPO}/pulls/1", token=token).status == 404


def test_github_headers_on_every_response(gh, token):
    one = call(gh, "GET", f"/repos/{REPO}/pulls/1", token=token)
    two = call(gh, "GET", f"/repos/{REPO}/pulls/404", token=token)
    for reply in (one, two):
        assert re.fullmatch(r"[0-9A-F]{4}:[0-9A-F]{4}:[0-9A-F]{6}:[0-9A-F]{6}:[0-9A-F]{8}",
                            reply.headers["x-github-request-id"])
        assert reply.headers["x-ratelimit-limit"] == "5000" and reply.headers["x-ratelimit-resource"] == "core"
        assert int(reply.headers["x-ratelimit-reset"]) > time.time()
        assert reply.headers["content-type"] == "application/json; charset=utf-8"
    assert int(two.headers["x-ratelimit-remaining"]) == int(one.headers["x-ratelimit-remaining"]) - 1
    assert int(two.headers["x-ratelimit-used"]) == int(one.headers["x-ratelimit-used"]) + 1


def test_requests_without_user_agent_or_with_bad_json_or_version_are_violations(gh, token):
    assert call(gh, "GET", f"/repos/{REPO}/pulls/1", token=token, headers={"User-Agent": None}).status == 403
    reply = call(gh, "POST", f"/repos/{REPO}/issues/1/comments", token=token, body=b"{not json")
    assert reply.status == 400 and reply.json()["message"] == "Problems parsing JSON"
    assert call(gh, "GET", f"/repos/{REPO}/pulls/1", token=token,
                headers={"X-GitHub-Api-Version": "2021-01-01"}).status == 400
    assert len(gh.take_violations()) == 3


def test_requests_are_recorded_without_credentials(gh, token):
    call(gh, "POST", f"/repos/{REPO}/issues/1/comments?x=1", token=token, body={"body": "hi"})
    record = gh.calls("POST", r"/issues/\d+/comments$")[-1]
    assert (record.method, record.path, record.query, record.status) == (
        "POST", f"/repos/{REPO}/issues/1/comments", {"x": "1"}, 201)
    assert record.body == {"body": "hi"} and record["status"] == 201
    assert record.headers["Authorization"] == "token" and record.headers["User-Agent"] == "corgi-tests/1.0"
    assert record.headers["X-GitHub-Api-Version"] == "2022-11-28"
    assert token not in repr(record) and record.response["body"] == "hi"
    assert len(gh.calls(None, r"/access_tokens$")) == 1 and gh.calls("GET", "/nothing") == []


def test_concurrent_requests_get_unique_increasing_ids(gh, token):
    results = []
    lock = threading.Lock()

    def post(i):
        reply = call(gh, "POST", f"/repos/{REPO}/issues/1/comments", token=token, body={"body": f"c{i}"})
        with lock:
            results.append((reply.status, reply.json()["id"]))

    workers = [threading.Thread(target=post, args=(i,)) for i in range(24)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(20)
    ids = sorted(i for _, i in results)
    assert {status for status, _ in results} == {201}
    assert ids == list(range(ids[0], ids[0] + 24)) and sorted(gh.issue_comments) == ids
    assert len(gh.calls("POST", "/comments$")) == 24


def test_keep_alive_and_chunked_bodies(gh, token):
    host, port = gh.base_url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        assert call(gh, "GET", f"/repos/{REPO}/pulls/1", token=token, conn=conn).status == 200
        conn.request("POST", f"/repos/{REPO}/issues/1/comments", body=iter([b'{"body":', b' "chunked"}']),
                     headers={"User-Agent": "t", "Authorization": f"token {token}", "Transfer-Encoding": "chunked"},
                     encode_chunked=True)
        response = conn.getresponse()
        assert response.status == 201 and json.loads(response.read())["body"] == "chunked"
    finally:
        conn.close()


def test_repository_contents(gh, token):
    gh.set_content(REPO, ".corgi.yml", "rules: {}\n")
    reply = call(gh, "GET", f"/repos/{REPO}/contents/.corgi.yml?ref={HEAD}", token=token)
    assert reply.status == 200
    assert base64.b64decode(reply.json()["content"]) == b"rules: {}\n" and reply.json()["encoding"] == "base64"
    raw = call(gh, "GET", f"/repos/{REPO}/contents/.corgi.yml", token=token, accept="application/vnd.github.raw")
    assert raw.data == b"rules: {}\n"
    assert call(gh, "GET", f"/repos/{REPO}/contents/missing.yml", token=token).status == 404


# ---- fault injection and synchronisation ----------------------------------------------------------


def test_fail_next_returns_the_status_then_recovers(gh, token):
    gh.fail_next("POST", r"/check-runs$", 502, times=2)
    body = {"name": "c", "head_sha": HEAD}
    assert [call(gh, "POST", f"/repos/{REPO}/check-runs", token=token, body=body).status for _ in range(3)] == \
        [502, 502, 201]
    assert [r.injected for r in gh.calls("POST", "/check-runs")] == ["fail", "fail", None]
    assert len(gh.check_runs) == 1


def test_fail_next_rate_limit_headers_and_retry_after(gh, token):
    reset = int(time.time()) + 30
    gh.fail_next("GET", r"/pulls/1$", 403, headers={"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(reset)})
    limited = call(gh, "GET", f"/repos/{REPO}/pulls/1", token=token)
    assert limited.status == 403
    assert limited.headers["x-ratelimit-remaining"] == "0" and limited.headers["x-ratelimit-reset"] == str(reset)
    assert "rate limit exceeded" in limited.json()["message"]

    gh.fail_next(None, r"/pulls/1$", 429, headers={"Retry-After": "1"})
    secondary = call(gh, "GET", f"/repos/{REPO}/pulls/1", token=token)
    assert secondary.status == 429 and secondary.headers["retry-after"] == "1"
    assert "secondary rate limit" in secondary.json()["message"]

    gh.fail_next("GET", r"/pulls/1$", 500, body="<html>unicorn</html>")
    assert call(gh, "GET", f"/repos/{REPO}/pulls/1", token=token).data == b"<html>unicorn</html>"
    assert call(gh, "GET", f"/repos/{REPO}/pulls/1", token=token).status == 200


def test_fail_next_only_matches_its_method_and_path(gh, token):
    gh.fail_next("PATCH", r"/check-runs/", 500)
    assert call(gh, "GET", f"/repos/{REPO}/pulls/1", token=token).status == 200
    run = call(gh, "POST", f"/repos/{REPO}/check-runs", token=token, body={"name": "c", "head_sha": HEAD}).json()
    assert call(gh, "PATCH", f"/repos/{REPO}/check-runs/{run['id']}", token=token,
                body={"status": "in_progress"}).status == 500


def test_delay_makes_a_client_time_out(gh, token):
    gh.fail_next("GET", r"/pulls/1$", None, delay=1.0)
    started = time.monotonic()
    with pytest.raises((socket.timeout, TimeoutError)):
        call(gh, "GET", f"/repos/{REPO}/pulls/1", token=token, timeout=0.2)
    assert time.monotonic() - started < 0.9
    record = gh.wait_for(lambda d: d.calls("GET", r"/pulls/1$"), timeout=10)[-1]
    assert record.injected == "delay" and record.status == 200


def test_delayed_error_status(gh, token):
    gh.fail_next("GET", r"/pulls/1$", 504, delay=0.2)
    started = time.monotonic()
    assert call(gh, "GET", f"/repos/{REPO}/pulls/1", token=token).status == 504
    assert time.monotonic() - started >= 0.2


def test_drop_next_closes_the_connection(gh, token):
    gh.drop_next("POST", r"/issues/\d+/comments$")
    with pytest.raises((http.client.RemoteDisconnected, ConnectionError)):
        call(gh, "POST", f"/repos/{REPO}/issues/1/comments", token=token, body={"body": "lost"})
    assert gh.issue_comments == {}
    assert call(gh, "POST", f"/repos/{REPO}/issues/1/comments", token=token, body={"body": "kept"}).status == 201
    assert [(r.injected, r.status) for r in gh.calls("POST", "/comments")] == [("drop", None), (None, 201)]


def test_wait_for_returns_when_the_predicate_holds(gh, token):
    worker = threading.Thread(target=lambda: call(gh, "POST", f"/repos/{REPO}/issues/1/comments", token=token,
                                                  body={"body": "from another thread"}))
    worker.start()
    comments = gh.wait_for(lambda d: d.issue_comments, timeout=10)
    worker.join(10)
    assert [c["body"] for c in comments.values()] == ["from another thread"]


def test_wait_for_times_out_with_a_summary(gh, token):
    call(gh, "GET", f"/repos/{REPO}/pulls/1", token=token)
    started = time.monotonic()
    with pytest.raises(TimeoutError) as raised:
        gh.wait_for(lambda d: len(d.check_runs) > 0, timeout=0.2)
    assert 0.2 <= time.monotonic() - started < 2
    assert f"GET /repos/{REPO}/pulls/1 -> 200" in str(raised.value)


# ---- diff parser ----------------------------------------------------------------------------------


def test_parse_diff_line_numbers_and_positions():
    files = parse_diff(SAMPLE_DIFF)
    config = files[0]
    assert [(h.header.split(" @@")[0], h.position) for h in config.hunks] == [("@@ -1,5 +1,6", 0),
                                                                              ("@@ -20,3 +21,4", 8)]
    added = [(l.new, l.position) for _, l in config.all_lines() if l.kind == "+"]
    assert added == [(2, 3), (3, 4), (23, 11)]
    assert files[1].hunks[0].lines[-1].kind == "\\"


def test_parse_diff_quoted_paths_and_plain_unified_diffs():
    quoted = parse_diff('diff --git "a/sp ace\\303\\251.txt" "b/sp ace\\303\\251.txt"\n'
                        '--- "a/sp ace\\303\\251.txt"\n+++ "b/sp ace\\303\\251.txt"\n@@ -1 +1 @@\n-a\n+b\n')
    assert quoted[0].path == "sp aceé.txt"
    plain = parse_diff("--- a/x.c\t2024-01-01\n+++ b/x.c\t2024-01-02\n@@ -1 +1,2 @@\n a\n+b\n"
                       "--- a/y.c\n+++ b/y.c\n@@ -3 +3 @@\n-c\n+d\n")
    assert [f.path for f in plain] == ["x.c", "y.c"] and plain[1].hunks[0].lines[1].new == 3


def test_parse_diff_rejects_inconsistent_hunks():
    with pytest.raises(ValueError):
        parse_diff("diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1,3 +1,3 @@\n a\n")
