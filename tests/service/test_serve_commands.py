"""Chat commands end to end on GitLab and on Gitea/Forgejo: `@corgi ignore <fingerprint> <reason>`
from someone with write access dismisses a finding for the repository (audited with who and why)
and reviews the head again without it; `@corgi rescan` reviews again; a drive-by commenter is
refused; each command gets one reply."""
import json
import re
import sqlite3
import subprocess

from corgi_service import CorgiService, corgi_binary, fixture_payload, gitea_service, gitlab_service
from gitea_double import GiteaDouble, issue_comment_event, pull_request_event, send_gitea_webhook
from gitlab_double import GitLabDouble, merge_request_hook, note_hook, send_gitlab_webhook
from test_serve_e2e import FIRST_DIFF, INSTALLATION, NUMBER, REPO, SHA1, STRIPE_KEY, completed_runs, pr_event

FINGERPRINT = re.compile(r"<!-- corgi:finding=([A-Za-z0-9._:-]+) -->")


def audit_events(service):
    """The audit log's (actor, action, metadata) rows, once `corgi audit verify` has vouched for the chain."""
    result = subprocess.run([corgi_binary(), "audit", "verify", "--database", str(service.database)], capture_output=True, text=True)
    assert result.returncode == 0 and "audit log intact" in result.stdout, result.stdout + result.stderr
    with sqlite3.connect(f"file:{service.database}?mode=ro", uri=True) as db:
        return [(actor, action, json.loads(metadata)) for actor, action, metadata in
                db.execute("SELECT actor, action, metadata FROM audit_events ORDER BY id")]


def fingerprint_of(comment_bodies, path, line):
    """The fingerprint marker of the inline comment on `path:line` (what a user copies)."""
    for body, (p, l) in comment_bodies:
        if (p, l) == (path, line):
            return FINGERPRINT.search(body).group(1)
    raise AssertionError(f"no inline comment on {path}:{line}")


def replies(bodies):
    return [b for b in bodies if b.startswith("<!-- corgi:reply=")]


def test_gitlab_commands(tmp_path, github):
    gitlab = GitLabDouble()
    gitlab.start()
    try:
        project = gitlab.add_project(15, "acme/widgets")
        mr = gitlab.set_merge_request(project, 3, head_sha="1" * 40, base_sha="0" * 40, diff=FIRST_DIFF)
        gitlab.add_member(project, 4242, "maintainer", access_level=40)
        gitlab.add_member(project, 5353, "reporter", access_level=20)
        service, token = gitlab_service(tmp_path, github, gitlab)

        def send(event, payload, key):
            sent = send_gitlab_webhook(service.url + "/webhooks/gitlab", event, payload, token=token, idempotency_key=key)
            assert sent.status == 202, sent.body
            return json.loads(sent.body)

        def notes():
            return [n["body"] for n in gitlab.notes(15, 3)]

        with service:
            send("Merge Request Hook", merge_request_hook(project, mr, "open"), "k-open")
            gitlab.wait_for(lambda d: [s for s in d.statuses(15, "1" * 40) if s["status"] == "failed"])
            service.wait_idle()
            inline = [(n["body"], (n["position"]["new_path"], n["position"]["new_line"]))
                      for d in gitlab.discussions(15, 3) for n in d["notes"] if n.get("type") == "DiffNote"]
            stripe = fingerprint_of(inline, "app/settings.py", 3)

            # A reporter (no write access) cannot dismiss anything.
            assert send("Note Hook", note_hook(project, mr, f"@corgi ignore {stripe} not mine", {"id": 5353, "username": "reporter"},
                                               note_id=901), "k-n1")["status"] == "queued"
            gitlab.wait_for(lambda d: replies(notes()))
            assert "only people with write access" in replies(notes())[0]

            # A maintainer dismisses the Stripe key: one reply, reviewed again without it.
            assert send("Note Hook", note_hook(project, mr, f"@corgi ignore {stripe} test key from the docs",
                                               {"id": 4242, "username": "maintainer"}, note_id=902), "k-n2")["status"] == "queued"
            gitlab.wait_for(lambda d: len(replies(notes())) == 2)
            service.wait_idle()
            assert "is no longer reported" in replies(notes())[1]
            summary = [b for b in notes() if b.startswith("<!-- corgi:summary -->")]
            assert len(summary) == 1 and "**2 open** (0 new), **0 fixed**" in summary[0] and "dismissed with `@corgi ignore`" in summary[0]
            # The same note delivered again runs nothing again.
            assert send("Note Hook", note_hook(project, mr, f"@corgi ignore {stripe} test key from the docs",
                                               {"id": 4242, "username": "maintainer"}, note_id=902), "k-n2b")["status"] != "queued"

            # @corgi rescan and @corgi help answer once each.
            send("Note Hook", note_hook(project, mr, "@corgi rescan", {"id": 4242, "username": "maintainer"}, note_id=903), "k-n3")
            send("Note Hook", note_hook(project, mr, "@corgi help", {"id": 5353, "username": "reporter"}, note_id=904), "k-n4")
            gitlab.wait_for(lambda d: len(replies(notes())) == 4)
            service.wait_idle()
            assert service.stop() == 0
        audit = audit_events(service)
        dismissed = [(actor, m) for actor, action, m in audit if action == "finding.dismissed"]
        assert dismissed == [("gitlab:maintainer", {"forge": "gitlab", "dismissed": stripe, "reason": "test key from the docs", "comment": "902"})]
        assert [actor for actor, action, _ in audit if action == "command.refused"] == ["gitlab:reporter"]
        logs = "\n".join(service.log_lines)
        assert STRIPE_KEY not in logs and "test key from the docs" not in logs
    finally:
        gitlab.stop()
    assert not gitlab.violations, gitlab.violations


