"""corgi serve under bad input and faults: each case a clear status or a logged outcome, nothing lost."""
import base64
import json
import os
import sqlite3
import subprocess
import time

import pytest

from corgi_service import CorgiService, corgi_binary, fixture_payload
from test_serve_e2e import INSTALLATION, NUMBER, REPO, SHA1, completed_runs, new_file, pr_event

CLEAN = new_file("app/ok.py", ["def add(a, b):", "    return a + b"])
VULNERABLE = new_file("app/load.py", ["import yaml", "cfg = yaml.load(stream)"])


@pytest.fixture
def service(github, tmp_path):
    github.add_installation(INSTALLATION, "Codertocat", repos=[REPO])
    github.set_pull(REPO, NUMBER, SHA1, "master", VULNERABLE)
    with CorgiService(tmp_path, github, extra_settings="") as running:
        yield running


def audit_count(service) -> int:
    db = sqlite3.connect(service.database)
    try:
        return db.execute("SELECT COUNT(*) FROM audit_events").fetchone()[0]
    finally:
        db.close()


def test_signatures_are_checked_before_anything_else(service, github):
    body = pr_event("opened", SHA1)
    assert service.deliver("pull_request", body, signature=None)[0] == 401
    assert service.deliver("pull_request", body, signature="sha256=" + "0" * 64)[0] == 401
    assert service.deliver("pull_request", body, secret="not-the-secret")[0] == 401
    assert service.deliver("pull_request", body, signature="sha1=abc")[0] == 401
    # A valid signature over different bytes is refused too.
    assert service.deliver("pull_request", body + b" ", signature=service.sign(body))[0] == 401
    # Nothing was recorded, nothing was called.
    assert audit_count(service) == 0
    assert github.requests == []
    status, metrics = service.get("/metrics")
    assert status == 200 and "corgi_webhooks_rejected_total 5" in metrics


