"""corgi serve end to end on GitLab: merge request webhooks (secret token plus a Standard Webhooks
signature) against the GitLab double, which checks every request against GitLab's API description
(when ../shared is there) and its hand-written contract (discussions, notes, status transitions,
diff positions) and fails the test on any violation."""
import base64
import json
import os
import re
import secrets
import subprocess
import time

import pytest

from corgi_service import CorgiService, corgi_binary
from gitlab_double import GitLabDouble, merge_request_hook, note_hook, send_gitlab_webhook
from test_serve_e2e import FIRST_DIFF, GITHUB_TOKEN, MARKER, SECOND_DIFF, STRIPE_KEY

PROJECT_ID = 15
PATH = "acme/widgets"
IID = 3
SHA1 = "1111111111111111111111111111111111111111"
SHA2 = "2222222222222222222222222222222222222222"
BASE = "0000000000000000000000000000000000000000"
STATUS_NAME = "Code Corgi"


@pytest.fixture
def gitlab():
    double = GitLabDouble()
    double.start()
    try:
        yield double
    finally:
        double.stop()
    if double.violations:
        pytest.fail("the GitLab double recorded violations of the documented API:\n  " + "\n  ".join(double.violations), pytrace=False)


class GitLabService:
    """`corgi serve` with GitLab configured: secret token, signing key and access token as files."""

    def __init__(self, tmp_path, github, gitlab, *, signing: bool = True):
        self.token = secrets.token_hex(32)
        self.signing_key = "whsec_" + base64.b64encode(os.urandom(32)).decode() if signing else None
        self.service = CorgiService(tmp_path, github, extra_settings=f"gitlab:\n  api_url: {gitlab.api_url}\n")
        (self.service.secrets_dir / "gitlab-webhook-token").write_text(self.token)
        if self.signing_key:
            (self.service.secrets_dir / "gitlab-webhook-signing-key").write_text(self.signing_key)
        (self.service.secrets_dir / "gitlab-token").write_text(gitlab.token)

    def send(self, event: str, payload: dict, key: str, **overrides):
        arguments = dict(token=self.token, signing_key=self.signing_key, idempotency_key=key)
        arguments.update(overrides)
        return send_gitlab_webhook(self.service.url + "/webhooks/gitlab", event, payload, **arguments)


def another_token(token):
    """The same token with its last character changed: always wrong, never by chance the right one."""
    return token[:-1] + ("1" if token[-1] == "0" else "0")


def final_status(gitlab, sha):
    done = [s for s in gitlab.statuses(PROJECT_ID, sha) if s["name"] == STATUS_NAME and s["status"] in ("success", "failed")]
    return done[-1] if done else None


def summary_notes(gitlab):
    return [n for n in gitlab.notes(PROJECT_ID, IID) if n["body"].startswith("<!-- corgi:summary -->")]


def diff_notes(gitlab):
    return [n for d in gitlab.discussions(PROJECT_ID, IID) for n in d["notes"] if n.get("type") == "DiffNote"]


