"""Tests of the Gitea/Forgejo API double itself, so it cannot silently accept what Gitea would refuse."""
import base64
import hashlib
import hmac
import http.client
import json
import re
import socket
import threading
import time

import pytest

from double_testing import Reply, WebhookReceiver, checked, exchange, json_payload, with_headers
from gitea_double import (
    FIXTURES_DIR, FLAVOURS, SIGNATURE_VECTORS_PATH, SPEC_PATHS, GiteaDouble, cut_diff_around_line, go_json,
    hook_event_type, issue_comment_event, make_pull_request, make_repository, pull_request_event,
    send_gitea_webhook, sign_gitea, webhook_headers,
)
from github_double import parse_diff

# Checks against the published Swagger descriptions and webhook fixtures need those third-party files
# (../shared, or CORGI_SHARED_DIR); without them they are skipped, named.
needs_spec = pytest.mark.skipif(
    not all(p.exists() for p in SPEC_PATHS.values()),
    reason=f"conformance check skipped: the Gitea/Forgejo Swagger descriptions in {FIXTURES_DIR} are absent")
needs_fixtures = pytest.mark.skipif(
    not SIGNATURE_VECTORS_PATH.exists(),
    reason=f"conformance check skipped: the Gitea webhook fixtures in {FIXTURES_DIR} are absent")

REPO = "acme/widgets"
HEAD = "6dcb09b5b57875f334f61aebed695e2e4193db5e"
HEAD2 = "a1b2c3d4e5f60718293a4b5c6d7e8f9001122334"
BASE = "068aee163ffd44eef28a7f9ebd43e2c01774f0fa"

SAMPLE_DIFF = "\n".join([
    "diff --git a/app/config.py b/app/config.py",
    "index 83db48f..bf269f4 100644",
    "--- a/app/config.py",
    "+++ b/app/config.py",
    "@@ -1,7 +1,9 @@",
    " import os",
    "-DEBUG = True",
    "+DEBUG = False",
    '+API_KEY = "AKIAIOSFODNN7EXAMPLE"',
    " ",
    " def load():",
    '+    token = os.environ["TOKEN"]',
    "     return os.environ",
    " ",
    " # end",
    "@@ -20,3 +22,4 @@ def helper():",
    "     a = 1",
    "     b = 2",
    "+    c = 3",
    "     return a + b",
    "diff --git a/docs/new.md b/docs/new.md",
    "new file mode 100644",
    "index 0000000..e69de29",
    "--- /dev/null",
    "+++ b/docs/new.md",
    "@@ -0,0 +1,2 @@",
    "+# New",
    "+hello",
    "diff --git a/old.txt b/old.txt",
    "deleted file mode 100644",
    "index e69de29..0000000",
    "--- a/old.txt",
    "+++ /dev/null",
    "@@ -1 +0,0 @@",
    "-bye",
]) + "\n"

PUSHED_DIFF = "\n".join([
    "diff --git a/app/config.py b/app/config.py",
    "index 83db48f..c0ffee1 100644",
    "--- a/app/config.py",
    "+++ b/app/config.py",
    "@@ -1,2 +1,3 @@",
    " import os",
    "+import subprocess",
    " DEBUG = True",
]) + "\n"


# ---- helpers ---------------------------------------------------------------------------------


def call(double, method, path, *, token="default", scheme="token", body=None, headers=None, timeout=10.0,
         conn=None) -> Reply:
    sent = {"Accept": "application/json", "User-Agent": "corgi-tests/1.0"}
    token = double.token if token == "default" else token
    if token:
        sent["Authorization"] = f"{scheme} {token}"
    payload = json_payload(sent, body)
    path = "/api/v1" + path if not path.startswith("/api/") and path != "/" else path
    return exchange(double, method, path, with_headers(sent, headers), payload, timeout=timeout, conn=conn)


def start(flavour, **kwargs):
    double = GiteaDouble(flavour, **kwargs).start()
    double.add_repo(REPO, repo_id=4242)
    double.set_pull(REPO, 7, head_sha=HEAD, base_sha=BASE, diff=SAMPLE_DIFF, head_ref="feature/x",
                    title="Add config", author="alice")
    return double


@pytest.fixture(params=FLAVOURS)
def gitea(request):
    """A running double of each flavour with acme/widgets and pull request #7. The test fails if
    anything sent to it broke the documented API or the double drifted from the Swagger description;
    tests that provoke violations take them with take_violations()."""
    yield from checked(start(request.param), "the double recorded violations")


def review(double, comments, event="COMMENT", body="Code Corgi found 1 problem", **extra):
    return call(double, "POST", f"/repos/{REPO}/pulls/7/reviews",
                body={"body": body, "event": event, "commit_id": HEAD, "comments": comments, **extra})


# ---- spec loading, version, user, auth --------------------------------------------------------


def test_validates_follows_the_presence_of_the_description(tmp_path):
    for flavour in FLAVOURS:
        assert GiteaDouble(flavour).validates == SPEC_PATHS[flavour].exists()
    with GiteaDouble("gitea", spec_path=tmp_path / "absent.json") as double:
        assert double.validates is False
        double.add_repo(REPO)
        double.set_pull(REPO, 1, head_sha=HEAD, diff=SAMPLE_DIFF)
        reply = call(double, "GET", f"/repos/{REPO}/pulls/1")
        assert reply.status == 200 and reply.json()["head"]["sha"] == HEAD
        assert double.violations == []
    with pytest.raises(ValueError):
        GiteaDouble("gitlab")


def test_version_and_current_user(gitea):
    version = call(gitea, "GET", "/version", token=None).json()["version"]
    assert version == ("1.27.0" if gitea.flavour == "gitea" else "16.0.1+gitea-1.22.0")
    me = call(gitea, "GET", "/user").json()
    assert me["login"] == "code-corgi" and me["username"] == "code-corgi"
    assert ("pronouns" in me) == (gitea.flavour == "forgejo")


def test_missing_token_is_401_and_a_violation(gitea):
    reply = call(gitea, "GET", f"/repos/{REPO}/pulls/7", token=None)
    assert reply.status == 401
    assert reply.json()["message"] == "token is required"
    assert reply.json()["url"] == f"{gitea.base_url}/api/swagger"
    assert any("without an Authorization header" in v for v in gitea.take_violations())


