"""Tests of the GitLab API double itself, so it cannot silently accept what GitLab would refuse."""
import http.client
import json
import re
import threading
import time
from urllib.parse import quote, urlencode, urlsplit, parse_qs

import pytest

import double_testing
from double_testing import Reply, WebhookReceiver, checked, exchange, with_headers
from gitlab_double import (
    DEFAULT_SPEC_PATH, GitLabDouble, merge_request_hook, note_hook, send_gitlab_webhook, sign_standard_webhook,
    split_diff, verify_standard_webhook,
)

# Checks against GitLab's OpenAPI description and the shared fixtures need those third-party files
# (../shared, or CORGI_SHARED_DIR); they are skipped, named, without them.
SHARED = DEFAULT_SPEC_PATH.parents[2]
needs_spec = pytest.mark.skipif(not DEFAULT_SPEC_PATH.exists(),
                                reason=f"conformance check skipped: GitLab's description {DEFAULT_SPEC_PATH} is absent")
VECTORS = SHARED / "fixtures" / "standard-webhooks" / "test-vectors.json"
needs_vectors = pytest.mark.skipif(not VECTORS.exists(), reason=f"Standard Webhooks vectors {VECTORS} are absent")
HOOK_FIXTURES = SHARED / "fixtures" / "gitlab"
needs_hook_fixtures = pytest.mark.skipif(not (HOOK_FIXTURES / "merge_request.json").exists(),
                                         reason=f"GitLab webhook examples in {HOOK_FIXTURES} are absent")

PID = 42
PATH = "acme/widgets"
ENC = quote(PATH, safe="")
IID = 7
HEAD = "6dcb09b5b57875f334f61aebed695e2e4193db5e"
BASE = "1f0fa02de1f6b913d674a8be10899fb8540237a9"
START = "7c9c2ead8a320fb7ba0b4e234bd9529a2614e306"
HEAD2 = "4803c71e6b1833ca72b8b26ef2ecd5adc8a38031"
MR = f"/api/v4/projects/{PID}/merge_requests/{IID}"

# The shared sample, with old.txt deleted as an executable file, so that the modes of a deleted file show.
SAMPLE_DIFF = double_testing.SAMPLE_DIFF.replace("deleted file mode 100644", "deleted file mode 100755")


# ---- helpers ---------------------------------------------------------------------------------


def call(double, method, path, *, token="default", json_body=None, form=None, raw=None, content_type=None,
         headers=None, timeout=10.0) -> Reply:
    sent = {"User-Agent": "corgi-tests/1.0"}
    if token == "default":
        token = double.token
    if token is not None:
        sent["PRIVATE-TOKEN"] = token
    payload = None
    if json_body is not None:
        payload, sent["Content-Type"] = json.dumps(json_body).encode(), "application/json"
    elif form is not None:
        payload, sent["Content-Type"] = urlencode(form).encode(), "application/x-www-form-urlencoded"
    elif raw is not None:
        payload, sent["Content-Type"] = raw, content_type or "application/json"
    return exchange(double, method, path, with_headers(sent, headers), payload, timeout=timeout)


@pytest.fixture
def gitlab():
    """A running double with one project and one merge request. The test fails at teardown if anything
    sent to it broke GitLab's API or the double's responses drifted from the documented schemas; tests
    that provoke violations on purpose take them with take_violations()."""
    double = GitLabDouble()
    double.start()
    double.add_project(PID, PATH)
    double.set_merge_request(PID, IID, head_sha=HEAD, base_sha=BASE, start_sha=START, diff=SAMPLE_DIFF,
                             title="Add config", source_branch="feature/config", author="alice")
    yield from checked(double, "the GitLab double recorded violations")


def position(**overrides) -> dict:
    pos = {"base_sha": BASE, "start_sha": START, "head_sha": HEAD, "position_type": "text",
           "old_path": "app/config.py", "new_path": "app/config.py"}
    pos.update(overrides)
    return {k: v for k, v in pos.items() if v is not None}


def discuss(double, pos, body="Hard-coded AWS key") -> Reply:
    return call(double, "POST", f"{MR}/discussions", json_body={"body": body, "position": pos})


# ---- merge request, auth -----------------------------------------------------------------------


def test_merge_request_by_numeric_id_and_by_encoded_path(gitlab):
    for project in (str(PID), ENC):
        reply = call(gitlab, "GET", f"/api/v4/projects/{project}/merge_requests/{IID}")
        assert reply.status == 200, reply.data
        mr = reply.json()
        assert (mr["iid"], mr["project_id"], mr["state"], mr["sha"]) == (IID, PID, "opened", HEAD)
        assert mr["diff_refs"] == {"base_sha": BASE, "head_sha": HEAD, "start_sha": START}
        assert (mr["source_branch"], mr["target_branch"], mr["title"]) == ("feature/config", "main", "Add config")
        assert mr["web_url"] == f"{gitlab.base_url}/{PATH}/-/merge_requests/{IID}"
        assert mr["author"]["username"] == "alice" and isinstance(mr["id"], int) and mr["id"] != IID
        assert reply.headers["content-type"] == "application/json"
    gitlab.set_mr_state(PID, IID, "merged")
    assert call(gitlab, "GET", MR).json()["state"] == "merged"


def test_unknown_merge_request_and_project_are_404(gitlab):
    reply = call(gitlab, "GET", f"/api/v4/projects/{PID}/merge_requests/999")
    assert (reply.status, reply.json()) == (404, {"message": "404 Not found"})
    reply = call(gitlab, "GET", f"/api/v4/projects/{quote('nobody/nothing', safe='')}/merge_requests/{IID}")
    assert (reply.status, reply.json()) == (404, {"message": "404 Project Not Found"})
    reply = call(gitlab, "GET", f"/api/v4/projects/{PID}/merge_requests/abc")
    assert (reply.status, reply.json()) == (400, {"error": "merge_request_iid is invalid"})
    assert any("merge_request_iid is invalid" in v for v in gitlab.take_violations())