def test_oversized_body_is_413(service):
    import socket
    # Declared too large: refused from the headers, before the body is read.
    length = 25 * 1024 * 1024 + 10
    with socket.create_connection(("127.0.0.1", service.port), timeout=30) as s:
        s.sendall((f"POST /webhooks/github HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                   f"X-GitHub-Event: pull_request\r\nX-GitHub-Delivery: big\r\nX-Hub-Signature-256: sha256={'0' * 64}\r\n"
                   f"Content-Length: {length}\r\n\r\n").encode() + b"{" + b" " * 65536)
        assert s.recv(4096).startswith(b"HTTP/1.1 413")
    # Streamed without a length (chunked): cut off once it passes the cap.
    with socket.create_connection(("127.0.0.1", service.port), timeout=30) as s:
        s.sendall(b"POST /webhooks/github HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nX-GitHub-Event: pull_request\r\n"
                  b"X-GitHub-Delivery: big2\r\n\r\n")
        chunk = b" " * (1 << 20)
        response = b""
        try:
            for _ in range(30):
                s.sendall(b"%x\r\n" % len(chunk) + chunk + b"\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass
        response = s.recv(4096)
        assert response.startswith(b"HTTP/1.1 413"), response[:100]
    assert audit_count(service) == 0


def test_malformed_json_after_a_valid_signature_is_400(service):
    status, body = service.deliver("pull_request", b'{"action": "opened", "number": ')
    assert status == 400 and "pull_request" in body["error"]
    status, body = service.deliver("pull_request", json.dumps({"action": "opened"}).encode())
    assert status == 400 and "missing" in body["error"]
    assert audit_count(service) == 0


def test_missing_event_or_delivery_headers_are_400(service):
    body = pr_event("opened", SHA1)
    headers = {"X-Hub-Signature-256": service.sign(body), "X-GitHub-Event": "pull_request", "Content-Type": "application/json"}
    assert service.post("/webhooks/github", body, headers)[0] == 400
    headers.update({"X-GitHub-Delivery": "../../etc/passwd"})
    assert service.post("/webhooks/github", body, headers)[0] == 400


def test_unknown_events_are_acknowledged_and_ignored(service, github):
    push = json.dumps(fixture_payload("push", "with-installation.json")).encode()
    status, body = service.deliver("push", push)
    assert (status, body["status"]) == (202, "ignored")
    status, body = service.deliver("ping", json.dumps(fixture_payload("ping", "with-app_id.json")).encode())
    assert (status, body["status"]) == (202, "recorded")
    service.wait_idle()
    assert github.requests == []


def test_installation_events_are_tracked_and_audited(service):
    for event, name in [("installation", "created.json"), ("installation_repositories", "added.json"), ("installation_repositories", "removed.json")]:
        status, body = service.deliver(event, json.dumps(fixture_payload(event, name)).encode())
        assert (status, body["status"]) == (202, "recorded")
    db = sqlite3.connect(service.database)
    actions = [r[0] for r in db.execute("SELECT action FROM audit_events ORDER BY id")]
    db.close()
    assert actions == ["installation.created", "installation_repositories.added", "installation_repositories.removed"]
    created = fixture_payload("installation", "created.json")
    added = fixture_payload("installation_repositories", "added.json")
    removed = fixture_payload("installation_repositories", "removed.json")
    db = sqlite3.connect(service.database)
    organisations = db.execute("SELECT login, installation_id, removed_at FROM organisations").fetchall()
    repositories = dict(db.execute("SELECT full_name, active FROM repositories").fetchall())
    db.close()
    assert (created["installation"]["account"]["login"], created["installation"]["id"], None) in organisations
    assert (added["installation"]["account"]["login"], added["installation"]["id"], None) in organisations
    for repo in created.get("repositories") or []:
        assert repo["full_name"] in repositories
    for repo in added["repositories_added"]:
        assert repo["full_name"] in repositories
    for repo in removed["repositories_removed"]:
        assert repositories[repo["full_name"]] == 0


def test_closed_pull_request_is_marked_closed_without_a_scan(service, github):
    closed = fixture_payload("pull_request", "closed.json")
    status, body = service.deliver("pull_request", json.dumps(closed).encode())
    assert (status, body["status"]) == (202, "recorded")
    assert github.requests == []


def test_replayed_delivery_runs_once(service, github):
    body = pr_event("opened", SHA1)
    assert service.deliver("pull_request", body, delivery="same")[1]["status"] == "queued"
    assert service.deliver("pull_request", body, delivery="same")[1]["status"] == "duplicate"
    github.wait_for(lambda d: completed_runs(d, SHA1))
    service.wait_idle()
    assert len(github.check_runs) == 1 and len(github.reviews) == 1


@pytest.mark.parametrize("diff, summary_text", [
    ("diff --git a/logo.png b/logo.png\nnew file mode 100644\nindex 0000000..a2b3c4d\nBinary files /dev/null and b/logo.png differ\n",
     "only binary files changed"),
    ("", "no added lines"),
])
def test_binary_only_and_empty_pull_requests_pass(service, github, diff, summary_text):
    github.set_pull(REPO, NUMBER, SHA1, "master", diff)
    service.deliver("pull_request", pr_event("opened", SHA1))
    run = github.wait_for(lambda d: completed_runs(d, SHA1))[0]
    assert run["conclusion"] == "success"
    assert summary_text in next(iter(github.issue_comments.values()))["body"]
    assert github.reviews == {}


def test_diff_404_completes_the_check_as_neutral(service, github):
    github.fail_next("GET", rf"/pulls/{NUMBER}$", 404)
    service.deliver("pull_request", pr_event("opened", SHA1))
    run = github.wait_for(lambda d: completed_runs(d, SHA1))[0]
    assert run["conclusion"] == "neutral"
    assert "could not be found" in next(iter(github.issue_comments.values()))["body"]


def test_diff_500s_are_retried(service, github):
    github.fail_next("GET", rf"/pulls/{NUMBER}$", 502, times=2)
    service.deliver("pull_request", pr_event("opened", SHA1))
    run = github.wait_for(lambda d: completed_runs(d, SHA1))[0]
    assert run["conclusion"] == "failure"  # the vulnerable diff was scanned in the end
    # The head lookup meets the two 502s and is retried; then the diff comes at once.
    assert [c.status for c in github.calls("GET", rf"/pulls/{NUMBER}$")] == [502, 502, 200, 200]


def test_rate_limits_are_honoured(service, github):
    github.fail_next("POST", r"/check-runs$", 403, headers={"Retry-After": "1"})
    service.deliver("pull_request", pr_event("opened", SHA1))
    github.wait_for(lambda d: completed_runs(d, SHA1))
    creates = github.calls("POST", r"/check-runs$")
    assert [c.status for c in creates] == [403, 201]
    assert creates[1].at - creates[0].at >= 0.9


def test_timeouts_are_retried_as_a_job(github, tmp_path):
    github.add_installation(INSTALLATION, "Codertocat", repos=[REPO])
    github.set_pull(REPO, NUMBER, SHA1, "master", VULNERABLE)
    service = CorgiService(tmp_path, github)
    # One attempt per call with a 1 s timeout: the hung diff request fails the job's first run.
    service.settings.write_text(service.settings.read_text()
                                .replace("timeout_seconds: 5", "timeout_seconds: 1").replace("retry_attempts: 4", "retry_attempts: 1"))
    with service:
        github.fail_next("GET", rf"/pulls/{NUMBER}$", None, times=1, delay=3.0)
        service.deliver("pull_request", pr_event("opened", SHA1))
        run = github.wait_for(lambda d: completed_runs(d, SHA1), timeout=60)[0]
        assert run["conclusion"] == "failure"
        assert any("review will be retried" in line for line in service.log_lines)
        assert len(github.check_runs) == 1  # the retried job reused its check run


def test_large_pull_request_falls_back_to_the_files_api(service, github):
    files = [
        {"sha": "a" * 40, "filename": "app/load.py", "status": "added", "additions": 2, "deletions": 0, "changes": 2,
         "blob_url": "https://github.com/x", "raw_url": "https://github.com/x", "contents_url": "https://api.github.com/x",
         "patch": "@@ -0,0 +1,2 @@\n+import yaml\n+cfg = yaml.load(stream)"},
        {"sha": "b" * 40, "filename": "assets/huge.bin", "status": "added", "additions": 0, "deletions": 0, "changes": 0,
         "blob_url": "https://github.com/x", "raw_url": "https://github.com/x", "contents_url": "https://api.github.com/x"},
    ]
    github.set_pull(REPO, NUMBER, SHA1, "master", VULNERABLE, files=files, diff_too_large=True)
    service.deliver("pull_request", pr_event("opened", SHA1))
    run = github.wait_for(lambda d: completed_runs(d, SHA1))[0]
    assert run["conclusion"] == "failure"
    summary = next(iter(github.issue_comments.values()))["body"]
    assert "files API" in summary and "assets/huge.bin" in summary
    assert [(c["path"], c["line"]) for c in github.review_comments.values()] == [("app/load.py", 2)]


def test_retention_sweeper_deletes_expired_diffs_and_audits_it(service, github):
    service.deliver("pull_request", pr_event("opened", SHA1))
    github.wait_for(lambda d: completed_runs(d, SHA1))
    service.wait_idle()
    objects = service.workdir / "objects"
    assert any(objects.iterdir())
    db = sqlite3.connect(service.database)
    db.execute("UPDATE diffs SET expires_at = 0")  # as if 90 days had passed
    db.commit()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if db.execute("SELECT COUNT(*) FROM audit_events WHERE action = 'diff.deleted'").fetchone()[0] == 1:
            break
        time.sleep(0.1)  # the sweeper runs every second; the condition decides
    assert db.execute("SELECT deleted_at IS NOT NULL FROM diffs").fetchone()[0] == 1
    db.close()
    assert not any(p.suffix == ".obj" for p in objects.iterdir())


def test_webhook_secret_rotation_needs_no_restart(service, github):
    old = service.webhook_secret
    (service.secrets_dir / "github-webhook-secret-previous").write_text(old)
    (service.secrets_dir / "github-webhook-secret").write_text("the-new-webhook-secret-0f3a9c")
    assert service.deliver("ping", b'{"hook_id": 1}', secret="the-new-webhook-secret-0f3a9c")[0] == 202
    assert service.deliver("ping", b'{"hook_id": 2}', secret=old)[0] == 202  # during the rotation
    (service.secrets_dir / "github-webhook-secret-previous").unlink()
    assert service.deliver("ping", b'{"hook_id": 3}', secret=old)[0] == 401
    assert all(old not in line and "the-new-webhook-secret-0f3a9c" not in line for line in service.log_lines)


def test_health_readiness_and_metrics(service):
    assert service.get("/healthz")[0] == 200
    assert service.ready()["status"] == "ready"
    status, text = service.get("/metrics")
    assert status == 200 and "corgi_webhook_seconds" in text


def serve_once(settings, env=None):
    environment = {k: v for k, v in os.environ.items() if not k.startswith("CORGI_")}
    environment.update(env or {})
    return subprocess.run([corgi_binary(), "serve", "--config", str(settings)], capture_output=True, env=environment, timeout=60)


def test_secrets_from_the_environment_are_refused(github, tmp_path):
    service = CorgiService(tmp_path, github)
    result = serve_once(service.settings, {"CORGI_WEBHOOK_SECRET": "s3cr3t-value"})
    assert result.returncode == 2
    assert b"CORGI_WEBHOOK_SECRET" in result.stderr and b"s3cr3t-value" not in result.stderr


SSO_OIDC = """sso:
  oidc:
    issuer: https://login.example.com
    client_id: corgi
    redirect_url: http://127.0.0.1:1/auth/oidc/callback
    organisation: github/acme
    scopes: [groups]
    roles: ["security=owner"]
"""


SSO_GITHUB = """sso:
  github:
    client_id: Iv1.x
    redirect_url: http://127.0.0.1:1/auth/github/callback
    organisation: acme
    roles: ["team:security=owner"]
"""


SSO_SAML = """sso:
  saml:
    idp_entity_id: https://idp.example.com/
    idp_sso_url: https://idp.example.com/sso
    idp_certificate_file: /nonexistent/idp.crt
    sp_entity_id: https://corgi.example.com/saml
    acs_url: http://127.0.0.1:1/auth/saml/acs
    organisation: github/acme
    roles: ["security=owner"]
"""


@pytest.mark.parametrize("edit, message", [
    (lambda s: s.replace('  app_id: "12345"\n', ""), "missing setting github.app_id"),
    # SAML: the IdP's certificate must be a readable PEM; the ACS URL, https and a role map.
    (lambda s: s + SSO_SAML, "sso.saml.idp_certificate_file must be the IdP's signing certificate"),
    (lambda s: s + SSO_SAML.replace("/nonexistent/idp.crt", "/etc/hostname"), "sso.saml.idp_certificate_file must be"),
    (lambda s: s + SSO_SAML.replace("/auth/saml/acs", "/acs"), "sso.saml"),
    (lambda s: s + SSO_SAML.replace("https://idp.example.com/sso", "http://idp.example.com/sso"), "sso.saml.idp_sso_url must be https://"),
    (lambda s: s + SSO_SAML.replace('"security=owner"', '"security=root"'), "sso.saml.roles entries"),
    (lambda s: s.replace("port: ", "port: not-a-port #"), "server.port must be an integer"),
    (lambda s: s + "policy:\n  fail_on: sometimes\n", "policy.fail_on"),
    (lambda s: s.replace("github:\n", "github:\n  webhook_secret: hunter2\n"), "github.webhook_secret is a secret"),
    # Sign-in with GitHub: the callback, the organisation, the role map and the secret's place.
    (lambda s: s + SSO_GITHUB.replace("/auth/github/callback", "/elsewhere"), "sso.github.redirect_url must end in /auth/github/callback"),
    (lambda s: s + SSO_GITHUB.replace("http://127.0.0.1:1/", "http://example.com/"), "sso.github.redirect_url must be https://"),
    (lambda s: s + SSO_GITHUB.replace("organisation: acme", "organisation: gitlab/acme"), "sso.github.organisation"),
    (lambda s: s + SSO_GITHUB.replace('"team:security=owner"', '"security=owner"'), "sso.github.roles entries"),
    (lambda s: s + SSO_GITHUB.replace('"team:security=owner"', '"team:security=root"'), "sso.github.roles entries"),
    (lambda s: s + SSO_GITHUB.replace("    client_id: Iv1.x\n", "    client_id: Iv1.x\n    client_secret: hunter2\n"),
     "sso.github.client_secret is a secret"),
    (lambda s: s + SSO_OIDC.replace("scopes: [groups]", 'scopes: ["groups offline"]'), "sso.oidc.scopes"),
])
def test_bad_settings_fail_fast_naming_the_setting(github, tmp_path, edit, message):
    service = CorgiService(tmp_path, github)
    service.settings.write_text(edit(service.settings.read_text()))
    result = serve_once(service.settings)
    assert result.returncode == 2, result.stderr
    assert message.encode() in result.stderr
    assert b"hunter2" not in result.stderr


def test_missing_secret_file_is_named(github, tmp_path):
    service = CorgiService(tmp_path, github)
    (service.secrets_dir / "storage-encryption-key").unlink()
    result = serve_once(service.settings)
    assert result.returncode == 2 and b"storage-encryption-key" in result.stderr


def test_concurrent_webhooks_are_all_recorded(service, github):
    # Regression: the store's transactions once interleaved on its single connection under load.
    import threading
    from collections import Counter
    payload = json.loads(pr_event("opened", SHA1))
    payload["repository"]["full_name"] = "load/unknown"  # the jobs fail fast: no such installation repo
    statuses = []
    def send(i):
        for j in range(15):
            # 120 different pull requests: one signed body sent again is one job (tests/adversarial).
            payload_ij = json.loads(json.dumps(payload))
            payload_ij["number"] = payload_ij["pull_request"]["number"] = 1000 + 15 * i + j
            body = json.dumps(payload_ij).encode()
            statuses.append(service.deliver("pull_request", body, delivery=f"load-{i}-{j}")[0])
    threads = [threading.Thread(target=send, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert Counter(statuses) == Counter({202: 120})
    service.wait_idle()
    db = sqlite3.connect(service.database)
    assert db.execute("SELECT COUNT(*) FROM deliveries").fetchone()[0] == 120
    assert db.execute("SELECT COUNT(*) FROM jobs").fetchone()[0] == 120
    db.close()
    verify = subprocess.run([corgi_binary(), "audit", "verify", "--database", str(service.database)], capture_output=True)
    assert verify.returncode == 0, verify.stdout
    github.take_violations()
