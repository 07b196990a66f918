"""corgi serve end to end on Gitea and Forgejo: signed pull_request webhooks against the Gitea
double, which checks every request against the flavour's Swagger description (when ../shared is
there) and its hand-written contract (review comment positions, pagination, content types) and
fails the test on any violation."""
import json
import secrets
import subprocess

import pytest

from corgi_service import CorgiService, corgi_binary
from gitea_double import GiteaDouble, issue_comment_event, pull_request_event, send_gitea_webhook
from test_serve_e2e import FIRST_DIFF, GITHUB_TOKEN, MARKER, SECOND_DIFF, STRIPE_KEY

REPO = "acme/widgets"
REPO_ID = 77
INDEX = 5
SHA1 = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
SHA2 = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
BASE = "cccccccccccccccccccccccccccccccccccccccc"
CONTEXT = "Code Corgi"


def make_double(flavour):
    double = GiteaDouble(flavour)
    double.start()
    return double


@pytest.fixture(params=["gitea", "forgejo"])
def gitea(request):
    double = make_double(request.param)
    try:
        yield double
    finally:
        double.stop()
    if double.violations:
        pytest.fail(f"the {request.param} double recorded violations of the documented API:\n  " + "\n  ".join(double.violations),
                    pytrace=False)


class GiteaService:
    def __init__(self, tmp_path, github, gitea):
        self.secret = secrets.token_hex(32)
        self.flavour = gitea.flavour
        self.service = CorgiService(tmp_path, github, extra_settings=f"gitea:\n  api_url: {gitea.api_url}\n")
        (self.service.secrets_dir / "gitea-webhook-secret").write_text(self.secret)
        (self.service.secrets_dir / "gitea-token").write_text(gitea.token)

    def send(self, event, payload, delivery, secret="same"):
        return send_gitea_webhook(self.service.url + "/webhooks/gitea", event, payload,
                                  self.secret if secret == "same" else secret, flavour=self.flavour, delivery=delivery)


def final_status(gitea, sha):
    done = [s for s in gitea.statuses if s["sha"] == sha and s["context"] == CONTEXT and s["state"] in ("success", "failure")]
    return done[-1] if done else None


def summaries(gitea):
    return [c for c in gitea.issue_comments.values() if c["body"].startswith("<!-- corgi:summary -->")]