def test_missing_token_is_401_and_a_violation(gitlab):
    reply = call(gitlab, "GET", MR, token=None)
    assert (reply.status, reply.json()) == (401, {"message": "401 Unauthorized"})
    assert any("no token" in v for v in gitlab.take_violations())


def test_wrong_or_revoked_token_is_401_and_never_logged(gitlab):
    reply = call(gitlab, "GET", MR, token="glpat-wrong")
    assert (reply.status, reply.json()) == (401, {"message": "401 Unauthorized"})
    assert gitlab.violations == []  # a wrong token is the caller's configuration, not an API misuse
    assert call(gitlab, "GET", MR, token=None, headers={"Authorization": f"Bearer {gitlab.token}"}).status == 200
    gitlab.add_token("glpat-second")
    assert call(gitlab, "GET", MR, token="glpat-second").status == 200
    gitlab.revoke_token("glpat-second")
    assert call(gitlab, "GET", MR, token="glpat-second").status == 401
    records = gitlab.requests
    assert [r.credential for r in records] == ["invalid", "valid", "valid", "invalid"]
    assert records[1].auth == "bearer" and records[0].auth == "private_token"
    assert all(gitlab.token not in repr(r) and "glpat-second" not in repr(r) for r in records)


# ---- diffs ---------------------------------------------------------------------------------------


def test_diff_is_split_into_gitlab_entries(gitlab):
    reply = call(gitlab, "GET", f"{MR}/diffs")
    assert reply.status == 200
    entries = {e["new_path"]: e for e in reply.json()}
    assert list(entries) == ["app/config.py", "docs/new.md", "old.txt", "logo.png", "src/b.py"]
    config = entries["app/config.py"]
    assert config["diff"].startswith("@@ -1,5 +1,6 @@\n import os\n-DEBUG = True\n") and config["diff"].endswith(
        "     return a + b\n")
    assert (config["a_mode"], config["b_mode"], config["new_file"], config["renamed_file"],
            config["deleted_file"]) == ("100644", "100644", False, False, False)
    new = entries["docs/new.md"]
    assert (new["old_path"], new["a_mode"], new["b_mode"], new["new_file"]) == ("docs/new.md", "0", "100644", True)
    assert new["diff"] == "@@ -0,0 +1,2 @@\n+# New\n+hello\n\\ No newline at end of file\n"
    old = entries["old.txt"]
    assert (old["old_path"], old["a_mode"], old["b_mode"], old["deleted_file"]) == ("old.txt", "100755", "0", True)
    assert entries["logo.png"]["diff"] == "Binary files /dev/null and b/logo.png differ\n"
    renamed = entries["src/b.py"]
    assert (renamed["old_path"], renamed["renamed_file"]) == ("src/a.py", True)
    assert all(e["too_large"] is False and e["collapsed"] is False and e["generated_file"] is False
               for e in entries.values())

    unified = {e["new_path"]: e["diff"] for e in call(gitlab, "GET", f"{MR}/diffs?unidiff=true").json()}
    assert unified["app/config.py"].startswith("--- a/app/config.py\n+++ b/app/config.py\n@@ -1,5")
    assert unified["docs/new.md"].startswith("--- /dev/null\n+++ b/docs/new.md\n")
    assert unified["old.txt"].startswith("--- a/old.txt\n+++ /dev/null\n")


def test_too_large_collapsed_and_generated_files(gitlab):
    gitlab.set_merge_request(PID, IID, head_sha=HEAD, base_sha=BASE, start_sha=START, diff=SAMPLE_DIFF,
                             too_large=["app/config.py"], collapsed=["src/b.py"], generated=["docs/new.md"])
    entries = {e["new_path"]: e for e in call(gitlab, "GET", f"{MR}/diffs").json()}
    assert (entries["app/config.py"]["too_large"], entries["app/config.py"]["diff"]) == (True, "")
    assert (entries["src/b.py"]["collapsed"], entries["src/b.py"]["diff"]) == (True, "")
    assert entries["docs/new.md"]["generated_file"] is True and entries["docs/new.md"]["diff"]
    # no line of a too-large file can carry a comment; a collapsed file's lines still can (GitLab expands it)
    assert discuss(gitlab, position(new_line=3)).status == 400
    assert discuss(gitlab, position(old_path="src/a.py", new_path="src/b.py", new_line=1)).status == 201
    assert [r["reason"] for r in gitlab.rejected_positions] == [
        "app/config.py is too large for GitLab to show its diff; no line can be commented"]
    gitlab.take_violations()


def test_plain_unified_diff_without_git_headers():
    entries = split_diff("--- a/x.c\n+++ b/x.c\n@@ -1 +1,2 @@\n int a;\n+int b;\n")
    assert [(e.old_path, e.new_path, e.a_mode, e.diff) for e in entries] == [
        ("x.c", "x.c", "100644", "@@ -1 +1,2 @@\n int a;\n+int b;\n")]
    assert entries[0].lines == {(1, 1): " ", (None, 2): "+"}
    with pytest.raises(ValueError):
        split_diff("--- a/x.c\n+++ b/x.c\n@@ -1,3 +1,3 @@\n int a;\n")


