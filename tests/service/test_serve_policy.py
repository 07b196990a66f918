"""`.corgi.yml` end to end on each forge: the repository's policy is read at the pull request's
base commit (never its head), applied to the review, and a broken file is named in the summary."""

import pytest

from corgi_service import CorgiService, gitea_service, gitlab_service
from gitea_double import GiteaDouble, pull_request_event, send_gitea_webhook
from gitlab_double import GitLabDouble, merge_request_hook, send_gitlab_webhook
from test_serve_e2e import FIRST_DIFF, INSTALLATION, NUMBER, REPO, SHA1, completed_runs, pr_event
from corgi_service import fixture_payload

POLICY = "ignore_paths: ['app/load.py']\ndisable_rules: [stripe-live-secret-key]\nfail_on: never\n"
# What a pull request would like: everything off. It is in the head commit only, so it is ignored.
HEAD_POLICY = "packs: [code]\ndisable_rules: [github-pat-classic, python-yaml-unsafe-load]\n"
BROKEN = "fail_on: sometimes\npacks: [secrets, docs]\n"


def test_github_policy_from_the_base_commit(tmp_path, github):
    base = fixture_payload("pull_request", "opened.json")["pull_request"]["base"]["sha"]
    github.add_installation(INSTALLATION, "Codertocat", repos=[REPO])
    github.set_pull(REPO, NUMBER, SHA1, "master", FIRST_DIFF, base_sha=base)
    github.set_content(REPO, ".corgi.yml", POLICY, ref=base)
    github.set_content(REPO, ".corgi.yml", HEAD_POLICY, ref=SHA1)
    with CorgiService(tmp_path, github) as service:
        assert service.deliver("pull_request", pr_event("opened", SHA1), delivery="p1")[0] == 202
        github.wait_for(lambda d: completed_runs(d, SHA1))
        run = completed_runs(github, SHA1)[0]
        # Only the GitHub token is left: load.py ignored, the Stripe rule disabled; fail_on never.
        assert [a["title"].split("] ")[1] for a in run["annotations"]] == ["github-pat-classic"]
        assert run["conclusion"] == "success"
        assert all(call.query.get("ref") == base for call in github.calls("GET", r"/contents/"))
        service.wait_idle()


def test_github_broken_policy_is_reported_and_defaults_apply(tmp_path, github):
    base = fixture_payload("pull_request", "opened.json")["pull_request"]["base"]["sha"]
    github.add_installation(INSTALLATION, "Codertocat", repos=[REPO])
    github.set_pull(REPO, NUMBER, SHA1, "master", FIRST_DIFF, base_sha=base)
    github.set_content(REPO, ".corgi.yml", BROKEN, ref=base)
    with CorgiService(tmp_path, github) as service:
        assert service.deliver("pull_request", pr_event("opened", SHA1), delivery="p2")[0] == 202
        github.wait_for(lambda d: completed_runs(d, SHA1))
        run = completed_runs(github, SHA1)[0]
        assert run["conclusion"] == "failure" and len(run["annotations"]) == 3
        summary = next(iter(github.issue_comments.values()))["body"]
        assert "`.corgi.yml` at the base commit" in summary and "`fail_on` must be one of" in summary and "unknown pack" in summary
        service.wait_idle()


def test_gitlab_policy_from_the_merge_request_base(tmp_path, github):
    gitlab = GitLabDouble()
    gitlab.start()
    try:
        project = gitlab.add_project(15, "acme/widgets")
        mr = gitlab.set_merge_request(project, 3, head_sha="1" * 40, base_sha="0" * 40, diff=FIRST_DIFF)
        gitlab.set_file(project, ".corgi.yml", POLICY, ref="0" * 40)
        gitlab.set_file(project, ".corgi.yml", HEAD_POLICY, ref="1" * 40)
        service, token = gitlab_service(tmp_path, github, gitlab)
        with service:
            sent = send_gitlab_webhook(service.url + "/webhooks/gitlab", "Merge Request Hook", merge_request_hook(project, mr, "open"),
                                       token=token, idempotency_key="g1")
            assert sent.status == 202
            done = gitlab.wait_for(lambda d: [s for s in d.statuses(15, "1" * 40) if s["status"] in ("success", "failed")])
            assert done[-1]["status"] == "success"
            notes = [n for d in gitlab.discussions(15, 3) for n in d["notes"] if n.get("type") == "DiffNote"]
            assert [(n["position"]["new_path"], n["position"]["new_line"]) for n in notes] == [("app/settings.py", 2)]
            service.wait_idle()
    finally:
        gitlab.stop()
    assert not gitlab.violations, gitlab.violations


@pytest.mark.parametrize("flavour", ["gitea", "forgejo"])
def test_gitea_policy_from_the_pull_request_base(tmp_path, github, flavour):
    gitea = GiteaDouble(flavour)
    gitea.start()
    try:
        gitea.add_repo("acme/widgets", repo_id=77)
        gitea.set_pull("acme/widgets", 5, head_sha="a" * 40, base_sha="c" * 40, diff=FIRST_DIFF)
        gitea.set_file("acme/widgets", ".corgi.yml", POLICY, ref="c" * 40)
        gitea.set_file("acme/widgets", ".corgi.yml", HEAD_POLICY, ref="a" * 40)
        service, secret = gitea_service(tmp_path, github, gitea)
        with service:
            payload = pull_request_event(gitea.repo_json("acme/widgets"), gitea.pull_json("acme/widgets", 5), "opened")
            assert send_gitea_webhook(service.url + "/webhooks/gitea", "pull_request", payload, secret, flavour=flavour).status == 202
            done = gitea.wait_for(lambda d: [s for s in d.statuses if s["state"] in ("success", "failure")])
            assert done[-1]["state"] == "success"
            assert sorted((c["path"], c["new_position"]) for c in gitea.review_comments.values()) == [("app/settings.py", 2)]
            service.wait_idle()
    finally:
        gitea.stop()
    assert not gitea.violations, gitea.violations