def test_wrong_token_is_401_without_a_violation(gitea):
    reply = call(gitea, "GET", f"/repos/{REPO}/pulls/7", token="0" * 40)
    assert reply.status == 401
    assert gitea.requests[-1].credential == "invalid"
    assert gitea.violations == []


@pytest.mark.parametrize("scheme", ["token", "Bearer"])
def test_token_schemes_and_no_credential_in_the_log(gitea, scheme):
    assert call(gitea, "GET", f"/repos/{REPO}/pulls/7", scheme=scheme).status == 200
    record = gitea.requests[-1]
    assert record.headers["Authorization"] == scheme and record.user == "code-corgi"
    assert gitea.token not in repr(record)


def test_basic_auth_with_the_token_as_password(gitea):
    basic = base64.b64encode(f"code-corgi:{gitea.token}".encode()).decode()
    assert call(gitea, "GET", "/user", token=basic, scheme="Basic").status == 200


def test_query_token_is_deprecated_in_gitea_and_unknown_to_forgejo(gitea):
    reply = call(gitea, "GET", f"/repos/{REPO}/pulls/7?token={gitea.token}", token=None)
    assert reply.status == (200 if gitea.flavour == "gitea" else 401)
    assert any("?token= query parameter" in v for v in gitea.take_violations())


def test_private_repository_is_404_for_users_without_access(gitea):
    gitea.add_token("f" * 40, "mallory")
    assert call(gitea, "GET", f"/repos/{REPO}/pulls/7", token="f" * 40).status == 404
    assert call(gitea, "GET", "/repos/acme/nothing/pulls/7").status == 404


# ---- pull request and diff --------------------------------------------------------------------


def test_pull_request_object(gitea):
    reply = call(gitea, "GET", f"/repos/{REPO}/pulls/7")
    assert reply.status == 200
    assert reply.headers["content-type"] == "application/json;charset=utf-8"
    pr = reply.json()
    assert pr["number"] == 7 and pr["state"] == "open" and pr["title"] == "Add config"
    assert pr["head"]["sha"] == HEAD and pr["head"]["ref"] == "feature/x" and pr["head"]["repo"]["id"] == 4242
    assert pr["base"]["sha"] == BASE and pr["base"]["ref"] == "main" and pr["merge_base"] == BASE
    assert pr["merged"] is False and pr["merged_at"] is None and pr["merge_commit_sha"] is None
    assert pr["user"]["login"] == "alice"
    assert pr["html_url"] == f"{gitea.base_url}/{REPO}/pulls/7" == pr["url"]
    assert pr["diff_url"] == f"{gitea.base_url}/{REPO}/pulls/7.diff"
    assert pr["additions"] == 6 and pr["deletions"] == 2 and pr["changed_files"] == 3
    assert ("flow" in pr) == (gitea.flavour == "forgejo") and ("content_version" in pr) == (gitea.flavour == "gitea")
    assert pr == gitea.pull_json(REPO, 7)


def test_unknown_pull_request_is_404(gitea):
    reply = call(gitea, "GET", f"/repos/{REPO}/pulls/99")
    assert reply.status == 404
    if gitea.flavour == "forgejo":
        assert reply.json()["message"] == "The target couldn't be found." and "errors" in reply.json()
    else:
        assert set(reply.json()) == {"message", "url"}


def test_closed_and_merged_pull_request(gitea):
    gitea.set_pull(REPO, 7, head_sha=HEAD, diff=SAMPLE_DIFF, state="closed", merged=True)
    pr = call(gitea, "GET", f"/repos/{REPO}/pulls/7").json()
    assert pr["state"] == "closed" and pr["merged"] is True and pr["merged_at"] and pr["closed_at"]
    assert re.fullmatch(r"[0-9a-f]{40}", pr["merge_commit_sha"]) and pr["merged_by"]["login"] == "acme"
    assert pr["user"]["login"] == "alice"  # kept when an update leaves the author out
    gitea.set_pull(REPO, 9, head_sha=HEAD2, diff=PUSHED_DIFF, state="closed")
    fresh = call(gitea, "GET", f"/repos/{REPO}/pulls/9").json()
    assert fresh["state"] == "closed" and fresh["closed_at"] and fresh["merged"] is False
    assert fresh["user"]["login"] == "octo-dev"


def test_diff_is_the_configured_text(gitea):
    reply = call(gitea, "GET", f"/repos/{REPO}/pulls/7.diff")
    assert reply.status == 200
    assert reply.headers["content-type"].startswith("text/plain")
    assert reply.data == SAMPLE_DIFF.encode()
    gitea.set_pull(REPO, 7, head_sha=HEAD, diff=SAMPLE_DIFF, binary_diff=SAMPLE_DIFF + "GIT binary patch\n",
                   author="alice")
    assert call(gitea, "GET", f"/repos/{REPO}/pulls/7.diff?binary=true").data.endswith(b"GIT binary patch\n")
    assert call(gitea, "GET", f"/repos/{REPO}/pulls/7.diff?binary=false").data == SAMPLE_DIFF.encode()
    patch = call(gitea, "GET", f"/repos/{REPO}/pulls/7.patch")
    assert patch.data.startswith(f"From {HEAD} ".encode()) and SAMPLE_DIFF.encode() in patch.data
    assert call(gitea, "GET", f"/repos/{REPO}/pulls/8.diff").status == 404


def test_push_head_moves_the_head_and_the_diff(gitea):
    gitea.push_head(REPO, 7, HEAD2, PUSHED_DIFF)
    assert call(gitea, "GET", f"/repos/{REPO}/pulls/7").json()["head"]["sha"] == HEAD2
    assert call(gitea, "GET", f"/repos/{REPO}/pulls/7.diff").data == PUSHED_DIFF.encode()
    assert call(gitea, "GET", f"/repos/{REPO}/pulls/7").json()["base"]["sha"] == BASE


def test_unknown_routes_and_methods_are_violations(gitea):
    assert call(gitea, "GET", f"/repos/{REPO}/pulls/7/files").status == 404
    assert call(gitea, "PUT", f"/repos/{REPO}/pulls/7").status == 405
    assert call(gitea, "GET", f"/repos/{REPO}/pulls/7.txt").status == 404
    assert call(gitea, "GET", "/api/v3/user").status == 404
    assert len(gitea.take_violations()) == 4