def test_offset_pagination_headers_and_links(gitlab):
    reply = call(gitlab, "GET", f"/api/v4/projects/{ENC}/merge_requests/{IID}/diffs?per_page=2")
    assert [e["new_path"] for e in reply.json()] == ["app/config.py", "docs/new.md"]
    h = reply.headers
    assert (h["x-page"], h["x-per-page"], h["x-next-page"], h["x-prev-page"], h["x-total"], h["x-total-pages"]) == \
        ("1", "2", "2", "", "5", "3")
    assert list(reply.links) == ["next", "first", "last"]
    last = urlsplit(reply.links["last"])
    assert last.path == f"/api/v4/projects/{ENC}/merge_requests/{IID}/diffs"
    assert parse_qs(last.query) == {"id": [PATH], "merge_request_iid": [str(IID)], "page": ["3"],
                                    "per_page": ["2"], "unidiff": ["false"]}

    reply = call(gitlab, "GET", reply.links["last"].removeprefix(gitlab.base_url))
    assert [e["new_path"] for e in reply.json()] == ["src/b.py"]
    assert (reply.headers["x-page"], reply.headers["x-next-page"], reply.headers["x-prev-page"]) == ("3", "", "2")
    assert list(reply.links) == ["prev", "first", "last"]

    reply = call(gitlab, "GET", f"{MR}/diffs?per_page=500")
    assert reply.headers["x-per-page"] == "100" and len(reply.json()) == 5
    assert call(gitlab, "GET", f"{MR}/diffs").headers["x-per-page"] == "20"
    beyond = call(gitlab, "GET", f"{MR}/diffs?page=9")
    assert (beyond.json(), beyond.headers["x-next-page"], beyond.headers["x-prev-page"]) == ([], "", "")


# ---- commit statuses -------------------------------------------------------------------------------


def post_status(double, sha=HEAD, **fields) -> Reply:
    return call(double, "POST", f"/api/v4/projects/{PID}/statuses/{sha}", json_body=fields)


def test_commit_status_is_created_and_listed(gitlab):
    reply = post_status(gitlab, state="pending", name="corgi/security", description="Reviewing",
                        target_url="https://corgi.example/runs/1")
    assert reply.status == 201, reply.data
    status = reply.json()
    assert (status["sha"], status["status"], status["name"], status["ref"]) == (HEAD, "pending", "corgi/security",
                                                                               "feature/config")
    assert (status["description"], status["target_url"], status["allow_failure"]) == (
        "Reviewing", "https://corgi.example/runs/1", False)
    assert status["author"]["username"] == "corgi-bot" and status["started_at"] is None
    # form parameters work as well, `context` is an alias of `name`, and the default name is "default"
    reply = call(gitlab, "POST", f"/api/v4/projects/{ENC}/statuses/{HEAD}",
                 form={"state": "success", "context": "lint", "coverage": "81.5"})
    assert reply.status == 201 and (reply.json()["name"], reply.json()["coverage"]) == ("lint", 81.5)
    assert post_status(gitlab, state="running").json()["name"] == "default"

    listed = call(gitlab, "GET", f"/api/v4/projects/{PID}/repository/commits/{HEAD}/statuses")
    assert listed.status == 200 and listed.headers["x-total"] == "3"
    assert [s["name"] for s in listed.json()] == ["corgi/security", "lint", "default"]
    assert len({s["pipeline_id"] for s in listed.json()}) == 1
    by_name = call(gitlab, "GET", f"/api/v4/projects/{PID}/repository/commits/{HEAD}/statuses?name=lint&sort=desc")
    assert [s["status"] for s in by_name.json()] == ["success"]
    assert [s["name"] for s in gitlab.statuses(PID, HEAD)] == ["corgi/security", "lint", "default"]


def test_commit_status_transitions_follow_gitlab(gitlab):
    first = post_status(gitlab, state="pending", name="corgi").json()
    running = post_status(gitlab, state="running", name="corgi").json()
    assert (running["id"], running["status"]) == (first["id"], "running") and running["started_at"]

    again = post_status(gitlab, state="running", name="corgi")
    assert (again.status, again.json()) == (400, {"message": 'Cannot transition status via :run from :running '
                                                             '(Reason(s): Status cannot transition via "run")'})
    skipped = post_status(gitlab, state="skipped", name="corgi")
    assert skipped.json()["message"].startswith("Cannot transition status via :skip from :running")

    done = post_status(gitlab, state="success", name="corgi", description="No findings").json()
    assert (done["id"], done["status"], done["description"]) == (first["id"], "success", "No findings")
    assert done["finished_at"]

    # a finished status is not updated: a new one is made and the old one becomes "retried"
    rerun = post_status(gitlab, state="pending", name="corgi").json()
    assert rerun["id"] != first["id"] and rerun["pipeline_id"] == first["pipeline_id"]
    dup = post_status(gitlab, state="pending", name="corgi")
    assert dup.json() == {"message": 'Cannot transition status via :enqueue from :pending '
                                     '(Reason(s): Status cannot transition via "enqueue")'}
    latest = call(gitlab, "GET", f"/api/v4/projects/{PID}/repository/commits/{HEAD}/statuses").json()
    assert [(s["id"], s["status"]) for s in latest] == [(rerun["id"], "pending")]
    everything = call(gitlab, "GET", f"/api/v4/projects/{PID}/repository/commits/{HEAD}/statuses?all=true").json()
    assert [s["status"] for s in everything] == ["success", "pending"]
    assert [s["retried"] for s in gitlab.statuses(PID, HEAD, include_retried=True)] == [True, False]

    failed = post_status(gitlab, state="failed", name="other").json()  # straight from created
    assert failed["status"] == "failed" and failed["finished_at"]
    assert post_status(gitlab, state="canceled", name="corgi").json()["status"] == "canceled"
    refused = [v for v in gitlab.take_violations() if "transition refused" in v]
    assert len(refused) == 3