def test_gitea_commands(tmp_path, github):
    gitea = GiteaDouble("forgejo")
    gitea.start()
    try:
        repo = "acme/widgets"
        gitea.add_repo(repo, repo_id=77, bot_permission="admin")
        gitea.set_pull(repo, 5, head_sha="a" * 40, base_sha="c" * 40, diff=FIRST_DIFF)
        gitea.set_permission(repo, "maintainer", "write")
        gitea.set_permission(repo, "visitor", "read")
        service, secret = gitea_service(tmp_path, github, gitea)

        def send(event, payload, delivery):
            sent = send_gitea_webhook(service.url + "/webhooks/gitea", event, payload, secret, flavour="forgejo", delivery=delivery)
            assert sent.status == 202, sent.body

        def comments():
            return [c["body"] for c in gitea.issue_comments.values()]

        with service:
            send("pull_request", pull_request_event(gitea.repo_json(repo), gitea.pull_json(repo, 5), "opened"), "d-open")
            gitea.wait_for(lambda d: [s for s in d.statuses if s["state"] == "failure"])
            service.wait_idle()
            inline = [(c["body"], (c["path"], c["new_position"])) for c in gitea.review_comments.values()]
            stripe = fingerprint_of(inline, "app/settings.py", 3)
            pr = gitea.pull_json(repo, 5)
            send("issue_comment", issue_comment_event(gitea.repo_json(repo), pr, f"@corgi ignore {stripe} nope", "visitor", comment_id=71), "d-c1")
            gitea.wait_for(lambda d: replies(comments()))
            assert "only people with write access" in replies(comments())[0]
            send("issue_comment", issue_comment_event(gitea.repo_json(repo), pr, f"@corgi ignore {stripe} documented test key", "maintainer",
                                                      comment_id=72), "d-c2")
            gitea.wait_for(lambda d: len(replies(comments())) == 2)
            service.wait_idle()
            summary = [b for b in comments() if b.startswith("<!-- corgi:summary -->")]
            assert len(summary) == 1 and "**2 open** (0 new), **0 fixed**" in summary[0]
            assert [s["state"] for s in gitea.statuses if s["state"] in ("success", "failure")][-1] == "failure"
            assert service.stop() == 0
        audit = audit_events(service)
        assert [(actor, m["reason"]) for actor, action, m in audit if action == "finding.dismissed"] == [("gitea:maintainer", "documented test key")]
    finally:
        gitea.stop()
    assert not gitea.violations, gitea.violations


def github_comment(body: str, login: str, comment_id: int) -> bytes:
    """An issue_comment `created` on the pull request, as GitHub sends it."""
    opened = fixture_payload("pull_request", "opened.json")
    payload = fixture_payload("issue_comment", "created.json")
    payload["action"] = "created"
    payload["repository"], payload["installation"] = opened["repository"], opened["installation"]
    payload["issue"]["number"] = NUMBER
    payload["issue"]["pull_request"] = {"url": f"https://api.github.com/repos/{REPO}/pulls/{NUMBER}"}
    payload["comment"] = {"id": comment_id, "body": body, "user": {"login": login, "id": 1000 + comment_id}}
    payload["sender"] = {"login": login, "id": 1000 + comment_id}
    return json.dumps(payload).encode()


def test_github_commands(tmp_path, github):
    github.add_installation(INSTALLATION, "Codertocat", repos=[REPO])
    github.set_pull(REPO, NUMBER, SHA1, "master", FIRST_DIFF)
    github.set_collaborator(REPO, "octo-maintainer", "maintain")
    github.set_collaborator(REPO, "octo-reader", "read")

    def comments():
        return [c["body"] for c in github.issue_comments.values()]

    with CorgiService(tmp_path, github) as service:
        assert service.deliver("pull_request", pr_event("opened", SHA1), delivery="o-1")[0] == 202
        github.wait_for(lambda d: completed_runs(d, SHA1))
        service.wait_idle()
        inline = [(c["body"], (c["path"], c["line"])) for c in github.review_comments.values()]
        stripe = fingerprint_of(inline, "app/settings.py", 3)
        assert service.deliver("issue_comment", github_comment(f"@corgi ignore {stripe} docs key", "octo-reader", 81), delivery="c-1")[0] == 202
        github.wait_for(lambda d: replies(comments()))
        assert "only people with write access" in replies(comments())[0]
        assert service.deliver("issue_comment", github_comment(f"@corgi ignore {stripe} docs key", "octo-maintainer", 82),
                               delivery="c-2")[0] == 202
        github.wait_for(lambda d: len(replies(comments())) == 2)
        service.wait_idle()
        runs = completed_runs(github, SHA1)
        assert len(runs) == 2 and sorted(a["title"].split("] ")[1] for a in runs[-1]["annotations"]) == [
            "github-pat-classic", "python-yaml-unsafe-load"]
        summary = [b for b in comments() if b.startswith("<!-- corgi:summary -->")]
        assert len(summary) == 1 and "**2 open** (0 new), **0 fixed**" in summary[0]
        assert service.stop() == 0
    audit = audit_events(service)
    assert [(actor, m["reason"]) for actor, action, m in audit if action == "finding.dismissed"] == [("github:octo-maintainer", "docs key")]