def test_gitea_pull_request_review_loop(tmp_path, github, gitea):
    gitea.add_repo(REPO, repo_id=REPO_ID)
    gitea.set_pull(REPO, INDEX, head_sha=SHA1, base_sha=BASE, diff=FIRST_DIFF)
    setup = GiteaService(tmp_path, github, gitea)
    with setup.service as service:
        # 1. Opened: a pending status, then failure; one review with a comment per finding; one summary.
        delivery = setup.send("pull_request", pull_request_event(gitea.repo_json(REPO), gitea.pull_json(REPO, INDEX), "opened"), "d-open")
        assert delivery.status == 202 and json.loads(delivery.body)["status"] == "queued"
        status = gitea.wait_for(lambda d: final_status(d, SHA1))
        assert status["state"] == "failure"
        assert [s["state"] for s in gitea.statuses if s["sha"] == SHA1] == ["pending", "failure"]
        comments = sorted((c["path"], c["new_position"]) for c in gitea.review_comments.values())
        assert comments == [("app/load.py", 4), ("app/settings.py", 2), ("app/settings.py", 3)]
        assert len(gitea.reviews) == 1
        assert len(summaries(gitea)) == 1 and "**3 open** (3 new)" in summaries(gitea)[0]["body"]
        service.wait_idle()

        # 2. Redelivered: accepted, not run again.
        statuses_before = len(gitea.statuses)
        delivery = setup.send("pull_request", pull_request_event(gitea.repo_json(REPO), gitea.pull_json(REPO, INDEX), "opened"), "d-open")
        assert delivery.status == 202 and json.loads(delivery.body)["status"] == "duplicate"
        service.wait_idle()
        assert len(gitea.statuses) == statuses_before

        # 3. New commits (Gitea says "synchronized"): one fixed, one new; the summary edited in place.
        gitea.push_head(REPO, INDEX, SHA2, SECOND_DIFF)
        delivery = setup.send("pull_request", pull_request_event(gitea.repo_json(REPO), gitea.pull_json(REPO, INDEX), "synchronized"), "d-sync")
        assert delivery.status == 202 and json.loads(delivery.body)["status"] == "queued"
        assert gitea.wait_for(lambda d: final_status(d, SHA2))["state"] == "failure"
        new = [c for c in gitea.review_comments.values() if c["commit_id"] == SHA2]
        assert [(c["path"], c["new_position"]) for c in new] == [("app/load.py", 6)]
        notes = summaries(gitea)
        assert len(notes) == 1 and "**3 open** (1 new), **1 fixed**" in notes[0]["body"] and len(notes[0]["history"]) == 2
        service.wait_idle()

        # 4. A comment on the pull request is recorded; a push event is ignored.
        assert setup.send("issue_comment", issue_comment_event(gitea.repo_json(REPO), gitea.pull_json(REPO, INDEX), "nice"), "d-c").status == 202
        pushed = setup.send("push", {"ref": "refs/heads/main"}, "d-push")
        assert pushed.status == 202 and json.loads(pushed.body)["status"] == "ignored"
        assert service.stop() == 0

    logs = "\n".join(service.log_lines)
    for needle in (MARKER, GITHUB_TOKEN, STRIPE_KEY, STRIPE_KEY[8:], setup.secret, gitea.token, "yaml.load(stream)"):
        assert needle not in logs
    verify = subprocess.run([corgi_binary(), "audit", "verify", "--database", str(service.database)], capture_output=True)
    assert verify.returncode == 0, verify.stdout


def test_gitea_webhooks_are_verified_before_parsing(tmp_path, github, gitea):
    gitea.add_repo(REPO, repo_id=REPO_ID)
    gitea.set_pull(REPO, INDEX, head_sha=SHA1, base_sha=BASE, diff=FIRST_DIFF)
    setup = GiteaService(tmp_path, github, gitea)
    payload = pull_request_event(gitea.repo_json(REPO), gitea.pull_json(REPO, INDEX), "opened")
    with setup.service as service:
        # No secret (Gitea then sends empty signature headers), another secret, a one-byte change.
        assert setup.send("pull_request", payload, "x1", secret=None).status == 401
        assert setup.send("pull_request", payload, "x2", secret=secrets.token_hex(32)).status == 401
        body = json.dumps(payload).encode()
        forged = send_gitea_webhook(service.url + "/webhooks/gitea", "pull_request", body, setup.secret, flavour=setup.flavour,
                                    delivery="x3", extra_headers={"X-Gitea-Signature": "0" * 64, "X-Forgejo-Signature": "0" * 64})
        assert forged.status == 401
        # A signed payload naming a path-traversing repository is refused, not reviewed.
        evil = json.loads(json.dumps(payload))
        evil["repository"]["full_name"] = "acme/../../admin"
        assert setup.send("pull_request", evil, "x4").status == 400
        assert service.ready()["queued"] == "0" and not gitea.statuses


def test_gitea_route_is_off_without_its_settings_or_secrets(tmp_path, github):
    service = CorgiService(tmp_path / "a", github)
    (service.secrets_dir / "gitea-webhook-secret").write_text(secrets.token_hex(32))
    (service.secrets_dir / "gitea-token").write_text("t" * 40)
    with service:
        assert service.post("/webhooks/gitea", b"{}", {"X-Gitea-Event": "pull_request"})[0] == 404
    service = CorgiService(tmp_path / "b", github, extra_settings="gitea:\n  api_url: http://127.0.0.1:9/api/v1\n")
    (service.secrets_dir / "gitea-token").write_text("t" * 40)
    with service:
        assert service.post("/webhooks/gitea", b"{}", {"X-Gitea-Event": "pull_request"})[0] == 404