def test_commit_status_errors(gitlab):
    reply = post_status(gitlab, sha="f" * 40, state="success")
    assert (reply.status, reply.json()) == (404, {"message": "404 Commit Not Found"})
    reply = post_status(gitlab, name="corgi")
    assert (reply.status, reply.json()) == (400, {"error": "state is missing"})
    reply = post_status(gitlab, state="success", target_url="ftp://corgi.example/x")
    assert (reply.status, reply.json()) == (
        400, {"message": {"target_url": ["is blocked: Only allowed schemes are http, https"]}})
    reply = post_status(gitlab, state="success", description="x" * 256)
    assert reply.json() == {"message": {"description": ["is too long (maximum is 255 characters)"]}}
    reply = post_status(gitlab, state="success", pipeline_id=123456)
    assert reply.json() == {"message": "404 Pipeline for pipeline_id, sha and ref Not Found"}
    reply = call(gitlab, "GET", f"/api/v4/projects/{PID}/repository/commits/{'f' * 40}/statuses")
    assert (reply.status, reply.json()) == (404, {"message": "404 Commit Not Found"})
    assert len(gitlab.take_violations()) == 6
    gitlab.add_commit(PID, "f" * 40, ref="main")
    assert post_status(gitlab, sha="f" * 40, state="success").json()["ref"] == "main"
    assert post_status(gitlab, sha=HEAD[:8], state="success").json()["sha"] == HEAD  # short SHAs resolve


@needs_spec
def test_spec_validation_catches_a_bad_request(gitlab):
    assert gitlab.validates
    reply = post_status(gitlab, state="error", name="corgi")  # GitHub's state name, not GitLab's
    assert (reply.status, reply.json()) == (400, {"error": "state does not have a valid value"})
    violations = gitlab.take_violations()
    assert len(violations) == 1
    assert "OpenAPI description (postApiV4ProjectsIdStatusesSha)" in violations[0]
    reply = call(gitlab, "GET", f"/api/v4/projects/{PID}/repository/commits/{HEAD}/statuses?order_by=name")
    assert (reply.status, reply.json()) == (400, {"error": "order_by does not have a valid value"})
    assert "getApiV4ProjectsIdRepositoryCommitsShaStatuses" in gitlab.take_violations()[0]


@needs_spec
def test_spec_validation_catches_drift_in_the_doubles_responses(gitlab, monkeypatch):
    original = GitLabDouble._mr_obj
    monkeypatch.setattr(GitLabDouble, "_mr_obj", lambda self, mr: {**original(self, mr), "iid": "7", "bogus": 1})
    assert call(gitlab, "GET", MR).status == 200
    problems = gitlab.take_violations()
    assert any("(OpenAPI) iid:" in p for p in problems), problems
    assert any("(OpenAPI)" in p and "'bogus' was unexpected" in p for p in problems), problems


def test_hand_written_contract_checks_notes_without_the_spec(monkeypatch):
    double = GitLabDouble(spec_path=None).start()
    try:
        assert double.validates is False
        double.add_project(PID, PATH)
        double.set_merge_request(PID, IID, head_sha=HEAD, base_sha=BASE, diff=SAMPLE_DIFF)
        # the same answers without the description: the hand-written contract refuses the bad state too
        reply = post_status(double, state="error")
        assert (reply.status, reply.json()) == (400, {"error": "state does not have a valid value"})
        assert "refused by the contract" in double.take_violations()[0]
        original = GitLabDouble._note_obj
        monkeypatch.setattr(GitLabDouble, "_note_obj", lambda self, n: {**original(self, n), "id": str(n["id"])})
        assert call(double, "POST", f"{MR}/notes", json_body={"body": "hi"}).status == 201
        assert any("(contract) id:" in v for v in double.take_violations())
    finally:
        double.stop()


# ---- discussions and diff positions -----------------------------------------------------------------


def test_comment_on_an_added_line(gitlab):
    reply = discuss(gitlab, position(new_line=3))
    assert reply.status == 201, reply.data
    discussion = reply.json()
    assert re.fullmatch(r"[0-9a-f]{40}", discussion["id"]) and discussion["individual_note"] is False
    note = discussion["notes"][0]
    assert (note["type"], note["body"], note["resolvable"], note["resolved"]) == (
        "DiffNote", "Hard-coded AWS key", True, False)
    assert note["position"] == {"base_sha": BASE, "start_sha": START, "head_sha": HEAD, "old_path": "app/config.py",
                                "new_path": "app/config.py", "position_type": "text", "old_line": None,
                                "new_line": 3, "line_range": None, "ignore_whitespace_change": False}
    assert note["author"]["username"] == "corgi-bot" and note["noteable_iid"] == IID
    # diff notes are notes too
    notes = call(gitlab, "GET", f"{MR}/notes").json()
    assert [(n["id"], n["type"]) for n in notes] == [(note["id"], "DiffNote")]
    listed = call(gitlab, "GET", f"{MR}/discussions").json()
    assert [d["id"] for d in listed] == [discussion["id"]]
    assert gitlab.discussions(PID, IID)[0]["notes"][0]["position"]["new_line"] == 3