def test_head_is_answered_like_get_without_a_body(gitea):
    reply = call(gitea, "HEAD", f"/repos/{REPO}/pulls/7")
    assert reply.status == 200 and reply.data == b"" and int(reply.headers["content-length"]) > 100


# ---- commit statuses ------------------------------------------------------------------------------


def post_status(double, state, context="code-corgi", sha=HEAD, **extra):
    return call(double, "POST", f"/repos/{REPO}/statuses/{sha}",
                body={"state": state, "context": context, "description": f"{state}!",
                      "target_url": "https://corgi.example/runs/1", **extra})


def test_statuses_are_all_kept_and_the_latest_per_context_combines(gitea):
    first = post_status(gitea, "pending")
    assert first.status == 201
    status = first.json()
    assert status["id"] == 1 and status["status"] == "pending" and status["context"] == "code-corgi"
    assert status["creator"]["login"] == "code-corgi"
    assert status["url"] == f"{gitea.base_url}/api/v1/repos/{REPO}/statuses/{HEAD}"
    assert post_status(gitea, "success").json()["id"] == 2
    assert post_status(gitea, "warning", context="other/lint").json()["id"] == 3

    listed = call(gitea, "GET", f"/repos/{REPO}/statuses/{HEAD}")
    assert [s["id"] for s in listed.json()] == [3, 2, 1]  # newest first
    assert listed.headers["x-total-count"] == "3"
    assert [s["id"] for s in call(gitea, "GET", f"/repos/{REPO}/statuses/{HEAD}?sort=oldest").json()] == [1, 2, 3]
    assert [s["id"] for s in call(gitea, "GET", f"/repos/{REPO}/statuses/{HEAD}?state=pending").json()] == [1]
    by_branch = call(gitea, "GET", f"/repos/{REPO}/commits/feature%2Fx/statuses").json()
    assert [s["id"] for s in by_branch] == [3, 2, 1]

    combined = call(gitea, "GET", f"/repos/{REPO}/commits/{HEAD}/status")
    body = combined.json()
    assert body["state"] == "warning" and body["total_count"] == 2 and body["sha"] == HEAD
    assert sorted(s["status"] for s in body["statuses"]) == ["success", "warning"]
    assert combined.headers["x-total-count"] == "2"
    assert gitea.combined_state(REPO, HEAD) == "warning"
    post_status(gitea, "error", context="other/lint")
    assert call(gitea, "GET", f"/repos/{REPO}/commits/{HEAD}/status").json()["state"] == "failure"
    assert [s["state"] for s in gitea.statuses] == ["pending", "success", "warning", "error"]


def test_combined_status_without_statuses(gitea):
    body = call(gitea, "GET", f"/repos/{REPO}/commits/{BASE}/status").json()
    assert body["state"] == "" and body["total_count"] == 0 and body["statuses"] is None


def test_status_short_sha_unknown_commit_and_bad_state(gitea):
    assert post_status(gitea, "success", sha=HEAD[:10]).json()["url"].endswith(HEAD)
    assert post_status(gitea, "success", sha="f" * 40).status == 404
    assert any("unknown commit" in v for v in gitea.take_violations())
    bad = post_status(gitea, "ok")
    assert bad.status == 422
    assert any("'ok'" in v for v in gitea.take_violations())


def test_status_needs_write_access(gitea):
    gitea.set_permission(REPO, "code-corgi", "read")
    reply = post_status(gitea, "success")
    assert reply.status == 403
    assert gitea.take_violations()


# ---- pagination -------------------------------------------------------------------------------------


def test_statuses_pagination_headers(gitea):
    for i in range(7):
        post_status(gitea, "success", context=f"ctx-{i}")
    page1 = call(gitea, "GET", f"/repos/{REPO}/statuses/{HEAD}?limit=3")
    assert len(page1.json()) == 3 and page1.headers["x-total-count"] == "7"
    assert "Link" in page1.headers["access-control-expose-headers"]
    assert set(page1.links) == {"next", "last"}
    assert page1.links["next"] == f"{gitea.base_url}/api/v1/repos/{REPO}/statuses/{HEAD}?limit=3&page=2"
    assert page1.links["last"].endswith("limit=3&page=3")
    page3 = call(gitea, "GET", f"/repos/{REPO}/statuses/{HEAD}?limit=3&page=3")
    assert len(page3.json()) == 1 and set(page3.links) == {"first", "prev"}
    page2 = call(gitea, "GET", f"/repos/{REPO}/statuses/{HEAD}?page=2&limit=3")
    assert set(page2.links) == {"next", "last", "first", "prev"}
    assert [s["id"] for s in page1.json() + page2.json() + page3.json()] == list(range(7, 0, -1))
    everything = call(gitea, "GET", f"/repos/{REPO}/statuses/{HEAD}")
    assert len(everything.json()) == 7 and "link" not in everything.headers
    combined = call(gitea, "GET", f"/repos/{REPO}/commits/{HEAD}/status?limit=2")
    assert len(combined.json()["statuses"]) == 2 and combined.json()["total_count"] == 7


def test_default_page_size_and_limit_cap(gitea):
    for i in range(55):
        gitea.add_commit(REPO, HEAD)
        post_status(gitea, "success", context=f"c{i}")
    assert len(call(gitea, "GET", f"/repos/{REPO}/statuses/{HEAD}").json()) == 30
    capped = call(gitea, "GET", f"/repos/{REPO}/statuses/{HEAD}?limit=100")
    assert len(capped.json()) == 50
    assert any("MAX_RESPONSE_ITEMS" in v for v in gitea.take_violations())


def test_reviews_are_paginated_without_a_link_header(gitea):
    for i in range(3):
        assert review(gitea, [], body=f"review {i}").status == 200
    reply = call(gitea, "GET", f"/repos/{REPO}/pulls/7/reviews?limit=2")
    assert len(reply.json()) == 2 and reply.headers["x-total-count"] == "3" and "link" not in reply.headers
    assert [r["body"] for r in call(gitea, "GET", f"/repos/{REPO}/pulls/7/reviews?limit=2&page=2").json()] == \
        ["review 2"]


