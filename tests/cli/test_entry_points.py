"""Where developers meet the scanner before a server: the pre-commit hook, the GitHub Action and the
GitLab CI template this repository ships, each run as it declares itself, on a throwaway git
repository whose last commit (or staged change) holds a secret."""
import json
import os
import pathlib
import re
import shutil
import subprocess

import jsonschema
import pytest
import yaml

from conftest import GITHUB_TOKEN, ROOT, SHARED, corgi_path


def git(repo: pathlib.Path, *args: str) -> str:
    environment = dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.com", GIT_COMMITTER_NAME="t",
                       GIT_COMMITTER_EMAIL="t@example.com")
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True, env=environment).stdout.strip()


@pytest.fixture
def repo(tmp_path):
    """A repository with a clean first commit and, on HEAD, a file that commits a token."""
    path = tmp_path / "project"
    path.mkdir()
    git(path, "init", "-q", "-b", "main")
    (path / "app.py").write_text("def add(a, b):\n    return a + b\n")
    git(path, "add", ".")
    git(path, "commit", "-q", "-m", "first")
    base = git(path, "rev-parse", "HEAD")
    (path / "settings.py").write_text(f'GITHUB_TOKEN = "{GITHUB_TOKEN}"\n')
    git(path, "add", ".")
    git(path, "commit", "-q", "-m", "settings")
    return path, base


def path_with_corgi() -> str:
    return str(pathlib.Path(corgi_path()).parent) + os.pathsep + os.environ["PATH"]


def test_the_pre_commit_hook_stops_a_commit_of_a_secret_and_lets_a_clean_one_through(tmp_path):
    if shutil.which("pre-commit") is None:
        pytest.skip("pre-commit is not installed (scripts/setup installs it)")
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert [h["id"] for h in hooks] == ["corgi-scan"] and hooks[0]["language"] == "system" and hooks[0]["pass_filenames"] is False
    work = tmp_path / "work"
    work.mkdir()
    git(work, "init", "-q", "-b", "main")
    (work / "ok.py").write_text("x = 1\n")
    git(work, "add", ".")
    environment = dict(os.environ, PATH=path_with_corgi(), PRE_COMMIT_HOME=str(tmp_path / "cache"))
    environment = {k: v for k, v in environment.items() if not k.startswith("CORGI_")}

    def run_hook():
        # try-repo runs the hook as this repository declares it (working tree included).
        return subprocess.run(["pre-commit", "try-repo", str(ROOT), "corgi-scan"], cwd=work, capture_output=True, text=True,
                              env=environment, timeout=300)
    clean = run_hook()
    assert clean.returncode == 0, clean.stdout + clean.stderr
    (work / "secret.py").write_text(f'TOKEN = "{GITHUB_TOKEN}"\n')
    git(work, "add", "secret.py")
    caught = run_hook()
    assert caught.returncode == 1 and "github-pat-classic" in caught.stdout, caught.stdout + caught.stderr
    assert GITHUB_TOKEN not in caught.stdout, "the secret is redacted in the hook's output"


def substitute(text: str, values: dict) -> str:
    return re.sub(r"\$\{\{\s*([^}]+?)\s*\}\}", lambda m: values[m.group(1)], text)


def test_the_github_action_writes_sarif_for_code_scanning_annotates_and_fails_at_its_severity(repo):
    path, base = repo
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    assert action["runs"]["using"] == "composite"
    inputs = {f"inputs.{name}": str(spec.get("default", "")) for name, spec in action["inputs"].items()}
    inputs["inputs.base"] = substitute(inputs["inputs.base"], {"github.event.pull_request.base.sha": base})
    steps = action["runs"]["steps"]
    environment = {k: v for k, v in os.environ.items() if not k.startswith("CORGI_")} | {"PATH": path_with_corgi()}
    results = []
    for step in steps:
        if "run" in step:
            assert step["shell"] == "bash"
            results.append(subprocess.run(["bash", "-e", "-c", substitute(step["run"], inputs)], cwd=path, capture_output=True,
                                          text=True, env=environment, timeout=120))
        else:
            # The upload step takes the file the scan step wrote.
            assert step["uses"].startswith("github/codeql-action/upload-sarif@")
            assert substitute(step["with"]["sarif_file"], inputs) == inputs["inputs.sarif"]
    scan, annotate = results
    assert scan.returncode == 0, scan.stderr
    sarif = json.loads((path / inputs["inputs.sarif"]).read_text())
    schema = SHARED / "fixtures" / "sarif" / "sarif-schema-2.1.0.json"
    if schema.exists():
        jsonschema.validate(sarif, json.loads(schema.read_text()))
    assert [r["ruleId"] for r in sarif["runs"][0]["results"]] == ["github-pat-classic"]
    assert annotate.returncode == 1 and annotate.stdout.startswith("::error file=settings.py,line=1"), annotate.stdout + annotate.stderr
    assert GITHUB_TOKEN not in (path / inputs["inputs.sarif"]).read_text() + annotate.stdout


def test_the_gitlab_template_writes_a_code_quality_report_and_sarif(repo):
    path, base = repo
    template = yaml.safe_load((ROOT / "ci" / "gitlab" / "code-corgi.gitlab-ci.yml").read_text())
    job = template["code-corgi"]
    assert job["rules"] == [{"if": '$CI_PIPELINE_SOURCE == "merge_request_event"'}]
    environment = {k: v for k, v in os.environ.items() if not k.startswith("CORGI_")}
    environment |= {k: str(v) for k, v in job["variables"].items()} | {"PATH": path_with_corgi(), "CI_MERGE_REQUEST_DIFF_BASE_SHA": base}
    outcomes = [subprocess.run(["bash", "-c", line], cwd=path, capture_output=True, text=True, env=environment, timeout=120)
                for line in job["script"]]
    assert outcomes[0].returncode == 0, outcomes[0].stderr
    assert outcomes[1].returncode == 1, "the SARIF step fails the job at high"
    report = json.loads((path / job["artifacts"]["reports"]["codequality"]).read_text())
    assert isinstance(report, list) and len(report) == 1
    issue = report[0]
    assert set(issue) == {"description", "check_name", "fingerprint", "severity", "location"}
    assert issue["check_name"] == "github-pat-classic" and issue["severity"] == "blocker"
    assert issue["location"] == {"path": "settings.py", "lines": {"begin": 1}}
    assert GITHUB_TOKEN not in json.dumps(report)
    assert (path / job["artifacts"]["paths"][0]).exists()


def test_staged_scans_what_the_next_commit_would_record(corgi, repo):
    path, _ = repo
    (path / "later.py").write_text(f'STRIPE = "sk_live_51Hq8KjL2mN4pQ6rS8tU0vW2xY4zA6bC8dE0fG2h"\n')
    clean = corgi("scan", "--staged", "--format", "json", cwd=path)
    assert clean.returncode == 0 and json.loads(clean.stdout)["findings"] == [], "nothing staged yet"
    git(path, "add", "later.py")
    staged = corgi("scan", "--staged", "--format", "json", cwd=path)
    assert staged.returncode == 1 and [f["rule_id"] for f in json.loads(staged.stdout)["findings"]] == ["stripe-live-secret-key"]
    both = corgi("scan", "--staged", "--git", "HEAD~1..HEAD", cwd=path)
    assert both.returncode == 2 and "one of" in both.stderr.decode()