@pytest.mark.parametrize("pos, reason", [
    (position(new_line=1), "new line 1 is an unchanged line; GitLab needs old_line=1 too"),
    (position(new_line=2, old_line=2), "no unchanged line of the file has this pair"),  # removed line 2 is old only
    (position(old_line=3), "old line 3 is an unchanged line; GitLab needs new_line=4 too"),
    (position(new_line=99), "new line 99 is not an added line of the diff"),
    (position(new_line=24), "new line 24 is an unchanged line; GitLab needs old_line=22 too"),
    (position(new_path="app/other.py", old_path="app/other.py", new_line=1), "is not a file of the merge request diff"),
    (position(new_line=3, head_sha=HEAD2), "are not the merge request's current diff_refs"),
    (position(new_line=3, base_sha=START), "are not the merge request's current diff_refs"),
    (position(old_path=None, new_path=None, new_line=3), "neither new_path nor old_path"),
    (position(), "neither old_line nor new_line"),
    (position(new_path="logo.png", old_path="logo.png", new_line=1), "logo.png is binary"),
])
def test_positions_gitlab_refuses(gitlab, pos, reason):
    reply = discuss(gitlab, pos)
    assert (reply.status, reply.json()) == (
        400, {"message": "400 Bad request - Note {:line_code=>[\"can't be blank\", \"must be a valid line code\"]}"})
    assert b"\\u003e" in reply.data  # Rails escapes '>' in JSON
    rejected = gitlab.rejected_positions
    assert len(rejected) == 1 and reason in rejected[0]["reason"] and rejected[0]["iid"] == IID
    assert [v for v in gitlab.take_violations() if "diff position refused" in v and reason in v]
    assert gitlab.discussions(PID, IID) == []


@pytest.mark.parametrize("missing", ["base_sha", "start_sha", "head_sha", "position_type"])
def test_incomplete_position_is_a_grape_error(gitlab, missing):
    reply = discuss(gitlab, {k: v for k, v in position(new_line=3).items() if k != missing})
    assert (reply.status, reply.json()) == (400, {"error": f"position[{missing}] is missing"})
    assert len(gitlab.take_violations()) == 1


def test_positions_gitlab_accepts_besides_added_lines(gitlab):
    assert discuss(gitlab, position(old_line=2)).status == 201  # a removed line: old_line only
    assert discuss(gitlab, position(old_line=1, new_line=1)).status == 201  # a context line: both numbers
    assert discuss(gitlab, position(old_path="src/a.py", new_path="src/b.py", old_line=1)).status == 201
    assert discuss(gitlab, position(old_path="old.txt", new_path="old.txt", old_line=1)).status == 201
    assert discuss(gitlab, position(old_path="docs/new.md", new_path="docs/new.md", new_line=2)).status == 201
    # an unchanged line between hunks: GitLab unfolds the diff when the numbers agree with the hunks
    assert discuss(gitlab, position(old_line=10, new_line=11)).status == 201
    assert discuss(gitlab, position(old_line=10, new_line=10)).status == 400
    # after the last hunk (two lines added so far) only when the old file is known to be that long
    assert discuss(gitlab, position(old_line=30, new_line=32)).status == 400
    gitlab.set_file(PID, "app/config.py", "".join(f"line {i}\n" for i in range(1, 41)), ref=BASE)
    assert discuss(gitlab, position(old_line=30, new_line=32)).status == 201
    assert discuss(gitlab, position(old_line=30, new_line=31)).status == 400
    assert discuss(gitlab, position(old_line=41, new_line=43)).status == 400
    assert len(gitlab.take_violations()) == 4
    assert len(gitlab.discussions(PID, IID)) == 7


def test_position_as_form_fields(gitlab):
    form = {"body": "Leaked key"}
    form.update({f"position[{k}]": str(v) for k, v in position(new_line=2).items()})
    reply = call(gitlab, "POST", f"/api/v4/projects/{ENC}/merge_requests/{IID}/discussions", form=form)
    assert reply.status == 201, reply.data
    assert reply.json()["notes"][0]["position"]["new_line"] == 2
    form["position[new_line]"] = "four"
    reply = call(gitlab, "POST", f"{MR}/discussions", form=form)
    assert (reply.status, reply.json()) == (400, {"error": "position[new_line] is invalid"})
    gitlab.take_violations()


def test_old_path_mismatch_is_accepted_but_recorded(gitlab):
    assert discuss(gitlab, position(old_path="src/b.py", new_path="src/b.py", new_line=1)).status == 201
    assert discuss(gitlab, position(old_path=None, new_line=3)).status == 201
    assert [v.split(": ", 1)[1] for v in gitlab.take_violations()] == [
        "old_path 'src/b.py' is not the file's path before the change ('src/a.py')",
        "the docs require both old_path and new_path"]


def test_push_moves_the_diff_refs(gitlab):
    new_diff = "\n".join(["diff --git a/app/config.py b/app/config.py", "index 83db48f..0c0c0c0 100644",
                          "--- a/app/config.py", "+++ b/app/config.py", "@@ -1,2 +1,2 @@", " import os",
                          "-DEBUG = True", "+DEBUG = os.environ.get('DEBUG')"]) + "\n"
    oldrev = gitlab.push(PID, IID, HEAD2, new_diff)
    assert oldrev == HEAD
    mr = call(gitlab, "GET", MR).json()
    assert mr["sha"] == HEAD2 and mr["diff_refs"] == {"base_sha": BASE, "head_sha": HEAD2, "start_sha": START}
    assert [e["new_path"] for e in call(gitlab, "GET", f"{MR}/diffs").json()] == ["app/config.py"]
    assert discuss(gitlab, position(new_line=2, head_sha=HEAD2)).status == 201
    assert discuss(gitlab, position(new_line=3)).status == 400  # the old head: refused by the strict double
    assert "current diff_refs" in gitlab.take_violations()[0]
    assert post_status(gitlab, sha=HEAD, state="success").status == 201  # old commits are still commits

    lenient = GitLabDouble(strict_diff_refs=False).start()
    try:
        lenient.add_project(PID, PATH)
        lenient.set_merge_request(PID, IID, head_sha=HEAD, base_sha=BASE, start_sha=START, diff=SAMPLE_DIFF)
        lenient.push(PID, IID, HEAD2, new_diff)
        assert discuss(lenient, position(new_line=3)).status == 201  # checked against the old version's diff
        assert discuss(lenient, position(new_line=4)).status == 400
        lenient.take_violations()
    finally:
        lenient.stop()


