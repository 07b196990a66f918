"""corgi serve end to end against the GitHub double: webhooks from the octokit fixtures, signed
here; every request the service sends is checked by the double against GitHub's OpenAPI subset."""
import copy
import json
import re

import pytest

from corgi_service import CorgiService, fixture_payload

REPO = "Codertocat/Hello-World"
NUMBER = 2
INSTALLATION = 1
SHA1 = "ec26c3e57ca3a959ca5aad62de7213c562f8c821"
SHA2 = "5a1b2c3d4e5f60718293a4b5c6d7e8f901234567"
MARKER = "CORGI-MARKER-7f3e9a"
GITHUB_TOKEN = "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"
STRIPE_KEY = "sk_live_51Hq8KjL2mN4pQ6rS8tU0vW2xY4zA6bC8dE0fG2h"


def new_file(path, lines):
    body = "".join(f"+{l}\n" for l in lines)
    return f"diff --git a/{path} b/{path}\nnew file mode 100644\n--- /dev/null\n+++ b/{path}\n@@ -0,0 +1,{len(lines)} @@\n{body}"


FIRST_DIFF = new_file("app/settings.py", [
    "import os",
    f'GITHUB_TOKEN = "{GITHUB_TOKEN}"  # {MARKER}',
    f'STRIPE_KEY = "{STRIPE_KEY}"',
]) + new_file("app/load.py", [
    "import yaml",
    f"# {MARKER}",
    "def load(stream):",
    "    return yaml.load(stream)",
])

# The push removes the GitHub token and adds a pickle call.
SECOND_DIFF = new_file("app/settings.py", [
    "import os",
    'GITHUB_TOKEN = os.environ["GITHUB_TOKEN"]',
    f'STRIPE_KEY = "{STRIPE_KEY}"',
]) + new_file("app/load.py", [
    "import yaml, pickle",
    f"# {MARKER}",
    "def load(stream):",
    "    return yaml.load(stream)",
    "def restore(blob):",
    "    return pickle.loads(blob)",
])


def pr_event(action: str, sha: str) -> bytes:
    payload = fixture_payload("pull_request", "opened.json" if action == "opened" else "synchronize.json")
    payload["action"] = action
    payload["pull_request"]["head"]["sha"] = sha
    return json.dumps(payload).encode()


def rerequested_event(sha: str) -> bytes:
    payload = fixture_payload("check_run", "rerequested.json")
    pr = fixture_payload("pull_request", "opened.json")
    payload["repository"] = pr["repository"]
    payload["check_run"]["head_sha"] = sha
    payload["check_run"]["pull_requests"] = [{
        "url": f"https://api.github.com/repos/{REPO}/pulls/{NUMBER}", "id": 191568743, "number": NUMBER,
        "head": {"ref": "changes", "sha": sha, "repo": {"id": 186853002, "url": "", "name": "Hello-World"}},
        "base": {"ref": "master", "sha": pr["pull_request"]["base"]["sha"], "repo": {"id": 186853002, "url": "", "name": "Hello-World"}},
    }]
    return json.dumps(payload).encode()


def completed_runs(github, sha):
    return [r for r in github.check_runs.values() if r["head_sha"] == sha and r.get("status") == "completed"]


def annotation_keys(run):
    return sorted((a["path"], a["start_line"], a["title"].split("] ")[1]) for a in run["annotations"])


@pytest.fixture
def service(github, tmp_path):
    github.add_installation(INSTALLATION, "Codertocat", repos=[REPO])
    github.set_pull(REPO, NUMBER, SHA1, "master", FIRST_DIFF)
    with CorgiService(tmp_path, github) as running:
        yield running


