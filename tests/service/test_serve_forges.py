"""One scenario, every forge: the same pull request story told to `corgi serve` by GitHub, GitLab,
Gitea and Forgejo (each a double that checks every request against its published API description
when ../shared is present, and its hand-written contract otherwise):

opened → new commits with one finding fixed and one added → the same webhook redelivered →
`@corgi rescan` → `@corgi ignore <fingerprint> <reason>` from a maintainer.

Each forge must end in the same place: one summary comment edited in place, an inline comment
per new finding and never twice, one final check per review, the dismissed finding gone from the
last review, and an intact audit chain with the dismissal's who and why."""
import json
import re
import secrets
import sqlite3
import subprocess

import pytest

from corgi_service import CorgiService, corgi_binary, fixture_payload
from gitea_double import GiteaDouble, issue_comment_event, pull_request_event, send_gitea_webhook
from gitlab_double import GitLabDouble, merge_request_hook, note_hook, send_gitlab_webhook
from test_serve_e2e import FIRST_DIFF, INSTALLATION, NUMBER, REPO, SECOND_DIFF, pr_event

SHA1, SHA2 = "1" * 40, "2" * 40
MARKER = re.compile(r"<!-- corgi:finding=([A-Za-z0-9._:-]+) -->")
SUMMARY = "<!-- corgi:summary -->"
REPLY = "<!-- corgi:reply="


class GitHubStory:
    def __init__(self, tmp_path, github):
        self.forge = github
        github.add_installation(INSTALLATION, "Codertocat", repos=[REPO])
        github.set_pull(REPO, NUMBER, SHA1, "master", FIRST_DIFF)
        github.set_collaborator(REPO, "maintainer", "maintain")
        self.service = CorgiService(tmp_path, github)

    def opened(self, delivery):
        return self.service.deliver("pull_request", pr_event("opened", SHA1), delivery=delivery)[1]["status"]

    def pushed(self, delivery):
        self.forge.set_pull(REPO, NUMBER, SHA2, "master", SECOND_DIFF)
        return self.service.deliver("pull_request", pr_event("synchronize", SHA2), delivery=delivery)[1]["status"]

    def redeliver_push(self, delivery):
        return self.service.deliver("pull_request", pr_event("synchronize", SHA2), delivery=delivery)[1]["status"]

    def comment(self, body, comment_id, delivery):
        opened = fixture_payload("pull_request", "opened.json")
        payload = fixture_payload("issue_comment", "created.json")
        payload.update(action="created", repository=opened["repository"], installation=opened["installation"],
                       sender={"login": "maintainer", "id": 4242})
        payload["issue"].update(number=NUMBER, pull_request={"url": f"https://api.github.com/repos/{REPO}/pulls/{NUMBER}"})
        payload["comment"] = {"id": comment_id, "body": body, "user": {"login": "maintainer", "id": 4242}}
        return self.service.deliver("issue_comment", json.dumps(payload).encode(), delivery=delivery)[1]["status"]

    def final_checks(self, sha):
        return [r["conclusion"] for r in self.forge.check_runs.values() if r["head_sha"] == sha and r.get("status") == "completed"]

    def inline(self):
        return [(c["body"], c["path"], c["line"]) for c in self.forge.review_comments.values()]

    def comments(self):
        return [c["body"] for c in self.forge.issue_comments.values()]


class GitLabStory:
    def __init__(self, tmp_path, github, gitlab):
        self.forge = gitlab
        self.project = gitlab.add_project(15, "acme/widgets")
        gitlab.set_merge_request(self.project, 3, head_sha=SHA1, base_sha="0" * 40, diff=FIRST_DIFF)
        gitlab.add_member(self.project, 4242, "maintainer", access_level=40)
        self.token = secrets.token_hex(32)
        self.service = CorgiService(tmp_path, github, extra_settings=f"gitlab:\n  api_url: {gitlab.api_url}\n")
        (self.service.secrets_dir / "gitlab-webhook-token").write_text(self.token)
        (self.service.secrets_dir / "gitlab-token").write_text(gitlab.token)

    def send(self, event, payload, key):
        sent = send_gitlab_webhook(self.service.url + "/webhooks/gitlab", event, payload, token=self.token, idempotency_key=key)
        assert sent.status == 202, sent.body
        return json.loads(sent.body)["status"]

    def opened(self, delivery):
        return self.send("Merge Request Hook", merge_request_hook(self.project, self.forge.merge_request(self.project, 3), "open"), delivery)

    def pushed(self, delivery):
        self.oldrev = self.forge.push(self.project, 3, SHA2, SECOND_DIFF)
        return self.redeliver_push(delivery)

    def redeliver_push(self, delivery):
        mr = self.forge.merge_request(self.project, 3)
        return self.send("Merge Request Hook", merge_request_hook(self.project, mr, "update", oldrev=self.oldrev), delivery)

    def comment(self, body, comment_id, delivery):
        mr = self.forge.merge_request(self.project, 3)
        return self.send("Note Hook", note_hook(self.project, mr, body, {"id": 4242, "username": "maintainer"}, note_id=comment_id), delivery)

    def final_checks(self, sha):
        return [{"failed": "failure"}.get(s["status"], s["status"]) for s in self.forge.statuses(15, sha, include_retried=True)
                if s["status"] in ("success", "failed")]

    def inline(self):
        return [(n["body"], n["position"]["new_path"], n["position"]["new_line"])
                for d in self.forge.discussions(15, 3) for n in d["notes"] if n.get("type") == "DiffNote"]

    def comments(self):
        return [n["body"] for n in self.forge.notes(15, 3)]