def test_discussions_are_paginated(gitlab):
    for n in range(5):
        assert call(gitlab, "POST", f"{MR}/discussions", json_body={"body": f"thread {n}"}).status == 201
    reply = call(gitlab, "GET", f"{MR}/discussions?per_page=2&page=3")
    assert [d["notes"][0]["body"] for d in reply.json()] == ["thread 4"]
    assert reply.json()[0]["notes"][0]["type"] == "DiscussionNote"
    assert (reply.headers["x-total"], reply.headers["x-total-pages"], reply.headers["x-next-page"]) == ("5", "3", "")
    assert parse_qs(urlsplit(reply.links["first"]).query)["noteable_id"] == [str(IID)]


# ---- notes -----------------------------------------------------------------------------------------------


def test_notes_create_list_update(gitlab):
    user_note = gitlab.add_note(PID, IID, "@corgi-bot review", author="bob")
    time.sleep(0.002)
    created = call(gitlab, "POST", f"{MR}/notes", json_body={"body": "Review started"})
    assert created.status == 201
    note = created.json()
    assert (note["type"], note["body"], note["resolvable"], note["system"]) == (None, "Review started", False, False)
    assert "position" not in note and "resolved" not in note

    newest_first = call(gitlab, "GET", f"{MR}/notes").json()
    assert [n["id"] for n in newest_first] == [note["id"], user_note["id"]]
    oldest_first = call(gitlab, "GET", f"{MR}/notes?sort=asc&order_by=updated_at").json()
    assert [n["author"]["username"] for n in oldest_first] == ["bob", "corgi-bot"]
    discussions = call(gitlab, "GET", f"{MR}/discussions").json()
    assert [d["individual_note"] for d in discussions] == [True, True]

    updated = call(gitlab, "PUT", f"{MR}/notes/{note['id']}", json_body={"body": "Review done: 1 finding"})
    assert updated.status == 200 and updated.json()["body"] == "Review done: 1 finding"
    assert gitlab.notes(PID, IID)[1]["body"] == "Review done: 1 finding"
    assert call(gitlab, "GET", MR).json()["user_notes_count"] == 2

    gitlab.add_note(PID, IID, "added 1 commit", author="bob", system=True)
    only = call(gitlab, "GET", f"{MR}/notes?activity_filter=only_comments").json()
    assert len(only) == 2 and call(gitlab, "GET", f"{MR}/notes?activity_filter=only_activity").json()[0]["system"]

    gitlab.delete_note(PID, IID, note["id"])
    missing = call(gitlab, "PUT", f"{MR}/notes/{note['id']}", json_body={"body": "again"})
    assert (missing.status, missing.json()) == (404, {"message": "404 Not found"})
    forbidden = call(gitlab, "PUT", f"{MR}/notes/{user_note['id']}", json_body={"body": "edited"})
    assert (forbidden.status, forbidden.json()) == (403, {"message": "403 Forbidden"})
    assert len(gitlab.take_violations()) == 2


def test_note_errors(gitlab):
    reply = call(gitlab, "POST", f"{MR}/notes", json_body={"body": "   "})
    assert (reply.status, reply.json()) == (400, {"message": "400 Bad request - Note {:note=>[\"can't be blank\"]}"})
    reply = call(gitlab, "POST", f"{MR}/notes", json_body={"body": "x" * 1_000_001})
    assert reply.json() == {
        "message": "400 Bad request - Note {:note=>[\"is too long (maximum is 1000000 characters)\"]}"}
    reply = call(gitlab, "POST", f"{MR}/notes", json_body={})
    assert (reply.status, reply.json()) == (400, {"error": "body is missing"})
    reply = call(gitlab, "GET", f"{MR}/notes?sort=newest")
    assert (reply.status, reply.json()) == (400, {"error": "sort does not have a valid value"})
    reply = call(gitlab, "POST", f"{MR}/notes", raw=b"{not json")
    assert (reply.status, reply.json()) == (400, {"error": "The message body does not match declared format"})
    reply = call(gitlab, "POST", f"/api/v4/projects/{PID}/merge_requests/99/notes", json_body={"body": "x"})
    assert (reply.status, reply.json()) == (404, {"message": "404 Not found"})
    assert len(gitlab.take_violations()) == 5


# ---- files, members, user, routes -----------------------------------------------------------------------


