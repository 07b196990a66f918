"""A review sees the rest of each changed function: `corgi serve` reads the changed code files at
the pull request's head through the forge's contents API (GitHub, GitLab, Gitea, Forgejo), in
memory, and widens the diff's hunks to their functions, so a request value read far above the
changed line still reaches its sink. The file's text is never written anywhere: not to the
database, the objects, nor the logs."""

import pytest

from corgi_service import CorgiService, gitea_service, gitlab_service
from gitea_double import GiteaDouble, pull_request_event, send_gitea_webhook
from gitlab_double import GitLabDouble, merge_request_hook, send_gitlab_webhook
from test_serve_e2e import INSTALLATION, NUMBER, REPO, SHA1, completed_runs, pr_event

# A line of the unchanged part of the file, to look for on disk afterwards.
UNCHANGED_MARKER = "corgi-context-marker-5d1c0e"

HEAD_TEXT = f"""import os
from flask import request

# {UNCHANGED_MARKER}
@app.route("/archive")
def archive():
    name = request.args.get("name")
    size = 10
    log(size)
    size += 1
    log(size)
    mode = "gz"
    data = open(name).read()
    log(mode)
    return "ok"
"""

# What GitHub's diff shows: three lines around the call; the source is six lines above it.
DIFF = """diff --git a/app/archive.py b/app/archive.py
index 1111111..2222222 100644
--- a/app/archive.py
+++ b/app/archive.py
@@ -10,5 +10,6 @@ def archive():
     size += 1
     log(size)
     mode = "gz"
+    data = open(name).read()
     log(mode)
     return "ok"
"""


def review(tmp_path, github, text):
    github.add_installation(INSTALLATION, "Codertocat", repos=[REPO])
    github.set_pull(REPO, NUMBER, SHA1, "master", DIFF)
    if text is not None:
        github.set_content(REPO, "app/archive.py", text, ref=SHA1)
    with CorgiService(tmp_path, github) as service:
        assert service.deliver("pull_request", pr_event("opened", SHA1), delivery="ctx")[0] == 202
        github.wait_for(lambda d: completed_runs(d, SHA1))
        service.wait_idle()
        logs = "\n".join(service.log_lines)
    return completed_runs(github, SHA1)[0], logs


def test_source_above_the_hunk_is_found_from_the_head_commit(tmp_path, github):
    run, logs = review(tmp_path, github, HEAD_TEXT)
    found = [(a["path"], a["start_line"]) for a in run["annotations"]]
    assert found == [("app/archive.py", 13)]
    assert run["annotations"][0]["title"].endswith("python-path-traversal")
    # Read once, at the head commit the review is for.
    reads = [c for c in github.calls("GET", r"/contents/app/archive\.py")]
    assert len(reads) == 1 and reads[0].query.get("ref") == SHA1
    # Memory only: the unchanged text is in no file the service wrote, nor in its logs.
    assert UNCHANGED_MARKER not in logs
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert UNCHANGED_MARKER.encode() not in path.read_bytes(), path


def test_without_the_file_the_hunk_is_scanned_alone_and_the_review_says_so(tmp_path, github):
    run, _ = review(tmp_path, github, None)
    assert run["annotations"] == []
    assert "scanned from their hunks alone" in run["output"]["summary"]


def test_a_file_that_changed_since_the_diff_is_not_used(tmp_path, github):
    moved = HEAD_TEXT.replace('    mode = "gz"\n', '    mode = "gz"\n    extra = 1\n')
    run, _ = review(tmp_path, github, moved)
    assert run["annotations"] == []
    assert "scanned from their hunks alone" in run["output"]["summary"]


def test_gitlab_reads_the_function_around_the_hunk(tmp_path, github):
    gitlab = GitLabDouble()
    gitlab.start()
    try:
        project = gitlab.add_project(15, "acme/widgets")
        mr = gitlab.set_merge_request(project, 3, head_sha="1" * 40, base_sha="0" * 40, diff=DIFF)
        gitlab.set_file(project, "app/archive.py", HEAD_TEXT, ref="1" * 40)
        service, token = gitlab_service(tmp_path, github, gitlab)
        with service:
            sent = send_gitlab_webhook(service.url + "/webhooks/gitlab", "Merge Request Hook", merge_request_hook(project, mr, "open"),
                                       token=token, idempotency_key="ctx-gitlab")
            assert sent.status == 202
            done = gitlab.wait_for(lambda d: [s for s in d.statuses(15, "1" * 40) if s["status"] in ("success", "failed")])
            assert done[-1]["status"] == "failed"
            notes = [n for d in gitlab.discussions(15, 3) for n in d["notes"] if n.get("type") == "DiffNote"]
            assert [(n["position"]["new_path"], n["position"]["new_line"]) for n in notes] == [("app/archive.py", 13)]
            service.wait_idle()
    finally:
        gitlab.stop()
    assert not gitlab.violations, gitlab.violations


def gitea_review(tmp_path, github, flavour, diff, files):
    """Opens a pull request with `diff` on the Gitea/Forgejo double, `files` at its head commit,
    and lets `corgi serve` review it. Returns the (stopped) double and the final status."""
    gitea = GiteaDouble(flavour)
    gitea.start()
    try:
        gitea.add_repo("acme/widgets", repo_id=77)
        gitea.set_pull("acme/widgets", 5, head_sha="a" * 40, base_sha="c" * 40, diff=diff)
        for path, text in files.items():
            gitea.set_file("acme/widgets", path, text, ref="a" * 40)
        service, secret = gitea_service(tmp_path, github, gitea)
        with service:
            payload = pull_request_event(gitea.repo_json("acme/widgets"), gitea.pull_json("acme/widgets", 5), "opened")
            assert send_gitea_webhook(service.url + "/webhooks/gitea", "pull_request", payload, secret, flavour=flavour).status == 202
            done = gitea.wait_for(lambda d: [s for s in d.statuses if s["state"] in ("success", "failure")])
            service.wait_idle()
    finally:
        gitea.stop()
    assert not gitea.violations, gitea.violations
    return gitea, done[-1]["state"]


@pytest.mark.parametrize("flavour", ["gitea", "forgejo"])
def test_gitea_reads_the_function_around_the_hunk(tmp_path, github, flavour):
    gitea, state = gitea_review(tmp_path, github, flavour, DIFF, {"app/archive.py": HEAD_TEXT})
    assert state == "failure"
    assert sorted((c["path"], c["new_position"]) for c in gitea.review_comments.values()) == [("app/archive.py", 13)]


def test_a_path_that_climbs_out_is_never_asked_for(tmp_path, github):
    """Git refuses `..` in paths, but a forge that does not check pushes can still serve a diff
    naming one: the review must not put it in a contents URL (it would reach another endpoint
    with the review's token). The file is scanned from its hunks alone."""
    climbing = "app/../../../../api/v1/admin/users/archive.py"
    gitea, state = gitea_review(tmp_path, github, "gitea", DIFF.replace("app/archive.py", climbing), {climbing: HEAD_TEXT})
    assert state == "success"
    assert not [r for r in gitea.requests if ".." in r.path or "%2E%2E" in r.path.upper()]
    assert gitea.requests, "the double saw the review's other requests"