class GiteaStory:
    def __init__(self, tmp_path, github, gitea):
        self.forge = gitea
        self.repo = "acme/widgets"
        gitea.add_repo(self.repo, repo_id=77, bot_permission="admin")
        gitea.set_pull(self.repo, 5, head_sha=SHA1, base_sha="c" * 40, diff=FIRST_DIFF)
        gitea.set_permission(self.repo, "maintainer", "write")
        self.secret = secrets.token_hex(32)
        self.service = CorgiService(tmp_path, github, extra_settings=f"gitea:\n  api_url: {gitea.api_url}\n")
        (self.service.secrets_dir / "gitea-webhook-secret").write_text(self.secret)
        (self.service.secrets_dir / "gitea-token").write_text(gitea.token)

    def send(self, event, payload, delivery):
        sent = send_gitea_webhook(self.service.url + "/webhooks/gitea", event, payload, self.secret, flavour=self.forge.flavour,
                                  delivery=delivery)
        assert sent.status == 202, sent.body
        return json.loads(sent.body)["status"]

    def opened(self, delivery):
        return self.send("pull_request", pull_request_event(self.forge.repo_json(self.repo), self.forge.pull_json(self.repo, 5), "opened"),
                         delivery)

    def pushed(self, delivery):
        self.forge.push_head(self.repo, 5, SHA2, SECOND_DIFF)
        return self.redeliver_push(delivery)

    def redeliver_push(self, delivery):
        return self.send("pull_request",
                         pull_request_event(self.forge.repo_json(self.repo), self.forge.pull_json(self.repo, 5), "synchronized"), delivery)

    def comment(self, body, comment_id, delivery):
        return self.send("issue_comment", issue_comment_event(self.forge.repo_json(self.repo), self.forge.pull_json(self.repo, 5), body,
                                                              "maintainer", comment_id=comment_id), delivery)

    def final_checks(self, sha):
        return [s["state"] for s in self.forge.statuses if s["sha"] == sha and s["state"] in ("success", "failure")]

    def inline(self):
        return [(c["body"], c["path"], c["new_position"]) for c in self.forge.review_comments.values()]

    def comments(self):
        return [c["body"] for c in self.forge.issue_comments.values()]


@pytest.fixture(params=["github", "gitlab", "gitea", "forgejo"])
def story(request, tmp_path, github):
    if request.param == "github":
        yield GitHubStory(tmp_path, github)
        return
    double = GitLabDouble() if request.param == "gitlab" else GiteaDouble(request.param)
    double.start()
    try:
        yield GitLabStory(tmp_path, github, double) if request.param == "gitlab" else GiteaStory(tmp_path, github, double)
    finally:
        double.stop()
    assert not double.violations, double.violations


def test_the_same_story_on_every_forge(story):
    forge, service = story.forge, story.service
    summaries = lambda: [b for b in story.comments() if b.startswith(SUMMARY)]  # noqa: E731
    replies = lambda: [b for b in story.comments() if b.startswith(REPLY)]  # noqa: E731
    with service:
        # 1. Opened: three findings, each commented once on its line; the check fails.
        assert story.opened("s-open") == "queued"
        forge.wait_for(lambda _: story.final_checks(SHA1))
        service.wait_idle()
        assert story.final_checks(SHA1) == ["failure"]
        assert sorted((p, l) for _, p, l in story.inline()) == [("app/load.py", 4), ("app/settings.py", 2), ("app/settings.py", 3)]
        assert len(summaries()) == 1 and "**3 open** (3 new)" in summaries()[0]

        # 2. New commits: the GitHub token fixed, a pickle call added; only the new line is commented.
        assert story.pushed("s-push") == "queued"
        forge.wait_for(lambda _: story.final_checks(SHA2))
        service.wait_idle()
        assert sorted((p, l) for _, p, l in story.inline()) == [
            ("app/load.py", 4), ("app/load.py", 6), ("app/settings.py", 2), ("app/settings.py", 3)]
        assert len(summaries()) == 1 and "**3 open** (1 new), **1 fixed**" in summaries()[0]

        # 3. The same push delivered again: accepted, nothing runs again.
        before = (len(story.final_checks(SHA2)), len(story.inline()))
        assert story.redeliver_push("s-push") == "duplicate"
        service.wait_idle()
        assert (len(story.final_checks(SHA2)), len(story.inline())) == before

        # 4. @corgi rescan: one more final check on the head, no new inline comment, one reply.
        assert story.comment("@corgi rescan", 9001, "s-rescan") == "queued"
        forge.wait_for(lambda _: len(replies()) == 1)
        service.wait_idle()
        assert story.final_checks(SHA2) == ["failure", "failure"] and len(story.inline()) == before[1]

        # 5. @corgi ignore the Stripe key: gone from the next review, not counted as fixed.
        stripe = next(MARKER.search(b).group(1) for b, p, l in story.inline() if (p, l) == ("app/settings.py", 3))
        assert story.comment(f"@corgi ignore {stripe} the documented test key", 9002, "s-ignore") == "queued"
        forge.wait_for(lambda _: len(replies()) == 2)
        service.wait_idle()
        assert "is no longer reported" in replies()[1]
        assert len(summaries()) == 1 and "**2 open** (0 new), **0 fixed**" in summaries()[0]
        assert "app/settings.py:3" not in summaries()[0]
        assert service.stop() == 0

    verify = subprocess.run([corgi_binary(), "audit", "verify", "--database", str(service.database)], capture_output=True, text=True)
    assert verify.returncode == 0 and "audit log intact" in verify.stdout, verify.stdout + verify.stderr
    with sqlite3.connect(f"file:{service.database}?mode=ro", uri=True) as db:
        rows = db.execute("SELECT actor, metadata FROM audit_events WHERE action = 'finding.dismissed'").fetchall()
    assert [(actor.split(":")[1], json.loads(m)["reason"]) for actor, m in rows] == [("maintainer", "the documented test key")]