def test_raw_file(gitlab):
    gitlab.set_file(PID, "src/app/main.py", "print('at head')\n", ref=HEAD)
    gitlab.set_file(PID, "src/app/main.py", "print('on main')\n")
    gitlab.set_file(PID, "assets/logo.png", b"\x89PNG\r\n\x1a\n\x00\xff")
    file_path = quote("src/app/main.py", safe="")
    reply = call(gitlab, "GET", f"/api/v4/projects/{ENC}/repository/files/{file_path}/raw?ref={HEAD}")
    assert (reply.status, reply.data) == (200, b"print('at head')\n")
    assert reply.headers["content-type"] == "text/plain; charset=utf-8"
    assert (reply.headers["x-gitlab-file-path"], reply.headers["x-gitlab-ref"]) == ("src/app/main.py", HEAD)
    assert call(gitlab, "GET", f"/api/v4/projects/{PID}/repository/files/{file_path}/raw").data == \
        b"print('on main')\n"
    binary = call(gitlab, "GET", f"/api/v4/projects/{PID}/repository/files/{quote('assets/logo.png', safe='')}/raw")
    assert binary.headers["content-type"] == "application/octet-stream" and binary.data.startswith(b"\x89PNG")
    missing = call(gitlab, "GET", f"/api/v4/projects/{PID}/repository/files/nope.txt/raw?ref=main")
    assert (missing.status, missing.json()) == (404, {"message": "404 File Not Found"})
    unencoded = call(gitlab, "GET", f"/api/v4/projects/{PID}/repository/files/src/app/main.py/raw")
    assert (unencoded.status, unencoded.json()) == (404, {"error": "404 Not Found"})
    assert "URL-encoded" in gitlab.take_violations()[0]


def test_members(gitlab):
    gitlab.add_member(PID, 55, "dev", access_level=30)
    gitlab.add_member(PID, 56, "lead", access_level=40)
    reply = call(gitlab, "GET", f"/api/v4/projects/{PID}/members/all/55")
    assert reply.status == 200
    assert (reply.json()["username"], reply.json()["access_level"]) == ("dev", 30)
    assert call(gitlab, "GET", f"/api/v4/projects/{ENC}/members/all/56").json()["access_level"] == 40
    reply = call(gitlab, "GET", f"/api/v4/projects/{PID}/members/all/57")
    assert (reply.status, reply.json()) == (404, {"message": "404 Not found"})
    gitlab.remove_member(PID, 55)
    assert call(gitlab, "GET", f"/api/v4/projects/{PID}/members/all/55").status == 404
    reply = call(gitlab, "GET", f"/api/v4/projects/{PID}/members/all/dev")
    assert (reply.status, reply.json()) == (400, {"error": "user_id is invalid"})
    gitlab.take_violations()


def test_current_user(gitlab):
    me = call(gitlab, "GET", "/api/v4/user").json()
    assert (me["id"], me["username"], me["bot"]) == (gitlab.bot_user["id"], "corgi-bot", True)


def test_unknown_route_and_method(gitlab):
    reply = call(gitlab, "GET", f"/api/v4/projects/{PID}/merge_requests/{IID}/changes")
    assert (reply.status, reply.json()) == (404, {"error": "404 Not Found"})
    reply = call(gitlab, "DELETE", MR)
    assert (reply.status, reply.json()) == (405, {"error": "405 Not Allowed"})
    assert len(gitlab.take_violations()) == 2


# ---- fault injection ---------------------------------------------------------------------------------


def test_fail_next_with_retry_after_then_recover(gitlab):
    gitlab.fail_next("POST", r"/statuses/", 429, times=2, retry_after=7)
    for _ in range(2):
        reply = post_status(gitlab, state="pending")
        assert (reply.status, reply.data, reply.headers["retry-after"]) == (429, b"Retry later\n", "7")
        assert reply.headers["ratelimit-remaining"] == "0" and reply.headers["content-type"] == "text/plain"
    assert post_status(gitlab, state="pending").status == 201
    gitlab.fail_next(None, r"/merge_requests/\d+$", 502)
    reply = call(gitlab, "GET", MR)
    assert (reply.status, reply.json()) == (502, {"message": "502 Bad Gateway"})
    gitlab.fail_next("GET", r"/diffs", 503, body="<html>upstream</html>", headers={"Content-Type": "text/html"})
    assert call(gitlab, "GET", f"{MR}/diffs").headers["content-type"] == "text/html"
    assert [r.injected for r in gitlab.requests] == ["fail", "fail", None, "fail", "fail"]


def test_delay_and_drop(gitlab):
    gitlab.fail_next("GET", r"/merge_requests/\d+$", None, delay=0.3)
    started = time.monotonic()
    assert call(gitlab, "GET", MR).status == 200
    assert time.monotonic() - started >= 0.3
    gitlab.drop_next("POST", r"/discussions$")
    with pytest.raises((http.client.RemoteDisconnected, ConnectionResetError)):
        discuss(gitlab, position(new_line=3))
    assert discuss(gitlab, position(new_line=3)).status == 201
    assert [r.injected for r in gitlab.calls("*", "")] == ["delay", "drop", None]


def test_wait_for_sees_requests(gitlab):
    worker = threading.Timer(0.1, lambda: post_status(gitlab, state="success", name="late"))
    worker.start()
    try:
        found = gitlab.wait_for(lambda g: [s for s in g.statuses(PID) if s["name"] == "late"], timeout=5)
        assert found[0]["status"] == "success"
    finally:
        worker.join()
    with pytest.raises(TimeoutError, match="request"):
        gitlab.wait_for(lambda g: False, timeout=0.1)


# ---- webhooks ---------------------------------------------------------------------------------------------


@pytest.fixture
def receiver():
    r = WebhookReceiver("/webhooks/gitlab?x=1", b'{"ok":true}', "application/json")
    yield r
    r.close()


