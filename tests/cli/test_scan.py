import json
import os
import pathlib
import pty
import re
import subprocess

import jsonschema
import pytest

from conftest import GITHUB_TOKEN, ROOT, SHARED, STRIPE_KEY, new_file, shared_fixture

SECRET_DIFF = new_file("config/settings.py", [f'TOKEN = "{GITHUB_TOKEN}"', f'STRIPE = "{STRIPE_KEY}"', "DEBUG = False"])
CODE_DIFF = new_file("app/load.py", ["import yaml", "cfg = yaml.load(stream)"])  # high severity code finding
CLEAN_DIFF = new_file("app/ok.py", ["def add(a, b):", "    return a + b"])


def write(tmp_path: pathlib.Path, name: str, text: str | bytes) -> pathlib.Path:
    path = tmp_path / name
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return path


# Exit codes ---------------------------------------------------------------------------------------

def test_clean_diff_exits_0(corgi, tmp_path):
    result = corgi("scan", write(tmp_path, "clean.diff", CLEAN_DIFF))
    assert result.returncode == 0, result.stderr
    assert b"No findings" in result.stdout


def test_findings_exit_1(corgi, tmp_path):
    result = corgi("scan", write(tmp_path, "s.diff", SECRET_DIFF))
    assert result.returncode == 1
    assert b"github-pat-classic" in result.stdout


@pytest.mark.parametrize(
    "fail_on, expected",
    [("info", 1), ("low", 1), ("medium", 1), ("high", 1), ("critical", 0), ("never", 0)],
)
def test_fail_on_threshold(corgi, tmp_path, fail_on, expected):
    # Only a high finding: critical and never pass.
    result = corgi("scan", "--fail-on", fail_on, write(tmp_path, "c.diff", CODE_DIFF))
    assert result.returncode == expected, result.stdout


@pytest.mark.parametrize(
    "args, message",
    [
        (["scan", "missing.diff"], "diff file not found"),
        (["scan", "--format", "xml", "-"], "'xml' is invalid"),
        (["scan", "--fail-on", "severe", "-"], "'severe' is invalid"),
        (["scan", "x.diff", "--git", "a..b"], "give one of a diff PATH, --git or --staged"),
        (["scan", "--config", "missing.yml", "-"], "configuration file not found"),
        (["scan", "--baseline", "missing.json", "-"], "baseline file not found"),
        (["scan", "--git=--output=/tmp/owned"], "revision range"),
        (["scan", "--bogus"], "Unknown option"),
        (["scan", "."], "is a directory"),
    ],
)
def test_usage_errors_exit_2_with_one_line(corgi, tmp_path, args, message):
    result = corgi(*args, input=b"", cwd=tmp_path)
    assert result.returncode == 2, (result.stdout, result.stderr)
    lines = result.stderr.decode().strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("corgi: ")
    assert message in lines[0]
    assert result.stdout == b""


def test_malformed_diff_names_the_line(corgi, tmp_path):
    # Skipped, named by line on standard error, and the scan goes on (exit 2 only with --strict).
    bad = "diff --git a/a b/a\n--- a/a\n+++ b/a\n@@ -1,2 +1,2 @@\n a\n*oops\n"
    result = corgi("scan", write(tmp_path, "bad.diff", bad))
    assert result.returncode == 0
    assert result.stderr.decode().strip() == (
        "corgi: not scanned: malformed diff at line 6 (a): expected a hunk line starting with ' ', '+', '-' or '\\'; "
        "the hunk at line 4 still owes 1 line(s); skipped to the next header"
    )
    assert corgi("scan", "--strict", write(tmp_path, "bad.diff", bad)).returncode == 2


def test_help_exits_0(corgi):
    result = corgi("scan", "--help")
    assert result.returncode == 0
    assert b"--fail-on" in result.stdout


# Inputs -------------------------------------------------------------------------------------------

def test_stdin_dash_and_pipe(corgi):
    for args in (["scan", "-"], ["scan"]):
        result = corgi(*args, "--format", "json", input=SECRET_DIFF.encode())
        assert result.returncode == 1, result.stderr
        assert {f["rule_id"] for f in json.loads(result.stdout)["findings"]} >= {"github-pat-classic", "stripe-live-secret-key"}