def test_full_review_loop(service, github):
    # 1. Opened: a check run in progress, then completed with annotations, inline comments, a summary.
    status, body = service.deliver("pull_request", pr_event("opened", SHA1), delivery="d-opened")
    assert (status, body["status"]) == (202, "queued")
    github.wait_for(lambda d: completed_runs(d, SHA1))
    run = completed_runs(github, SHA1)[0]
    created = github.calls("POST", r"/check-runs$")[0]
    assert created.body["status"] == "in_progress" and created.body["head_sha"] == SHA1
    assert run["conclusion"] == "failure"
    assert annotation_keys(run) == [
        ("app/load.py", 4, "python-yaml-unsafe-load"),
        ("app/settings.py", 2, "github-pat-classic"),
        ("app/settings.py", 3, "stripe-live-secret-key"),
    ]
    reviews = list(github.reviews.values())
    assert len(reviews) == 1 and reviews[0]["commit_id"] == SHA1
    comments = sorted((c["path"], c["line"], c["side"]) for c in github.review_comments.values())
    assert comments == [("app/load.py", 4, "RIGHT"), ("app/settings.py", 2, "RIGHT"), ("app/settings.py", 3, "RIGHT")]
    summaries = list(github.issue_comments.values())
    assert len(summaries) == 1
    summary_id = next(iter(github.issue_comments))
    assert "<!-- corgi:summary -->" in summaries[0]["body"] and "3 open" in summaries[0]["body"]
    service.wait_idle()

    # 2. Synchronize: one finding fixed, one added; only the new one is commented; summary updated in place.
    github.set_pull(REPO, NUMBER, SHA2, "master", SECOND_DIFF)
    status, body = service.deliver("pull_request", pr_event("synchronize", SHA2), delivery="d-sync")
    assert (status, body["status"]) == (202, "queued")
    github.wait_for(lambda d: completed_runs(d, SHA2))
    run2 = completed_runs(github, SHA2)[0]
    assert annotation_keys(run2) == [
        ("app/load.py", 4, "python-yaml-unsafe-load"),
        ("app/load.py", 6, "python-pickle-load"),
        ("app/settings.py", 3, "stripe-live-secret-key"),
    ]
    assert len(github.reviews) == 2
    new_comments = [c for c in github.review_comments.values() if c.get("commit_id") == SHA2 or c["line"] == 6]
    assert sorted((c["path"], c["line"]) for c in new_comments) == [("app/load.py", 6)]
    assert len(github.issue_comments) == 1
    updated = github.issue_comments[summary_id]["body"]
    assert "1 fixed" in updated.replace("**", "") and "python-pickle-load" in updated
    assert github.calls("PATCH", rf"/issues/comments/{summary_id}$")
    service.wait_idle()

    # 3. A redelivery is accepted and not run again.
    runs_before, reviews_before = len(github.check_runs), len(github.reviews)
    status, body = service.deliver("pull_request", pr_event("synchronize", SHA2), delivery="d-sync")
    assert (status, body["status"]) == (202, "duplicate")
    service.wait_idle()
    assert (len(github.check_runs), len(github.reviews)) == (runs_before, reviews_before)

    # 4. A rerequested check run rescans: a new completed check run, no duplicate comments.
    comments_before = len(github.review_comments)
    status, body = service.deliver("check_run", rerequested_event(SHA2), delivery="d-rerun")
    assert (status, body["status"]) == (202, "queued")
    github.wait_for(lambda d: len(completed_runs(d, SHA2)) == 2)
    service.wait_idle()
    assert len(github.review_comments) == comments_before
    assert len(github.issue_comments) == 1
    assert sorted(annotation_keys(completed_runs(github, SHA2)[1])) == annotation_keys(run2)

    # Every request carried an installation token except the token exchange, which used the app JWT.
    for call in github.requests:
        expected = "jwt" if call.path.endswith("/access_tokens") else "installation_token"
        assert call.credential == expected, str(call)
    assert github.tokens_issued == 1  # cached until shortly before expiry

    # 5. Nothing of the code or the secrets reached a log line; the audit chain verifies.
    assert service.stop() == 0
    logs = "\n".join(service.log_lines)
    for needle in (MARKER, GITHUB_TOKEN, STRIPE_KEY, GITHUB_TOKEN[4:], STRIPE_KEY[8:], service.webhook_secret, "yaml.load(stream)"):
        assert needle not in logs
    for line in service.log_lines:
        json.loads(line)  # structured: every line is a JSON object
    assert any('"msg":"review published"' in l for l in service.log_lines)
    import subprocess
    from corgi_service import corgi_binary
    verify = subprocess.run([corgi_binary(), "audit", "verify", "--database", str(service.database)], capture_output=True)
    assert verify.returncode == 0, verify.stdout
    events = int(re.search(rb"(\d+) events", verify.stdout).group(1))
    assert events >= 8
