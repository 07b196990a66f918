"""The AI review end to end: a real `corgi serve` with `ai:` settings, the GitHub double and a
deterministic model double speaking the Anthropic Messages API (tests/service/llm_double.py, which
checks every request against the published example). A pull request with an authorisation bug no
rule catches gets an inline comment at the right line, marked as the AI's, without failing the
check; a secret in the same diff never reaches the model; with the organisation's policy off, no
request is made at all."""
import json
import os
import subprocess

import pytest

from corgi_service import CorgiService, corgi_binary
from llm_double import running_double
from test_api import REPO_A, REPO_A_ID, org_path, pull_request_event
from test_serve_e2e import GITHUB_TOKEN, completed_runs, new_file

ORG = "Codertocat"
SHA_BUG, SHA_OFF = "c0ffee" + "0" * 34, "c0ffee" + "1" * 34
DIFF = new_file("app/invoices.py", [
    "from flask import Blueprint",
    "bp = Blueprint('invoices', __name__)",
    "@bp.route('/invoices/<int:id>', methods=['DELETE'])",
    "@login_required",
    "def delete_invoice(id):",
    "    invoice = Invoice.query.get_or_404(id)",
    "    db.session.delete(invoice)",
    "    db.session.commit()",
    "    return '', 204",
    f'BILLING_TOKEN = "{GITHUB_TOKEN}"',
])


@pytest.fixture
def model():
    with running_double("sk-ant-test-" + "k" * 40) as double:
        yield double


def ai_service(tmp_path, github_double, model, settings: str) -> CorgiService:
    """`corgi serve` whose `ai:` section points at the model double, with its key in the secrets."""
    service = CorgiService(tmp_path, github_double, extra_settings=(
        f"ai:\n  provider: anthropic\n  base_url: {model.base_url}\n  model: claude-test\n" + settings))
    (service.secrets_dir / "ai-api-key").write_text(model.api_key)
    github_double.add_installation(1, ORG, repos=[REPO_A])
    return service


@pytest.fixture
def service(github_double, tmp_path, model):
    with ai_service(tmp_path, github_double, model,
                    "  timeout_seconds: 30\n  input_price_per_million_tokens: 3\n  output_price_per_million_tokens: 15\n") as service:
        yield service


def cli(*args) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("CORGI_")}
    return subprocess.run([corgi_binary(), *args], capture_output=True, text=True, env=environment, timeout=60)