def test_issue_comments_are_not_paginated(gitea):
    for i in range(3):
        gitea.add_issue_comment(REPO, 7, f"comment {i}", author="bob")
    reply = call(gitea, "GET", f"/repos/{REPO}/issues/7/comments?page=2&limit=1")
    assert len(reply.json()) == 3 and reply.headers["x-total-count"] == "3"
    assert len([v for v in gitea.take_violations() if "takes no" in v]) == 2


# ---- reviews and their comments ------------------------------------------------------------------


def test_review_with_comments_on_added_lines(gitea):
    reply = review(gitea, [
        {"path": "app/config.py", "body": "hard-coded AWS key", "new_position": 3},
        {"path": "app/config.py", "body": "token from env", "new_position": 6},
        {"path": "app/config.py", "body": "debug removed", "old_position": 2},
        {"path": "docs/new.md", "body": "typo", "new_position": 2},
    ])
    assert reply.status == 200
    r = reply.json()
    assert r["state"] == "COMMENT" and r["commit_id"] == HEAD and r["comments_count"] == 4
    assert r["user"]["login"] == "code-corgi" and r["stale"] is False and r["dismissed"] is False
    assert r["html_url"].startswith(f"{gitea.base_url}/{REPO}/pulls/7#issuecomment-")

    listed = call(gitea, "GET", f"/repos/{REPO}/pulls/7/reviews").json()
    assert [x["id"] for x in listed] == [r["id"]]
    assert call(gitea, "GET", f"/repos/{REPO}/pulls/7/reviews/{r['id']}").json() == r
    comments = call(gitea, "GET", f"/repos/{REPO}/pulls/7/reviews/{r['id']}/comments").json()
    by_body = {c["body"]: c for c in comments}
    key = by_body["hard-coded AWS key"]
    assert key["path"] == "app/config.py" and key["position"] == 3 and key["original_position"] == 0
    assert key["commit_id"] == HEAD and key["pull_request_review_id"] == r["id"]
    assert key["diff_hunk"].startswith("@@ -1,7 +1,9 @@\n import os\n-DEBUG = True")
    assert by_body["token from env"]["diff_hunk"] == "\n".join([
        "@@ -3,2 +3,4 @@", '+API_KEY = "AKIAIOSFODNN7EXAMPLE"', " ", " def load():",
        '+    token = os.environ["TOKEN"]'])
    removed = by_body["debug removed"]
    assert removed["position"] == 0 and removed["original_position"] == 2
    assert ("extra_lines_count" in key) == (gitea.flavour == "forgejo")
    assert gitea.misplaced_comments == []
    assert len(gitea.review_comments) == 4 and gitea.reviews[r["id"]]["state"] == "COMMENT"
    assert call(gitea, "GET", f"/repos/{REPO}/pulls/7").json()["review_comments"] == 4


@pytest.mark.parametrize("comment, fragment", [
    ({"path": "app/config.py", "new_position": 4}, "is not an added line"),  # a context line
    ({"path": "app/config.py", "new_position": 50}, "is not an added line"),
    ({"path": "app/missing.py", "new_position": 1}, "is not in the pull request's diff"),
    ({"path": "app/config.py", "old_position": 1}, "is not a removed line"),
    ({"path": "app/config.py"}, "neither new_position nor old_position"),
    ({"path": "app/config.py", "new_position": 3, "old_position": 2}, "both new_position and old_position"),
])
def test_misplaced_review_comments_are_accepted_like_gitea_but_recorded(gitea, comment, fragment):
    reply = review(gitea, [dict(comment, body="finding")])
    assert reply.status == 200  # Gitea does not check the line against the diff
    violations = gitea.take_violations()
    assert any(fragment in v for v in violations), violations
    assert len(gitea.misplaced_comments) == 1 and fragment in gitea.misplaced_comments[0]["problem"]


def test_context_lines_are_accepted_when_any_diff_line_may_be_commented():
    double = start("gitea", comment_lines="diff")
    try:
        assert review(double, [{"path": "app/config.py", "body": "ctx", "new_position": 4},
                               {"path": "app/config.py", "body": "old ctx", "old_position": 1}]).status == 200
        assert double.violations == [] and double.misplaced_comments == []
        review(double, [{"path": "app/config.py", "body": "far", "new_position": 50}])
        assert double.take_violations() and len(double.misplaced_comments) == 1
    finally:
        double.stop()


def test_review_commit_id_must_be_the_head(gitea):
    gitea.push_head(REPO, 7, HEAD2, PUSHED_DIFF)
    reply = review(gitea, [{"path": "app/config.py", "body": "x", "new_position": 2}])  # commit_id: old HEAD
    assert reply.status == 200 and reply.json()["commit_id"] == HEAD
    assert any("is not the pull request's head" in v for v in gitea.take_violations())
    reply = review(gitea, [{"path": "app/config.py", "body": "x", "new_position": 2}], commit_id="d" * 40)
    assert reply.status == 500
    assert any("no known commit" in v for v in gitea.take_violations())
    ok = call(gitea, "POST", f"/repos/{REPO}/pulls/7/reviews",
              body={"body": "b", "event": "COMMENT", "comments": [{"path": "app/config.py", "body": "x",
                                                                    "new_position": 2}]})
    assert ok.status == 200 and ok.json()["commit_id"] == HEAD2  # no commit_id: the head


def test_review_event_and_body_rules(gitea):
    assert review(gitea, [], body="").status == 422  # COMMENT with neither
    assert review(gitea, [], event="REQUEST_CHANGES", body=" ").status == 422
    assert len(gitea.take_violations()) == 2
    assert review(gitea, [], event="REQUEST_CHANGES", body="fix it").json()["state"] == "REQUEST_CHANGES"
    assert review(gitea, [], event="APPROVED", body="").json()["state"] == "APPROVED"
    pending = review(gitea, [], event="PENDING", body="later")
    assert pending.status == 200 and pending.json()["state"] == "PENDING"
    assert any("PENDING" in v for v in gitea.take_violations())
    gitea.set_pull(REPO, 7, head_sha=HEAD, diff=SAMPLE_DIFF, author="code-corgi")
    assert review(gitea, [], event="APPROVED").status == 422  # approving your own pull
    gitea.take_violations()
    gitea.set_pull(REPO, 7, head_sha=HEAD, diff=SAMPLE_DIFF, author="alice", state="closed")
    assert review(gitea, [], event="REQUEST_CHANGES", body="x").status == 422
    assert review(gitea, [], event="COMMENT", body="still fine").status == 200
    assert len(gitea.take_violations()) == 1


