"""Promise 5: secrets are never printed in full, wherever they appear.

A credential committed as a file or directory name was printed whole by every output: the text,
JSON, SARIF and GitHub formats, the review, the summary and the annotations. The secret rules now
scan each path at the start of its file: the secret is reported as a finding of its own, and every
finding carries the path with the secret redacted."""
import json

import pytest

from adversarial import GITHUB_TOKEN, STRIPE_KEY, CorgiService, github_repository_id, new_file, pr_event, run_corgi

PATH = f"deploy/{GITHUB_TOKEN}/settings.py"
HEAD = "f" * 40


def leaks(text: str) -> list[str]:
    """Any part of a secret longer than the 4-character prefix Redaction allows."""
    return [s for s in (GITHUB_TOKEN, STRIPE_KEY) for part in (s, s[4:], s[-12:]) if part in text]


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github"])
def test_a_secret_in_a_path_is_redacted_in_every_format_and_reported(tmp_path, fmt):
    diff = tmp_path / "x.diff"
    diff.write_text(new_file(PATH, ["import os", f'STRIPE = "{STRIPE_KEY}"']) + new_file(f"keys/{STRIPE_KEY}.bin", ["x"]))
    result = run_corgi("scan", diff, "--format", fmt, env={"HOME": str(tmp_path)})
    assert result.returncode == 1, result.stderr
    out = result.stdout.decode() + result.stderr.decode()
    assert leaks(out) == []
    assert "deploy/ghp_****/settings.py" in out.replace("%2F", "/") or fmt == "sarif"


def test_the_path_secret_is_a_finding_and_findings_path_is_redacted(tmp_path):
    diff = tmp_path / "x.diff"
    diff.write_text(new_file(PATH, ["import os", f'STRIPE = "{STRIPE_KEY}"']))
    report = json.loads(run_corgi("scan", diff, "--format", "json", env={"HOME": str(tmp_path)}).stdout)
    by_rule = {(f["rule_id"], f["line"]): f for f in report["findings"]}
    path_finding = by_rule[("github-pat-classic", 1)]
    assert "path" in path_finding["message"] and path_finding["redacted"] == "ghp_****"
    assert {f["path"] for f in report["findings"]} == {"deploy/ghp_****/settings.py"}
    sarif = json.loads(run_corgi("scan", diff, "--format", "sarif", env={"HOME": str(tmp_path)}).stdout)
    uris = {loc["physicalLocation"]["artifactLocation"]["uri"] for r in sarif["runs"][0]["results"] for loc in r["locations"]}
    assert uris and all(GITHUB_TOKEN not in uri and GITHUB_TOKEN[4:] not in uri for uri in uris)


def test_a_secret_in_a_path_never_reaches_the_pull_request(github, tmp_path):
    github.add_installation(1, "octo", repos=["octo/deploy"])
    github.set_pull("octo/deploy", 9, HEAD, "main",
                    new_file(PATH, ["import os", f'STRIPE = "{STRIPE_KEY}"']) + new_file("app.py", [f'K = "{STRIPE_KEY}"']))
    with CorgiService(tmp_path, github) as service:
        status, _ = service.deliver("pull_request", pr_event(
            "opened", full_name="octo/deploy", repository_id=github_repository_id(github, "octo/deploy"), installation=1,
            number=9, head=HEAD))
        assert status == 202
        github.wait_for(lambda d: any(r.get("status") == "completed" for r in d.check_runs.values()))
        service.wait_idle()
        logs = "\n".join(service.log_lines)
    sent = [json.dumps(r.body) for r in github.requests if r.body is not None]
    assert sent and leaks("\n".join(sent)) == []
    assert leaks(logs) == []
    summary, = github.issue_comments.values()
    assert "deploy/ghp_****/settings.py" in summary["body"]
    # The finding in app.py is still commented inline; those in the redacted path are listed in the summary.
    assert sorted(c["path"] for c in github.review_comments.values()) == ["app.py"]