def test_git_range(corgi, tmp_path):
    def git(*args):
        subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args], cwd=tmp_path, check=True, capture_output=True)

    git("init", "-q", "-b", "main")
    (tmp_path / "app.py").write_text("x = 1\n")
    git("add", ".")
    git("commit", "-qm", "base")
    (tmp_path / "app.py").write_text(f'x = 1\ntoken = "{GITHUB_TOKEN}"\n')
    (tmp_path / "my file.py").write_text("import pickle\nobj = pickle.loads(blob)\n")
    git("add", ".")
    git("commit", "-qm", "head")
    result = corgi("scan", "--git", "HEAD~1..HEAD", "--format", "json", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    findings = {(f["path"], f["line"], f["rule_id"]) for f in json.loads(result.stdout)["findings"]}
    assert findings == {("app.py", 2, "github-pat-classic"), ("my file.py", 2, "python-pickle-load")}

    bad = corgi("scan", "--git", "nosuch..HEAD", cwd=tmp_path)
    assert bad.returncode == 2
    assert bad.stderr.decode().startswith("corgi: git diff nosuch..HEAD failed")


def test_git_range_sees_the_whole_changed_function(corgi, tmp_path):
    """--git reads each changed function whole: a source on an unchanged line far above the
    added sink still counts, and only the added line is reported."""
    def git(*args):
        return subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
                              cwd=tmp_path, check=True, capture_output=True).stdout

    git("init", "-q", "-b", "main")
    (tmp_path / "app.py").write_text("import requests\nfrom flask import request\n\n\ndef fetch():\n"
                                     "    target = request.args.get('url')\n    a = 1\n    b = 2\n    c = 3\n    d = 4\n"
                                     "    return 'ok'\n")
    git("add", ".")
    git("commit", "-qm", "base")
    text = (tmp_path / "app.py").read_text().replace("    return 'ok'\n", "    body = requests.get(target).text\n    return body\n")
    (tmp_path / "app.py").write_text(text)
    git("commit", "-qam", "head")
    result = corgi("scan", "--git", "HEAD~1..HEAD", "--format", "json", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert [(f["path"], f["line"]) for f in json.loads(result.stdout)["findings"]] == [("app.py", 11)]
    # The same change as a plain diff (three lines of context) does not show the source.
    plain = tmp_path / "plain.diff"
    plain.write_bytes(git("diff", "HEAD~1..HEAD"))
    assert json.loads(corgi("scan", str(plain), "--format", "json").stdout)["findings"] == []


def test_git_range_sarif_names_the_repository_without_its_credentials(corgi, tmp_path):
    """SARIF versionControlProvenance: the remote and HEAD's commit, never a token in the remote."""
    def git(*args):
        return subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
                              cwd=tmp_path, check=True, capture_output=True).stdout.decode().strip()

    git("init", "-q", "-b", "main")
    (tmp_path / "app.py").write_text("x = 1\n")
    git("add", ".")
    git("commit", "-qm", "base")
    (tmp_path / "app.py").write_text(f'x = 1\ntoken = "{GITHUB_TOKEN}"\n')
    git("commit", "-qam", "head")
    head = git("rev-parse", "HEAD")
    # A CI checkout often keeps its token in the remote.
    git("remote", "add", "origin", f"https://x-access-token:{GITHUB_TOKEN}@github.example.com/acme/app.git?x=1#frag")
    result = corgi("scan", "--git", "HEAD~1..HEAD", "--format", "sarif", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert GITHUB_TOKEN.encode() not in result.stdout and b"x-access-token" not in result.stdout
    run = json.loads(result.stdout)["runs"][0]
    assert run["versionControlProvenance"] == [{
        "repositoryUri": "https://github.example.com/acme/app.git", "revisionId": head, "mappedTo": {"uriBaseId": "%SRCROOT%"}}]
    schema = SHARED / "fixtures" / "sarif" / "sarif-schema-2.1.0.json"  # conformance, when present
    if schema.exists():
        jsonschema.Draft4Validator(json.loads(schema.read_text())).validate(json.loads(result.stdout))

    # scp-like remotes become ssh URIs; a local path is never published.
    git("remote", "set-url", "origin", "git@github.example.com:acme/app.git")
    run = json.loads(corgi("scan", "--git", "HEAD~1..HEAD", "--format", "sarif", cwd=tmp_path).stdout)["runs"][0]
    assert run["versionControlProvenance"][0]["repositoryUri"] == "ssh://github.example.com/acme/app.git"
    git("remote", "set-url", "origin", str(tmp_path / "elsewhere"))
    run = json.loads(corgi("scan", "--git", "HEAD~1..HEAD", "--format", "sarif", cwd=tmp_path).stdout)["runs"][0]
    assert "versionControlProvenance" not in run


def test_binary_only_and_empty_diffs(corgi, tmp_path):
    binary = "diff --git a/logo.png b/logo.png\nnew file mode 100644\nindex 0000000..a2b3c4d\nBinary files /dev/null and b/logo.png differ\n"
    result = corgi("scan", "--format", "json", write(tmp_path, "bin.diff", binary))
    assert result.returncode == 0
    stats = json.loads(result.stdout)["stats"]
    assert stats["files"] == 1 and stats["binary_files"] == 1 and stats["added_lines"] == 0
    empty = corgi("scan", "--format", "json", write(tmp_path, "empty.diff", ""))
    assert empty.returncode == 0
    assert json.loads(empty.stdout)["findings"] == []


def test_invalid_utf8_is_scanned_not_rejected(corgi, tmp_path):
    diff = new_file("blob.txt", ["x"]).encode().replace(b"+x\n", b"+\xff\xfe\xc3( " + GITHUB_TOKEN.encode() + b"\n")
    result = corgi("scan", "--format", "json", write(tmp_path, "u.diff", diff))
    assert result.returncode == 1, result.stderr
    finding = json.loads(result.stdout)["findings"][0]
    assert finding["rule_id"] == "github-pat-classic" and finding["line"] == 1 and finding["column"] == 6


# Output formats -----------------------------------------------------------------------------------

def test_json_shape_and_redaction(corgi, tmp_path):
    result = corgi("scan", "--format", "json", write(tmp_path, "s.diff", SECRET_DIFF + CODE_DIFF))
    document = json.loads(result.stdout)
    assert set(document) >= {"findings", "stats"}
    required = {"rule_id", "severity", "path", "line", "column", "message", "fingerprint", "cwe", "redacted"}
    for finding in document["findings"]:
        assert required <= set(finding)
        assert re.fullmatch(r"[0-9a-f]{32}", finding["fingerprint"])
        if finding["kind"] == "secret":
            visible = finding["redacted"].replace("****", "")
            assert len(visible) <= 4
        else:
            assert finding["redacted"] is None
    by_rule = {f["rule_id"]: f for f in document["findings"]}
    assert by_rule["github-pat-classic"]["line"] == 1
    assert by_rule["github-pat-classic"]["column"] == 10
    assert by_rule["github-pat-classic"]["cwe"] == "CWE-798"
    assert by_rule["python-yaml-unsafe-load"]["path"] == "app/load.py"
    assert document["stats"]["added_lines"] == 5
    assert document["stats"]["rules"] > 20


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github"])
def test_secrets_never_printed(corgi, tmp_path, fmt):
    result = corgi("scan", "--format", fmt, write(tmp_path, "s.diff", SECRET_DIFF))
    out = result.stdout + result.stderr
    for secret in (GITHUB_TOKEN, STRIPE_KEY):
        assert secret.encode() not in out
        assert secret[4:12].encode() not in out  # nothing past the 4-character prefix


def test_sarif_validates_against_the_schema(corgi, tmp_path):
    """Conformance: the published SARIF 2.1.0 schema (third-party, in ../shared)."""
    schema = json.loads(shared_fixture("sarif/sarif-schema-2.1.0.json").read_text())
    result = corgi("scan", "--format", "sarif", write(tmp_path, "s.diff", SECRET_DIFF + CODE_DIFF))
    jsonschema.Draft4Validator.check_schema(schema)
    jsonschema.Draft4Validator(schema).validate(json.loads(result.stdout))
    empty = json.loads(corgi("scan", "--format", "sarif", write(tmp_path, "c.diff", CLEAN_DIFF)).stdout)
    jsonschema.Draft4Validator(schema).validate(empty)


def test_sarif_document_structure(corgi, tmp_path):
    result = corgi("scan", "--format", "sarif", write(tmp_path, "s.diff", SECRET_DIFF + CODE_DIFF))
    log = json.loads(result.stdout)
    run = log["runs"][0]
    assert log["version"] == "2.1.0"
    assert run["tool"]["driver"]["name"] == "Code Corgi"
    rules = {r["id"] for r in run["tool"]["driver"]["rules"]}
    assert {r["ruleId"] for r in run["results"]} <= rules
    for r in run["results"]:
        assert r["partialFingerprints"]["corgiFingerprint/v1"]
        assert r["locations"][0]["physicalLocation"]["region"]["startLine"] >= 1
        assert run["tool"]["driver"]["rules"][r["ruleIndex"]]["id"] == r["ruleId"]
    empty = json.loads(corgi("scan", "--format", "sarif", write(tmp_path, "c.diff", CLEAN_DIFF)).stdout)
    assert empty["version"] == "2.1.0" and empty["runs"][0]["results"] == []


def test_sarif_rejects_a_broken_document_check():
    # The validator used above does catch a wrong document (so the test above can fail).
    schema = json.loads(shared_fixture("sarif/sarif-schema-2.1.0.json").read_text())
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft4Validator(schema).validate({"version": "2.1.0", "runs": [{"results": []}]})


def test_github_annotations(corgi, tmp_path):
    result = corgi("scan", "--format", "github", write(tmp_path, "s.diff", SECRET_DIFF + CODE_DIFF))
    lines = result.stdout.decode().splitlines()
    assert lines, result.stderr
    for line in lines:
        assert re.fullmatch(r"::(error|warning|notice) file=[^,]+,line=\d+,endLine=\d+,col=\d+,title=[\w.-]+::.+", line), line
    assert any(l.startswith("::error file=config/settings.py,line=1,") and "title=github-pat-classic" in l for l in lines)


def test_text_is_grouped_and_plain_when_not_a_tty(corgi, tmp_path):
    out = corgi("scan", write(tmp_path, "s.diff", SECRET_DIFF + CODE_DIFF)).stdout.decode()
    assert "\x1b[" not in out
    assert out.splitlines()[0] == "app/load.py"
    assert "config/settings.py" in out
    assert re.search(r"^\s+2:7\s+HIGH\s+python-yaml-unsafe-load", out, re.M)


def test_text_is_coloured_on_a_tty(corgi, tmp_path):
    diff = write(tmp_path, "s.diff", SECRET_DIFF)
    pid, fd = pty.fork()
    if pid == 0:
        os.execv(corgi.binary, [corgi.binary, "scan", str(diff)])
    output = b""
    while True:
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        output += chunk
    os.waitpid(pid, 0)
    assert b"\x1b[" in output


def test_output_file(corgi, tmp_path):
    target = tmp_path / "report.sarif"
    result = corgi("scan", "--format", "sarif", "--output", target, write(tmp_path, "s.diff", SECRET_DIFF))
    assert result.returncode == 1
    assert result.stdout == b""
    assert json.loads(target.read_text())["version"] == "2.1.0"


# Suppressions and configuration -----------------------------------------------------------------

def test_baseline_from_a_previous_report(corgi, tmp_path):
    diff = write(tmp_path, "s.diff", SECRET_DIFF)
    first = corgi("scan", "--format", "json", "--output", tmp_path / "baseline.json", diff)
    assert first.returncode == 1
    again = corgi("scan", "--baseline", tmp_path / "baseline.json", "--format", "json", diff)
    assert again.returncode == 0, again.stdout
    assert json.loads(again.stdout)["stats"]["suppressed_baseline"] == 2
    # The same secrets on other lines of a later commit stay accepted.
    moved = write(tmp_path, "moved.diff", new_file("config/settings.py", ["# header", "", f'TOKEN = "{GITHUB_TOKEN}"', f"STRIPE = '{STRIPE_KEY}'"]))
    assert corgi("scan", "--baseline", tmp_path / "baseline.json", moved).returncode == 0


def test_inline_ignore(corgi, tmp_path):
    diff = new_file("a.py", [f'T = "{GITHUB_TOKEN}"  # corgi:ignore[github-pat-classic]', "# corgi:ignore", f'S = "{STRIPE_KEY}"'])
    result = corgi("scan", "--format", "json", write(tmp_path, "i.diff", diff))
    assert result.returncode == 0
    assert json.loads(result.stdout)["stats"]["suppressed_inline"] == 2


def test_configuration(corgi, tmp_path):
    config = write(
        tmp_path,
        "corgi.yml",
        """
disable: [stripe-live-secret-key]
ignore_paths: ["vendor/**"]
severity: {python-yaml-unsafe-load: low}
rules:
  - id: internal-ticket-token
    title: Internal ticket token
    kind: secret
    severity: critical
    cwe: CWE-798
    message: An internal ticket token is committed.
    keywords: [tkt_]
    regex: '\\b(tkt_[a-z0-9]{12})\\b'
""",
    )
    diff = SECRET_DIFF + CODE_DIFF + new_file("vendor/x.py", [f'T = "{GITHUB_TOKEN}"']) + new_file("t.txt", ["x tkt_q7w2m9x4k1z8"])
    result = corgi("scan", "--config", config, "--format", "json", write(tmp_path, "d.diff", diff))
    findings = json.loads(result.stdout)["findings"]
    ids = {f["rule_id"] for f in findings}
    assert "stripe-live-secret-key" not in ids
    assert "internal-ticket-token" in ids
    assert not any(f["path"].startswith("vendor/") for f in findings)
    assert {f["severity"] for f in findings if f["rule_id"] == "python-yaml-unsafe-load"} == {"low"}


def test_bad_rule_in_configuration_is_a_clear_error(corgi, tmp_path):
    config = write(tmp_path, "bad.yml", "rules:\n  - id: broken\n    title: t\n    kind: secret\n    severity: high\n    regex: '(oops'\n")
    result = corgi("scan", "--config", config, write(tmp_path, "c.diff", CLEAN_DIFF))
    assert result.returncode == 2
    assert "rule 'broken': regex does not compile" in result.stderr.decode()


def test_rules_test_command_runs_every_case(corgi):
    result = corgi("rules", "test")
    assert result.returncode == 0, result.stdout.decode()[-2000:]
    assert re.search(rb"^\d+ passed, 0 failed$", result.stdout, re.M)


def test_sample_diff_from_readme(corgi):
    result = corgi("scan", ROOT / "samples" / "pull-request.diff", "--format", "json")
    assert result.returncode == 1
    ids = {f["rule_id"] for f in json.loads(result.stdout)["findings"]}
    assert {"stripe-live-secret-key", "python-subprocess-shell-true", "gha-script-injection"} <= ids


def test_gitleaks_configuration(corgi, tmp_path):
    config = write(
        tmp_path,
        "gitleaks.toml",
        """
[extend]
useDefault = true

[[rules]]
id = "acme-api-key"
description = "ACME API key"
regex = '''(?i)acme[_-]?key\\s*[:=]\\s*["']?(acm_[a-z0-9]{24})'''
secretGroup = 1
keywords = ["acme"]

[rules.allowlist]
stopwords = ["sandbox"]
""",
    )
    diff = new_file("app.py", ["ACME_KEY = 'acm_q8wm3zr6tk1yv4np7lc2hx9b'", "acme_key = 'acm_sandboxq8wm3zr6tk1yv4n'"]) + SECRET_DIFF
    result = corgi("scan", "--config", config, "--format", "json", write(tmp_path, "g.diff", diff))
    findings = json.loads(result.stdout)["findings"]
    assert [(f["path"], f["line"]) for f in findings if f["rule_id"] == "acme-api-key"] == [("app.py", 1)]
    assert any(f["rule_id"] == "github-pat-classic" for f in findings)  # useDefault keeps built-ins
    broken = write(tmp_path, "broken.toml", "[[rules]]\nid = 'x'\nregex = \"\\d\"\n")
    bad = corgi("scan", "--config", broken, write(tmp_path, "c.diff", CLEAN_DIFF))
    assert bad.returncode == 2
    assert "TOML line 3" in bad.stderr.decode()


def test_version_names_the_release_and_the_commit_it_was_built_from(corgi):
    result = corgi("--version")
    match = re.fullmatch(r"(\d+\.\d+\.\d+) \(commit ([0-9a-f]{40}|unknown)\)\n", result.stdout.decode())
    assert result.returncode == 0 and match, result.stdout
    head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True, text=True)
    if head.returncode == 0:
        assert match.group(2) == head.stdout.strip(), "built from another commit than the checkout's HEAD: rebuild"