def test_pending_reviews_are_only_visible_to_their_author(gitea):
    rid = review(gitea, [], event="PENDING", body="draft").json()["id"]
    gitea.take_violations()
    gitea.add_token("b" * 40, "bob")
    gitea.set_permission(REPO, "bob", "read")
    assert call(gitea, "GET", f"/repos/{REPO}/pulls/7/reviews", token="b" * 40).json() == []
    assert call(gitea, "GET", f"/repos/{REPO}/pulls/7/reviews/{rid}", token="b" * 40).status == 404
    assert call(gitea, "GET", f"/repos/{REPO}/pulls/7/reviews/{rid}").status == 200
    assert call(gitea, "GET", f"/repos/{REPO}/pulls/7/reviews/999").status == 404


@needs_spec
def test_spec_catches_bad_review_bodies(gitea):
    reply = review(gitea, [{"path": "app/config.py", "body": "x", "new_position": "3"}])
    assert reply.status == 422
    violations = gitea.take_violations()
    assert any("comments/0/new_position" in v and "integer" in v for v in violations), violations
    if gitea.flavour == "gitea":  # Forgejo's ReviewStateType is a plain string
        assert review(gitea, [], event="APPROVE", body="lgtm").status == 422
        assert any("APPROVE" in v for v in gitea.take_violations())
    assert call(gitea, "GET", f"/repos/{REPO}/statuses/{HEAD}?state=bogus").status == 422
    assert call(gitea, "GET", f"/repos/{REPO}/statuses/{HEAD}?page=x").status == 422
    assert len(gitea.take_violations()) == 2


def test_without_the_description_hand_written_checks_still_apply(tmp_path):
    with GiteaDouble("gitea", spec_path=tmp_path / "absent.json") as double:
        double.add_repo(REPO)
        double.set_pull(REPO, 7, head_sha=HEAD, diff=SAMPLE_DIFF)
        assert review(double, [], event="APPROVE", body="lgtm").json()["state"] == "PENDING"
        assert any("PENDING" in v for v in double.take_violations())
        bad = review(double, [{"path": "app/config.py", "body": "x", "new_position": "3"}])
        assert bad.status == 422
        assert any("comments[0].new_position" in v for v in double.take_violations())
        assert post_status(double, "success", context=7).status == 422
        assert double.take_violations()


def test_a_pending_review_is_completed_by_the_next_review(gitea):
    pending = review(gitea, [{"path": "app/config.py", "body": "first", "new_position": 3}], event="PENDING",
                     body="draft").json()
    gitea.take_violations()
    done = review(gitea, [{"path": "app/config.py", "body": "second", "new_position": 6}]).json()
    assert done["id"] == pending["id"] and done["state"] == "COMMENT" and done["comments_count"] == 2
    bodies = {c["body"] for c in call(gitea, "GET", f"/repos/{REPO}/pulls/7/reviews/{done['id']}/comments").json()}
    assert bodies == {"first", "second"}
    assert len(call(gitea, "GET", f"/repos/{REPO}/pulls/7/reviews").json()) == 1


def test_bodies_need_a_json_content_type(gitea):
    no_type = call(gitea, "POST", f"/repos/{REPO}/issues/7/comments", body={"body": "hi"},
                   headers={"Content-Type": None})
    assert no_type.status == 422 and no_type.json()["message"] == "[]: Empty Content-Type"
    text = call(gitea, "POST", f"/repos/{REPO}/issues/7/comments", body={"body": "hi"},
                headers={"Content-Type": "text/plain"})
    assert text.status == 422
    broken = call(gitea, "POST", f"/repos/{REPO}/issues/7/comments", body=b"{not json")
    assert broken.status == 422
    assert len(gitea.take_violations()) == 3


# ---- issue comments ---------------------------------------------------------------------------------


def test_issue_comment_create_list_edit_delete(gitea):
    human = gitea.add_issue_comment(REPO, 7, "@code-corgi review", author="bob")
    created = call(gitea, "POST", f"/repos/{REPO}/issues/7/comments", body={"body": "## Code Corgi\n<b>1</b>"})
    assert created.status == 201
    comment = created.json()
    assert comment["body"] == "## Code Corgi\n<b>1</b>" and comment["user"]["login"] == "code-corgi"
    assert comment["pull_request_url"] == f"{gitea.base_url}/{REPO}/pulls/7" and comment["issue_url"] == ""
    assert comment["html_url"].endswith(f"#issuecomment-{comment['id']}")
    assert b"\\u003cb\\u003e" in created.data  # Go's encoder escapes HTML characters

    listed = call(gitea, "GET", f"/repos/{REPO}/issues/7/comments")
    assert [c["id"] for c in listed.json()] == [human["id"], comment["id"]]
    edited = call(gitea, "PATCH", f"/repos/{REPO}/issues/comments/{comment['id']}", body={"body": "updated"})
    assert edited.status == 200 and edited.json()["body"] == "updated"
    assert gitea.issue_comments[comment["id"]]["history"] == ["## Code Corgi\n<b>1</b>", "updated"]
    assert call(gitea, "GET", f"/repos/{REPO}/issues/comments/{comment['id']}").json()["body"] == "updated"
    assert call(gitea, "PATCH", f"/repos/{REPO}/issues/comments/424242", body={"body": "x"}).status == 404
    assert call(gitea, "DELETE", f"/repos/{REPO}/issues/comments/{comment['id']}").status == 204
    gitea.delete_comment(human["id"])
    assert call(gitea, "GET", f"/repos/{REPO}/issues/7/comments").json() == []
    assert call(gitea, "PATCH", f"/repos/{REPO}/issues/comments/{comment['id']}", body={"body": "x"}).status == 404
    since = call(gitea, "GET", f"/repos/{REPO}/issues/7/comments?since=2999-01-01T00:00:00Z").json()
    assert since == []