def test_webhook_headers_and_signature(gitlab, receiver):
    mr = gitlab.merge_request(PID, IID)
    payload = merge_request_hook(gitlab.project(PID), mr, "open")
    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    delivery = send_gitlab_webhook(receiver.url, "Merge Request Hook", payload, token="s3cret token",
                                   signing_key=secret, idempotency_key="idem-1", timestamp=1700000000)
    assert (delivery.status, delivery.json()) == (202, {"ok": True})
    headers, body = receiver.deliveries[0]
    assert json.loads(body) == payload and body == delivery.sent_body and b", " not in body
    assert headers["Content-Type"] == "application/json" and headers["User-Agent"] == "GitLab/17.10.0"
    assert (headers["X-Gitlab-Event"], headers["X-Gitlab-Token"]) == ("Merge Request Hook", "s3cret token")
    assert headers["Idempotency-Key"] == headers["webhook-id"] == "idem-1"
    assert headers["webhook-timestamp"] == "1700000000"
    for name in ("X-Gitlab-Event-UUID", "X-Gitlab-Webhook-UUID"):
        assert re.fullmatch(r"[0-9a-f-]{36}", headers[name])
    assert headers["X-Gitlab-Instance"] == "https://gitlab.example.com"
    assert verify_standard_webhook(secret, "idem-1", 1700000000, body, headers["webhook-signature"])
    assert not verify_standard_webhook(secret, "idem-1", 1700000001, body, headers["webhook-signature"])

    plain = send_gitlab_webhook(receiver.url, "note", note_hook(gitlab.project(PID), mr, "@corgi-bot review"))
    headers, _ = receiver.deliveries[1]
    assert headers["X-Gitlab-Event"] == "Note Hook" and plain.status == 202
    assert not {"X-Gitlab-Token", "webhook-id", "webhook-signature", "webhook-timestamp"} & set(headers)
    assert re.fullmatch(r"[0-9a-f-]{36}", headers["Idempotency-Key"])


@needs_vectors
def test_signer_matches_the_standard_webhooks_vectors():
    vectors = json.loads(VECTORS.read_text())
    for case in vectors["published"]:
        assert sign_standard_webhook(case["secret"], case["msg_id"], case["timestamp"], case["payload"]) == \
            case["signature"], case["name"]
    for case in vectors["published"] + vectors["derived"]:
        header = case.get("webhook-signature") or case["signature"]
        verdict = verify_standard_webhook(case["secret"], case["msg_id"], case["timestamp"], case["payload"], header)
        assert verdict == (case["expect"] == "valid"), case["name"]


def test_signer_round_trip_without_vectors():
    secret = "whsec_" + "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo0NTY3ODk="
    signature = sign_standard_webhook(secret, "msg_1", 1, b'{"a":1}')
    assert signature.startswith("v1,") and verify_standard_webhook(secret, "msg_1", 1, '{"a":1}', f"v2,x {signature}")
    assert not verify_standard_webhook(secret, "msg_1", 1, b'{"a": 1}', signature)


def test_payload_builders(gitlab):
    project, mr = gitlab.project(PID), gitlab.merge_request(PID, IID)
    oldrev = gitlab.push(PID, IID, HEAD2, SAMPLE_DIFF)
    hook = merge_request_hook(project, mr, "update", oldrev=oldrev, user={"id": 3, "username": "bob"})
    assert (hook["object_kind"], hook["event_type"]) == ("merge_request", "merge_request")
    attrs = hook["object_attributes"]
    assert (attrs["iid"], attrs["id"], attrs["action"], attrs["oldrev"], attrs["last_commit"]["id"]) == (
        IID, mr.id, "update", HEAD, HEAD2)
    assert (attrs["source_branch"], attrs["target_branch"], attrs["state"]) == ("feature/config", "main", "opened")
    assert attrs["url"] == mr.web_url and hook["project"]["web_url"] == project.web_url
    assert (hook["project"]["id"], hook["project"]["path_with_namespace"], hook["user"]["username"]) == (
        PID, PATH, "bob")
    assert "oldrev" not in merge_request_hook(project, mr, "open")["object_attributes"]

    note = gitlab.add_note(PID, IID, "@corgi-bot review", author="bob")
    hook = note_hook(project, mr, note["body"], user="bob", note_id=note["id"])
    assert (hook["object_kind"], hook["event_type"], hook["project_id"]) == ("note", "note", PID)
    attrs = hook["object_attributes"]
    assert (attrs["noteable_type"], attrs["note"], attrs["id"], attrs["noteable_id"]) == (
        "MergeRequest", "@corgi-bot review", note["id"], mr.id)
    assert attrs["url"] == f"{mr.web_url}#note_{note['id']}"
    assert (hook["merge_request"]["iid"], hook["merge_request"]["last_commit"]["id"]) == (IID, HEAD2)

    from_dicts = merge_request_hook({"id": 5, "path_with_namespace": "g/p"}, {"iid": 1, "head_sha": HEAD}, "open")
    assert from_dicts["project"]["web_url"] == "https://gitlab.example.com/g/p"
    assert from_dicts["object_attributes"]["url"] == "https://gitlab.example.com/g/p/-/merge_requests/1"


def _key_paths(obj, prefix=""):
    paths = set()
    if isinstance(obj, dict):
        for key, value in obj.items():
            paths.add(prefix + key)
            if key not in ("labels", "changes", "assignees", "reviewers", "assignee"):
                paths |= _key_paths(value, prefix + key + ".")
    return paths


@needs_hook_fixtures
def test_payload_builders_have_the_documented_shape(gitlab):
    project, mr = gitlab.project(PID), gitlab.merge_request(PID, IID)
    for name, built in (("merge_request.json", merge_request_hook(project, mr, "open")),
                        ("note_merge_request.json", note_hook(project, mr, "LGTM"))):
        documented = json.loads((HOOK_FIXTURES / name).read_text())
        missing = _key_paths(documented) - _key_paths(built)
        assert not missing, f"{name}: builder lacks {sorted(missing)}"
        assert built["object_kind"] == documented["object_kind"]