def test_gitlab_merge_request_review_loop(tmp_path, github, gitlab):
    project = gitlab.add_project(PROJECT_ID, PATH)
    mr = gitlab.set_merge_request(project, IID, head_sha=SHA1, base_sha=BASE, diff=FIRST_DIFF)
    setup = GitLabService(tmp_path, github, gitlab)
    with setup.service as service:
        # 1. Opened: a running status, then failed; one diff discussion per finding; one summary note.
        delivery = setup.send("Merge Request Hook", merge_request_hook(project, mr, "open"), "k-open")
        assert delivery.status == 202 and json.loads(delivery.body)["status"] == "queued"
        status = gitlab.wait_for(lambda d: final_status(d, SHA1))
        assert status["status"] == "failed" and status["target_url"].endswith(f"/merge_requests/{IID}")
        posted = [r.body["state"] for r in gitlab.calls("POST", rf"/statuses/{SHA1}$")]
        assert posted == ["running", "failed"]
        positions = sorted((n["position"]["new_path"], n["position"]["new_line"]) for n in diff_notes(gitlab))
        assert positions == [("app/load.py", 4), ("app/settings.py", 2), ("app/settings.py", 3)]
        assert all(n["position"]["head_sha"] == SHA1 for n in diff_notes(gitlab))
        notes = summary_notes(gitlab)
        assert len(notes) == 1 and "**3 open** (3 new)" in notes[0]["body"]
        service.wait_idle()

        # 2. A redelivery (GitLab retries with the same Idempotency-Key) is accepted, not run again.
        statuses_before = len(gitlab.statuses(PROJECT_ID, include_retried=True))
        delivery = setup.send("Merge Request Hook", merge_request_hook(project, mr, "open"), "k-open")
        assert delivery.status == 202 and json.loads(delivery.body)["status"] == "duplicate"
        service.wait_idle()
        assert len(gitlab.statuses(PROJECT_ID, include_retried=True)) == statuses_before

        # 3. New commits: one finding fixed, one added; only the new one gets a discussion; the
        #    summary note is edited in place.
        oldrev = gitlab.push(project, IID, SHA2, SECOND_DIFF)
        mr = gitlab.merge_request(project, IID)
        delivery = setup.send("Merge Request Hook", merge_request_hook(project, mr, "update", oldrev=oldrev), "k-update")
        assert delivery.status == 202 and json.loads(delivery.body)["status"] == "queued"
        status = gitlab.wait_for(lambda d: final_status(d, SHA2))
        assert status["status"] == "failed"
        new = [n for n in diff_notes(gitlab) if n["position"]["head_sha"] == SHA2]
        assert [(n["position"]["new_path"], n["position"]["new_line"]) for n in new] == [("app/load.py", 6)]
        notes = summary_notes(gitlab)
        assert len(notes) == 1 and notes[0]["id"] == summary_notes(gitlab)[0]["id"]
        assert "**3 open** (1 new), **1 fixed**" in notes[0]["body"]
        service.wait_idle()

        # 4. A comment is recorded (chat commands come later); an unrelated event is ignored.
        assert setup.send("Note Hook", note_hook(project, mr, "looks good"), "k-note").status == 202
        ignored = setup.send("Push Hook", {"object_kind": "push"}, "k-push")
        assert ignored.status == 202 and json.loads(ignored.body)["status"] == "ignored"

        # Every API call carried the access token.
        assert gitlab.requests and all((r.auth, r.credential) == ("private_token", "valid") for r in gitlab.requests)

    # 5. Nothing of the code or the secrets reached a log line; the audit chain verifies.
    logs = "\n".join(service.log_lines)
    for needle in (MARKER, GITHUB_TOKEN, STRIPE_KEY, STRIPE_KEY[8:], setup.token, gitlab.token, setup.signing_key, "yaml.load(stream)"):
        assert needle not in logs
    verify = subprocess.run([corgi_binary(), "audit", "verify", "--database", str(service.database)], capture_output=True)
    assert verify.returncode == 0, verify.stdout


def test_gitlab_webhooks_are_authenticated_before_parsing(tmp_path, github, gitlab):
    project = gitlab.add_project(PROJECT_ID, PATH)
    mr = gitlab.set_merge_request(project, IID, head_sha=SHA1, base_sha=BASE, diff=FIRST_DIFF)
    setup = GitLabService(tmp_path, github, gitlab)
    payload = merge_request_hook(project, mr, "open")
    with setup.service as service:
        refused = {
            "no token": setup.send("Merge Request Hook", payload, "a1", token=None),
            "wrong token": setup.send("Merge Request Hook", payload, "a2", token=another_token(setup.token)),
            "token with a suffix": setup.send("Merge Request Hook", payload, "a3", token=setup.token + "x"),
            "no signature": setup.send("Merge Request Hook", payload, "a4", signing_key=None),
            "signed with another key": setup.send("Merge Request Hook", payload, "a5",
                                                   signing_key="whsec_" + base64.b64encode(os.urandom(32)).decode()),
            "replayed ten minutes later": setup.send("Merge Request Hook", payload, "a6", timestamp=int(time.time()) - 600),
            "from the future": setup.send("Merge Request Hook", payload, "a7", timestamp=int(time.time()) + 600),
        }
        for case, delivery in refused.items():
            assert delivery.status == 401, case
        # Garbage that is signed is a clear 400, never a crash; nothing was queued or audited for any of these.
        garbage = setup.send("Merge Request Hook", ["not", "an", "event"], "a8")
        assert garbage.status == 400
        assert service.ready()["queued"] == "0"
        assert not gitlab.requests
        # Each refusal is logged by reason as it is answered; the log is read by another thread,
        # so wait for the lines themselves (the count, not a delay, decides) before stopping.
        refusals = lambda: [l for l in service.log_lines if "webhook refused" in l]  # noqa: E731
        deadline = time.monotonic() + 10
        while len(refusals()) < len(refused) + 1 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert len(refusals()) == len(refused) + 1
        assert service.stop() == 0
    logs = "\n".join(service.log_lines)
    assert setup.token not in logs and setup.signing_key not in logs