def test_issue_comment_errors(gitea):
    assert call(gitea, "POST", f"/repos/{REPO}/issues/7/comments", body={"body": ""}).status == 422
    assert gitea.take_violations()
    # GetIssueByIndex's error is not mapped to 404 on these endpoints
    assert call(gitea, "GET", f"/repos/{REPO}/issues/99/comments").status == 500
    assert call(gitea, "POST", f"/repos/{REPO}/issues/99/comments", body={"body": "x"}).status == 500
    other = gitea.add_issue_comment(REPO, 7, "mine", author="bob")
    gitea.set_permission(REPO, "code-corgi", "read")
    assert call(gitea, "PATCH", f"/repos/{REPO}/issues/comments/{other['id']}", body={"body": "x"}).status == 403
    assert gitea.take_violations()
    assert gitea.add_repo("acme", "other", 77) == 77
    assert gitea.repo_json("acme/other")["id"] == 77
    assert call(gitea, "GET", f"/repos/acme/other/issues/comments/{other['id']}").status == 404


def test_comments_on_plain_issues(gitea):
    gitea.add_issue(REPO, 8, title="A bug")
    created = call(gitea, "POST", f"/repos/{REPO}/issues/8/comments", body={"body": "hi"}).json()
    assert created["issue_url"] == f"{gitea.base_url}/{REPO}/issues/8" and created["pull_request_url"] == ""
    assert call(gitea, "GET", f"/repos/{REPO}/pulls/8").status == 404


def test_review_comment_ids_share_the_comment_table(gitea):
    r = review(gitea, [{"path": "app/config.py", "body": "x", "new_position": 3}]).json()
    code_id = next(iter(gitea.review_comments))
    assert call(gitea, "GET", f"/repos/{REPO}/issues/comments/{code_id}").status == 204
    assert call(gitea, "GET", f"/repos/{REPO}/issues/7/comments").json() == []
    assert int(r["html_url"].rsplit("-", 1)[1]) > code_id


# ---- files --------------------------------------------------------------------------------------


def test_raw_and_contents_at_a_ref(gitea):
    gitea.set_file(REPO, "app/config.py", "DEBUG = False\n", ref=HEAD)
    gitea.set_file(REPO, "app/config.py", "DEBUG = True\n")  # the default branch
    gitea.set_file(REPO, "app/util/x.py", b"\x00\x01binary")
    assert call(gitea, "GET", f"/repos/{REPO}/raw/app/config.py?ref={HEAD}").data == b"DEBUG = False\n"
    assert call(gitea, "GET", f"/repos/{REPO}/raw/app/config.py").data == b"DEBUG = True\n"
    assert call(gitea, "GET", f"/repos/{REPO}/raw/{HEAD}/app/config.py").data == b"DEBUG = False\n"
    assert call(gitea, "GET", f"/repos/{REPO}/raw/main/app/config.py").data == b"DEBUG = True\n"
    raw = call(gitea, "GET", f"/repos/{REPO}/raw/app/util/x.py")
    assert raw.headers["content-type"] == "application/octet-stream"
    assert call(gitea, "GET", f"/repos/{REPO}/raw/app/missing.py?ref={HEAD}").status == 404

    reply = call(gitea, "GET", f"/repos/{REPO}/contents/app/config.py?ref={HEAD[:12]}")
    assert reply.status == 200
    content = reply.json()
    assert base64.b64decode(content["content"]) == b"DEBUG = False\n" and content["encoding"] == "base64"
    assert content["type"] == "file" and content["path"] == "app/config.py" and content["last_commit_sha"] == HEAD
    assert content["sha"] == hashlib.sha1(b"blob 14\0DEBUG = False\n").hexdigest()
    branch = call(gitea, "GET", f"/repos/{REPO}/contents/app/config.py?ref=feature%2Fx").json()
    assert base64.b64decode(branch["content"]) == b"DEBUG = False\n"  # feature/x points at HEAD
    listing = call(gitea, "GET", f"/repos/{REPO}/contents/app").json()
    assert [(e["name"], e["type"]) for e in listing] == [("config.py", "file"), ("util", "dir")]
    assert call(gitea, "GET", f"/repos/{REPO}/contents/nope.py").status == 404
    assert call(gitea, "GET", f"/repos/{REPO}/contents/app/config.py?ref=no-such-branch").status == 404


# ---- permissions ---------------------------------------------------------------------------------


def test_collaborator_permission_needs_repo_admin(gitea):
    gitea.set_permission(REPO, "bob", "write")
    forbidden = call(gitea, "GET", f"/repos/{REPO}/collaborators/bob/permission")
    assert forbidden.status == 403 and "repo admins" in forbidden.json()["message"]
    own = call(gitea, "GET", f"/repos/{REPO}/collaborators/code-corgi/permission").json()
    assert own["permission"] == "write" and own["role_name"] == "write" and own["user"]["login"] == "code-corgi"

    gitea.set_permission(REPO, "code-corgi", "admin")
    assert call(gitea, "GET", f"/repos/{REPO}/collaborators/bob/permission").json()["permission"] == "write"
    assert call(gitea, "GET", f"/repos/{REPO}/collaborators/acme/permission").json()["permission"] == "owner"
    gitea.add_user("carol")
    assert call(gitea, "GET", f"/repos/{REPO}/collaborators/carol/permission").json()["permission"] == "none"
    gitea.add_user("root", is_admin=True)
    assert call(gitea, "GET", f"/repos/{REPO}/collaborators/root/permission").json()["permission"] == "admin"
    assert call(gitea, "GET", f"/repos/{REPO}/collaborators/nobody/permission").status == 404


# ---- fault injection ------------------------------------------------------------------------------


def test_fail_next_returns_the_status_then_recovers(gitea):
    gitea.fail_next("POST", r"/statuses/", 502, times=2)
    assert post_status(gitea, "pending").status == 502
    assert post_status(gitea, "pending").status == 502
    assert post_status(gitea, "pending").status == 201
    assert [r.injected for r in gitea.calls("POST", r"/statuses/")] == ["fail", "fail", None]
    assert len(gitea.statuses) == 1