def call(service, method, path, key, body=None):
    import urllib.request, urllib.error
    request = urllib.request.Request(service.url + path, method=method, data=json.dumps(body).encode() if body is not None else None,
                                     headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def test_an_authorisation_bug_no_rule_catches_gets_an_ai_comment_and_no_secret_reaches_the_model(service, github_double, model):
    created = cli("api-key", "create", "--config", str(service.settings), "--organisation", f"github/{ORG}", "--role", "owner",
                  "--name", "policy")
    assert created.returncode == 0, created.stderr
    key = created.stdout.strip()

    # Off by default: a review makes no request to the model.
    github_double.set_pull(REPO_A, 7, SHA_OFF, "master", DIFF)
    assert service.deliver("pull_request", pull_request_event("opened", REPO_A, REPO_A_ID, 7, SHA_OFF, 1))[0] == 202
    github_double.wait_for(lambda d: completed_runs(d, SHA_OFF))
    service.wait_idle()
    assert model.requests == [] and model.raw_bodies == []

    # The organisation turns it on.
    status, policy = call(service, "PUT", org_path(ORG, "/policy"), key, {"ai_review": True})
    assert status == 200 and policy["ai_review"] is True, policy
    github_double.set_pull(REPO_A, 8, SHA_BUG, "master", DIFF)
    assert service.deliver("pull_request", pull_request_event("opened", REPO_A, REPO_A_ID, 8, SHA_BUG, 1))[0] == 202
    run = github_double.wait_for(lambda d: completed_runs(d, SHA_BUG), timeout=60)[0]
    service.wait_idle()

    assert len(model.requests) == 1
    # Nothing secret left the service: neither the token nor any part of it.
    for body in model.raw_bodies:
        assert GITHUB_TOKEN.encode() not in body and GITHUB_TOKEN[4:20].encode() not in body
    assert "[REDACTED:github-pat-classic]" in model.requests[0]["messages"][0]["content"]
    # The AI's finding: an inline comment at the delete (line 7), marked as the AI's.
    comments = [c for c in github_double.review_comments.values() if c["path"] == "app/invoices.py" and c.get("line") == 7]
    assert comments and "AI review" in comments[0]["body"], list(github_double.review_comments.values())
    # The token is a rule's finding (critical: the check fails for it); the AI finding alone would not.
    titles = {a["title"] for a in run["annotations"]}
    assert any("ai-review" in t for t in titles) and any("github-pat-classic" in t for t in titles), titles
    # Audited with what it cost and the prompt's digest, never the prompt.
    audit = cli("audit", "verify", "--config", str(service.settings))
    assert audit.returncode == 0, audit.stdout + audit.stderr
    metrics = service.get("/metrics")[1]
    assert "corgi_ai_calls_total 1" in metrics and "corgi_ai_findings_total 1" in metrics
    tokens = sum(int(line.split()[-1]) for line in metrics.splitlines() if line.startswith(("corgi_ai_input_tokens_total ", "corgi_ai_output_tokens_total ")))
    cost = float(next(line.split()[-1] for line in metrics.splitlines() if line.startswith("corgi_ai_cost_total ")))
    assert tokens > 40 and 0 < cost < tokens * 15 / 1_000_000 + 1e-9
    assert not any("sk-ant-test" in line or GITHUB_TOKEN in line for line in service.log_lines)


def test_an_ai_finding_alone_never_fails_the_check_and_a_failing_model_is_said_not_to_have_reviewed(service, github_double, model):
    created = cli("api-key", "create", "--config", str(service.settings), "--organisation", f"github/{ORG}", "--role", "owner",
                  "--name", "policy")
    key = created.stdout.strip()
    assert call(service, "PUT", org_path(ORG, "/policy"), key, {"ai_review": True})[0] == 200
    clean = DIFF.replace(f'+BILLING_TOKEN = "{GITHUB_TOKEN}"\n', "").replace("+1,10 @@", "+1,9 @@")
    sha = "c0ffee" + "2" * 34
    github_double.set_pull(REPO_A, 9, sha, "master", clean)
    assert service.deliver("pull_request", pull_request_event("opened", REPO_A, REPO_A_ID, 9, sha, 1))[0] == 202
    run = github_double.wait_for(lambda d: completed_runs(d, sha), timeout=60)[0]
    assert [a["start_line"] for a in run["annotations"]] == [7] and run["conclusion"] == "success", run
    # The model fails every attempt: the review is published anyway, naming what the AI did not cover.
    model.status_script = [500] * 10
    sha = "c0ffee" + "3" * 34
    github_double.set_pull(REPO_A, 10, sha, "master", clean)
    assert service.deliver("pull_request", pull_request_event("opened", REPO_A, REPO_A_ID, 10, sha, 1))[0] == 202
    run = github_double.wait_for(lambda d: completed_runs(d, sha), timeout=120)[0]
    service.wait_idle()
    assert run["conclusion"] != "failure"
    assert "AI review did not cover 1 file(s)" in run["output"]["summary"] and "HTTP 500" in run["output"]["summary"], run["output"]["summary"]


def test_the_organisations_daily_token_budget_stops_the_ai_review_once_spent(github_double, tmp_path, model):
    with ai_service(tmp_path, github_double, model, "  max_output_tokens: 256\n  tokens_per_organisation_per_day: 5000\n") as service:
        key = cli("api-key", "create", "--config", str(service.settings), "--organisation", f"github/{ORG}", "--role", "owner",
                  "--name", "policy").stdout.strip()
        assert call(service, "PUT", org_path(ORG, "/policy"), key, {"ai_review": True})[0] == 200
        model.usage_tokens = 6_000  # this review alone spends more than the day allows
        for number, sha in ((11, "d" * 40), (12, "e" * 40)):
            github_double.set_pull(REPO_A, number, sha, "master", DIFF)
            assert service.deliver("pull_request", pull_request_event("opened", REPO_A, REPO_A_ID, number, sha, 1))[0] == 202
            github_double.wait_for(lambda d, sha=sha: completed_runs(d, sha), timeout=60)
            service.wait_idle()
        assert len(model.requests) == 1, "the second review made no call"
        second = completed_runs(github_double, "e" * 40)[0]
        assert "daily token budget is spent" in second["output"]["summary"], second["output"]["summary"]