def test_gitlab_route_is_off_without_its_settings_or_secrets(tmp_path, github, gitlab):
    # Secrets present but no gitlab.api_url: 404, as for a route that does not exist.
    service = CorgiService(tmp_path / "a", github)
    (service.secrets_dir / "gitlab-webhook-token").write_text(secrets.token_hex(32))
    (service.secrets_dir / "gitlab-token").write_text(gitlab.token)
    with service:
        assert service.post("/webhooks/gitlab", b"{}", {"X-Gitlab-Event": "Merge Request Hook"})[0] == 404
    # Settings present but no webhook secret: 404 too (never an unauthenticated route).
    service = CorgiService(tmp_path / "b", github, extra_settings=f"gitlab:\n  api_url: {gitlab.api_url}\n")
    (service.secrets_dir / "gitlab-token").write_text(gitlab.token)
    with service:
        assert service.post("/webhooks/gitlab", b"{}", {"X-Gitlab-Event": "Merge Request Hook"})[0] == 404


def test_gitlab_token_only_without_signing_key(tmp_path, github, gitlab):
    """Older GitLab has no signing token: the secret token alone authenticates."""
    project = gitlab.add_project(PROJECT_ID, PATH)
    mr = gitlab.set_merge_request(project, IID, head_sha=SHA1, base_sha=BASE, diff=FIRST_DIFF)
    setup = GitLabService(tmp_path, github, gitlab, signing=False)
    with setup.service as service:
        assert setup.send("Merge Request Hook", merge_request_hook(project, mr, "open"), "t1").status == 202
        assert gitlab.wait_for(lambda d: final_status(d, SHA1))["status"] == "failed"
        assert setup.send("Merge Request Hook", merge_request_hook(project, mr, "open"), "t2", token="x" * 64).status == 401
        service.wait_idle()


def test_a_gitlab_only_deployment_needs_nothing_from_github(tmp_path, github, gitlab):
    """No `github:` section and no GitHub App secrets: serve starts, reviews GitLab merge requests,
    and answers 404 on GitHub's route like on any forge that is off."""
    project = gitlab.add_project(PROJECT_ID, PATH)
    mr = gitlab.set_merge_request(project, IID, head_sha=SHA1, base_sha=BASE, diff=FIRST_DIFF)
    setup = GitLabService(tmp_path, github, gitlab, signing=False)
    settings = setup.service.settings.read_text()
    settings = re.sub(r"github:\n(  .*\n)+", "", settings)
    assert "github" not in settings
    setup.service.settings.write_text(settings)
    for name in ("github-webhook-secret", "github-private-key"):
        (setup.service.secrets_dir / name).unlink()
    with setup.service as service:
        assert setup.send("Merge Request Hook", merge_request_hook(project, mr, "open"), "only-1").status == 202
        assert gitlab.wait_for(lambda d: final_status(d, SHA1))["status"] == "failed"
        assert service.post("/webhooks/github", b"{}", {"X-GitHub-Event": "ping", "X-GitHub-Delivery": "x"})[0] == 404
        service.wait_idle()
    assert not github.requests


def test_serve_refuses_settings_without_any_forge(tmp_path, github):
    service = CorgiService(tmp_path, github)
    service.settings.write_text(re.sub(r"github:\n(  .*\n)+", "", service.settings.read_text()))
    clean = {k: v for k, v in os.environ.items() if not k.startswith("CORGI_")}  # secrets never come from the environment
    result = subprocess.run([corgi_binary(), "serve", "--config", str(service.settings)], capture_output=True, text=True, timeout=60,
                            env=clean)
    assert result.returncode != 0 and "no forge is configured" in result.stderr