def test_fail_next_only_matches_its_method_and_path_and_can_send_a_body(gitea):
    gitea.fail("PATCH", r"/issues/comments/", 500)
    assert call(gitea, "GET", f"/repos/{REPO}/pulls/7").status == 200
    gitea.fail_next(None, r"/pulls/7$", 503, headers={"Retry-After": "1"}, body="<html>down</html>")
    reply = call(gitea, "GET", f"/repos/{REPO}/pulls/7")
    assert reply.status == 503 and reply.data == b"<html>down</html>" and reply.headers["retry-after"] == "1"
    assert GiteaDouble.fail is GiteaDouble.fail_next and GiteaDouble.drop is GiteaDouble.drop_next
    gitea.fail_next("GET", r"/pulls/7$", 429)
    assert call(gitea, "GET", f"/repos/{REPO}/pulls/7").json() == {"message": "Too Many Requests",
                                                                  "url": f"{gitea.base_url}/api/swagger"}


def test_delay_makes_a_client_time_out(gitea):
    gitea.fail_next("GET", r"/pulls/7$", None, delay=0.6)
    with pytest.raises(socket.timeout):
        call(gitea, "GET", f"/repos/{REPO}/pulls/7", timeout=0.2)
    gitea.wait_for(lambda d: any(r.injected == "delay" for r in d.requests), timeout=5)
    assert call(gitea, "GET", f"/repos/{REPO}/pulls/7").status == 200


def test_drop_next_closes_the_connection(gitea):
    gitea.drop("POST", r"/issues/\d+/comments$")
    with pytest.raises((http.client.RemoteDisconnected, ConnectionError)):
        call(gitea, "POST", f"/repos/{REPO}/issues/7/comments", body={"body": "x"})
    assert call(gitea, "POST", f"/repos/{REPO}/issues/7/comments", body={"body": "x"}).status == 201
    assert [r.injected for r in gitea.calls("POST", "comments")] == ["drop", None]
    assert len(gitea.issue_comments) == 1


def test_keep_alive_and_wait_for(gitea):
    host, port = gitea.base_url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=5)
    try:
        for _ in range(3):
            assert call(gitea, "GET", f"/repos/{REPO}/pulls/7", conn=conn).status == 200
    finally:
        conn.close()
    threading.Timer(0.1, lambda: call(gitea, "POST", f"/repos/{REPO}/issues/7/comments",
                                      body={"body": "late"})).start()
    assert gitea.wait_for(lambda d: d.issue_comments, timeout=5)
    with pytest.raises(TimeoutError, match="request"):
        gitea.wait_for(lambda d: False, timeout=0.1)


# ---- response conformance --------------------------------------------------------------------------


@needs_spec
@pytest.mark.parametrize("flavour", FLAVOURS)
def test_objects_validate_against_the_swagger_definitions(flavour):
    double = start(flavour)
    try:
        spec = double._spec
        for name, obj in [("PullRequest", double.pull_json(REPO, 7)), ("Repository", double.repo_json(REPO)),
                          ("User", double.user_json("alice"))]:
            errors = [e.message for e in spec.definition_validator(name).iter_errors(obj)]
            assert errors == [], (name, errors)
        broken = double.pull_json(REPO, 7)
        broken["number"] = "7"
        assert list(spec.definition_validator("PullRequest").iter_errors(broken))
    finally:
        double.stop()


# ---- diff helpers ---------------------------------------------------------------------------------


def test_cut_diff_around_line_follows_gitea():
    fd = parse_diff(SAMPLE_DIFF)[0]
    assert cut_diff_around_line(fd, 2, False) == "@@ -1,7 +1,9 @@\n import os\n-DEBUG = True\n+DEBUG = False"
    assert cut_diff_around_line(fd, 2, True) == "@@ -1,7 +1,9 @@\n import os\n-DEBUG = True"
    assert cut_diff_around_line(fd, 24, False).startswith("@@ -20,3 +22,4 @@ def helper():\n     a = 1")
    assert cut_diff_around_line(fd, 15, False) == ""
    assert cut_diff_around_line(fd, 0, False) == ""


def test_go_json_escapes_like_encoding_json():
    assert go_json({"b": "<a & b>"}) == b'{"b":"\\u003ca \\u0026 b\\u003e"}'


# ---- webhooks -------------------------------------------------------------------------------------


@needs_fixtures
def test_signer_matches_the_published_vectors():
    vectors = json.loads(SIGNATURE_VECTORS_PATH.read_text())
    for vector in vectors["vectors"]:
        body = (FIXTURES_DIR / vector["payload_file"]).read_bytes()
        assert hashlib.sha256(body).hexdigest() == vector["payload_sha256"]
        assert sign_gitea(body, vectors["secret"]) == vector["X-Gitea-Signature"]
        sent = vector["headers_gitea_would_send"]
        headers = webhook_headers(sent["X-Gitea-Event"], body, vectors["secret"])
        assert headers["X-Hub-Signature-256"] == vector["X-Hub-Signature-256"]
        assert headers["X-Gitea-Event-Type"] == sent["X-Gitea-Event-Type"]
    github = FIXTURES_DIR.parent / "github" / "webhook-signature-test-vector.json"
    if github.exists():
        vector = json.loads(github.read_text())
        text = json.dumps(vector)
        secret = "It's a Secret to Everybody"
        assert secret in text
        assert sign_gitea(b"Hello, World!", secret) in text


def test_webhook_headers_per_flavour():
    body = b'{"action":"synchronized","number":7}'
    gitea = webhook_headers("pull_request", body, "s3cret", delivery="d-1")
    expected = hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
    assert gitea["X-Gitea-Signature"] == gitea["X-Gogs-Signature"] == expected
    assert gitea["X-Hub-Signature-256"] == f"sha256={expected}"
    assert gitea["X-Hub-Signature"] == "sha1=" + hmac.new(b"s3cret", body, hashlib.sha1).hexdigest()
    assert gitea["X-Gitea-Event"] == gitea["X-GitHub-Event"] == gitea["X-Gogs-Event"] == "pull_request"
    assert gitea["X-Gitea-Event-Type"] == "pull_request_sync"
    assert gitea["X-Gitea-Delivery"] == gitea["X-GitHub-Delivery"] == "d-1"
    assert not any(k.startswith("X-Forgejo") for k in gitea)
    forgejo = webhook_headers("pull_request", body, "s3cret", flavour="forgejo", delivery="d-1")
    assert forgejo["X-Forgejo-Signature"] == expected and forgejo["X-Forgejo-Event-Type"] == "pull_request_sync"
    assert forgejo["X-Forgejo-Delivery"] == "d-1" and forgejo["X-Gitea-Event"] == "pull_request"
    unsigned = webhook_headers("pull_request", body, None)
    assert unsigned["X-Gitea-Signature"] == "" and unsigned["X-Hub-Signature-256"] == "sha256="
    assert webhook_headers("pull_request_sync", body, "s")["X-Gitea-Event"] == "pull_request"
    assert hook_event_type("issue_comment", {"is_pull": True}) == "pull_request_comment"
    assert hook_event_type("issue_comment", {"is_pull": False}) == "issue_comment"
    assert hook_event_type("pull_request_comment") == "pull_request_review_comment"


def test_send_gitea_webhook_end_to_end(gitea):
    flavour = gitea.flavour
    receiver = WebhookReceiver("/hooks/gitea")
    try:
        payload = pull_request_event(gitea.repo_json(REPO), gitea.pull_json(REPO, 7), "synchronized")
        reply = send_gitea_webhook(receiver.url, "pull_request", payload, "topsecret", flavour=flavour)
        assert reply.status == 202 and reply.body == b"ok"
        headers, body = receiver.deliveries[-1]
        assert headers["Content-Type"] == "application/json"
        assert headers["X-Gitea-Event-Type"] == "pull_request_sync"
        assert headers["X-Gitea-Signature"] == hmac.new(b"topsecret", body, hashlib.sha256).hexdigest()
        assert ("X-Forgejo-Signature" in headers) == (flavour == "forgejo")
        assert json.loads(body) == payload and body.startswith(b'{\n  "action": "synchronized"')
        comment = gitea.add_issue_comment(REPO, 7, "@code-corgi review <now>", author="bob")
        event = issue_comment_event(gitea.repo_json(REPO), gitea.pull_json(REPO, 7), comment["body"],
                                    sender=gitea.user_json("bob"), comment=comment)
        send_gitea_webhook(receiver.url, "issue_comment", event, "topsecret", flavour=flavour, delivery="abc",
                           content_type="form")
        headers, body = receiver.deliveries[-1]
        assert headers["Content-Type"] == "application/x-www-form-urlencoded"
        assert headers["X-Gitea-Event"] == "issue_comment" and headers["X-Gitea-Event-Type"] == "pull_request_comment"
        assert headers["X-Gitea-Delivery"] == "abc"
        signed = go_json(event, indent=2)
        assert b"\\u003cnow\\u003e" in signed
        assert headers["X-Gitea-Signature"] == sign_gitea(signed, "topsecret")  # over the JSON, not the form
    finally:
        receiver.close()


def test_payload_builders(gitea):
    repo, pr = gitea.repo_json(REPO), gitea.pull_json(REPO, 7)
    for action in ("opened", "synchronized", "reopened", "closed"):
        payload = pull_request_event(repo, pr, action, sender="alice")
        assert list(payload) == ["action", "number", "pull_request", "requested_reviewer", "repository", "sender",
                                 "commit_id", "review"]
        assert payload["action"] == action and payload["number"] == 7
        assert payload["pull_request"]["head"]["sha"] == HEAD and payload["repository"]["full_name"] == REPO
        assert payload["pull_request"]["state"] == ("closed" if action == "closed" else "open")
        assert payload["sender"]["login"] == "alice"
    assert pull_request_event(repo, pr, "opened")["sender"]["login"] == "alice"  # default: the author
    edited = pull_request_event(repo, pr, "edited", changes={"title": {"from": "old"}})
    assert list(edited)[:3] == ["action", "number", "changes"]
    with pytest.raises(ValueError, match="synchronized"):
        pull_request_event(repo, pr, "synchronize")
    event = issue_comment_event(repo, pr, "@code-corgi review", sender="bob", comment_id=55)
    assert list(event) == ["action", "issue", "comment", "repository", "sender", "is_pull"]
    assert event["is_pull"] is True and event["action"] == "created"
    assert event["comment"]["id"] == 55 and event["comment"]["body"] == "@code-corgi review"
    assert event["comment"]["user"]["login"] == "bob" and event["comment"]["issue_url"] == ""
    assert event["issue"]["number"] == 7 and event["issue"]["pull_request"]["merged"] is False
    assert event["issue"]["repository"] == {"id": 4242, "name": "widgets", "owner": "acme", "full_name": REPO}
    standalone = make_repository("org/app", repo_id=3, base_url="https://git.example.com", flavour="forgejo")
    spr = make_pull_request(standalone, 2, head_sha=HEAD, base_sha=BASE, user="dora")
    payload = pull_request_event(standalone, spr, "opened")
    assert payload["pull_request"]["html_url"] == "https://git.example.com/org/app/pulls/2"
    assert "pronouns" in payload["sender"]


@needs_fixtures
def test_payload_builders_cover_the_captured_payloads(gitea):
    """Every key of the real captures is in the built payloads (the captures may lack newer keys)."""
    repo, pr = gitea.repo_json(REPO), gitea.pull_json(REPO, 7)
    captured = json.loads((FIXTURES_DIR / "gitea-pull_request.closed.json").read_text())
    built = pull_request_event(repo, pr, "closed")
    assert set(captured) == set(built)
    assert set(captured["pull_request"]) - set(built["pull_request"]) == set()
    assert set(captured["pull_request"]["head"]["repo"]) - set(built["pull_request"]["head"]["repo"]) == set()
    assert set(captured["sender"]) - set(built["sender"]) == set()
    forgejo = json.loads((FIXTURES_DIR / "forgejo-pull_request.reopened.json").read_text())
    if gitea.flavour == "forgejo":
        assert set(forgejo["sender"]) - set(built["sender"]) == set()
    comment = json.loads((FIXTURES_DIR / "gitea-issue_comment.created.pull.json").read_text())
    event = issue_comment_event(repo, pr, "hi", sender="bob")
    assert set(comment) == set(event)
    assert set(comment["issue"]) - set(event["issue"]) == set()
    assert set(comment["comment"]) - set(event["comment"]) == set()
    assert set(comment["issue"]["pull_request"]) - set(event["issue"]["pull_request"]) == set()


def test_requests_are_fast_enough_for_end_to_end_use(gitea):
    started = time.monotonic()
    for _ in range(20):
        assert call(gitea, "GET", f"/repos/{REPO}/pulls/7").status == 200
    assert time.monotonic() - started < 5
