"""Promise 6: nothing published confirms a guess of a secret.

Fingerprints were an unsalted SHA-256 over rule, path and secret, published in JSON, SARIF and
every PR comment: with rule and path public, a weak secret could be recovered offline by hashing
guesses. They are now keyed: per deployment in the service (the `fingerprint-key` secret), and in
the CLI from --fingerprint-key / `fingerprint_key_file`, else the repository's root commit, else a
per-user key. Baselines keep working wherever the key is the same, and old (unkeyed) baselines
still match."""
import base64
import hashlib
import hmac
import json
import re
import os
import subprocess

from adversarial import CorgiService, github_repository_id, new_file, pr_event, run_corgi

RULE = "generic-password-assignment"
WEAK = "Winter2024!"


def unkeyed(rule: str, path: str, secret: str) -> str:
    """The old published fingerprint: what an attacker can compute for each guess."""
    return hashlib.sha256(f"corgi/v1\0{rule}\0{path}\0".encode() + secret.encode()).hexdigest()[:32]


def scan_json(diff, tmp_path, *args, cwd=None, home=None):
    result = run_corgi("scan", diff, "--format", "json", *args, cwd=cwd, env={"HOME": str(home or tmp_path / "home")})
    assert result.returncode in (0, 1), result.stderr
    return json.loads(result.stdout)


def secret_findings(report):
    return [f for f in report["findings"] if f["kind"] == "secret"]


def write_diff(tmp_path, path="config/app.env", secret="sk_live_51Hq8KjL2mN4pQ6rS8tU0vW2xY4zA6bC8dE0fG2h"):
    diff = tmp_path / "x.diff"
    diff.write_text(new_file(path, [f"STRIPE_KEY={secret}"]))
    return diff


def test_a_published_fingerprint_matches_no_offline_guess(tmp_path):
    secret = "sk_live_51Hq8KjL2mN4pQ6rS8tU0vW2xY4zA6bC8dE0fG2h"
    diff = write_diff(tmp_path, secret=secret)
    for fmt in ("json", "sarif"):
        out = run_corgi("scan", diff, "--format", fmt, env={"HOME": str(tmp_path)}).stdout.decode()
        fingerprints = set(re.findall(r"[0-9a-f]{32}", out))
        assert fingerprints
        finding = secret_findings(scan_json(diff, tmp_path, home=tmp_path))[0]
        # The attacker knows the rule and the path, and guesses right: still no match.
        assert unkeyed(finding["rule_id"], "config/app.env", secret) not in fingerprints


def test_the_same_key_gives_the_same_fingerprints_and_baselines_keep_working(tmp_path):
    diff = write_diff(tmp_path)
    key = tmp_path / "fingerprint.key"
    key.write_text(base64.b64encode(b"k" * 16 + bytes(range(16))).decode())
    first = scan_json(diff, tmp_path, "--fingerprint-key", key, home=tmp_path / "a")
    second = scan_json(diff, tmp_path, "--fingerprint-key", key, home=tmp_path / "b")  # another user, same key
    assert [f["fingerprint"] for f in first["findings"]] == [f["fingerprint"] for f in second["findings"]]
    baseline = tmp_path / "baseline.json"
    baseline.write_text(json.dumps(first))
    accepted = run_corgi("scan", diff, "--fingerprint-key", key, "--baseline", baseline, env={"HOME": str(tmp_path / "c")})
    assert accepted.returncode == 0, accepted.stdout
    # Another key: other fingerprints, and the baseline no longer applies.
    other = tmp_path / "other.key"
    other.write_text("another key of at least sixteen bytes")
    third = scan_json(diff, tmp_path, "--fingerprint-key", other)
    assert {f["fingerprint"] for f in third["findings"]}.isdisjoint(f["fingerprint"] for f in first["findings"])
    # The key can come from the configuration file, relative to it.
    config = tmp_path / "corgi.yml"
    config.write_text("fingerprint_key_file: fingerprint.key\n")
    assert scan_json(diff, tmp_path, "--config", config, home=tmp_path / "d")["findings"] == first["findings"]


def test_a_short_key_is_refused_with_the_reason(tmp_path):
    key = tmp_path / "short.key"
    key.write_text("hunter2")
    result = run_corgi("scan", write_diff(tmp_path), "--fingerprint-key", key, env={"HOME": str(tmp_path)})
    assert result.returncode == 2
    assert b"at least 16" in result.stderr and b"hunter2" not in result.stderr


def test_a_baseline_of_unkeyed_fingerprints_still_applies(tmp_path):
    secret = "sk_live_51Hq8KjL2mN4pQ6rS8tU0vW2xY4zA6bC8dE0fG2h"
    diff = write_diff(tmp_path, secret=secret)
    before = scan_json(diff, tmp_path)["findings"]
    rule = next(f["rule_id"] for f in before if f["rule_id"] == "stripe-live-secret-key")
    legacy = tmp_path / "legacy.txt"
    legacy.write_text(unkeyed(rule, "config/app.env", secret) + "\n")
    after = scan_json(diff, tmp_path, "--baseline", legacy)["findings"]
    assert [f["rule_id"] for f in after] == [f["rule_id"] for f in before if f["rule_id"] != rule]


def git(cwd, *args):
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True,
                   env={"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
                        "GIT_COMMITTER_EMAIL": "t@example.com", "HOME": str(cwd), "PATH": "/usr/bin:/bin"})


def test_in_a_repository_every_clone_and_user_gets_the_same_fingerprints(tmp_path):
    origin = tmp_path / "origin"
    origin.mkdir()
    git(origin, "init", "-q")
    (origin / "README").write_text("hello\n")
    git(origin, "add", "README")
    git(origin, "commit", "-q", "-m", "root")
    diff = write_diff(tmp_path)
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(origin), str(clone))
    in_origin = scan_json(diff, tmp_path, cwd=origin, home=tmp_path / "alice")
    in_clone = scan_json(diff, tmp_path, cwd=clone, home=tmp_path / "bob")
    outside = scan_json(diff, tmp_path, cwd=tmp_path, home=tmp_path / "carol")
    assert in_origin["findings"] == in_clone["findings"]
    assert {f["fingerprint"] for f in outside["findings"]}.isdisjoint(f["fingerprint"] for f in in_origin["findings"])


def test_the_service_publishes_fingerprints_keyed_by_the_deployment(github, tmp_path):
    secret = "sk_live_51Hq8KjL2mN4pQ6rS8tU0vW2xY4zA6bC8dE0fG2h"
    head = "9" * 40
    github.add_installation(1, "octo", repos=["octo/api"])
    github.set_pull("octo/api", 2, head, "main", new_file("config/app.env", [f"STRIPE_KEY={secret}"]))
    with CorgiService(tmp_path, github) as service:
        key = (service.secrets_dir / "fingerprint-key").read_text().strip().encode()
        status, _ = service.deliver("pull_request", pr_event(
            "opened", full_name="octo/api", repository_id=github_repository_id(github, "octo/api"), installation=1, number=2,
            head=head))
        assert status == 202
        github.wait_for(lambda d: any(r.get("status") == "completed" for r in d.check_runs.values()))
        service.wait_idle()
    comment, = github.review_comments.values()
    published = re.search(r"corgi:finding=([0-9a-f]{32})", comment["body"]).group(1)
    rule = re.search(r"`([a-z0-9-]+)`", comment["body"]).group(1)
    plain = unkeyed(rule, "config/app.env", secret)
    assert published != plain
    # It is the HMAC of the plain digest under the deployment's key: without the key, no guess is confirmed.
    assert published == hmac.new(key, b"corgi/v2\0" + plain.encode(), hashlib.sha256).hexdigest()[:32]


def test_the_service_refuses_to_start_without_its_fingerprint_key(github, tmp_path):
    service = CorgiService(tmp_path, github)
    (service.secrets_dir / "fingerprint-key").unlink()
    # A clean environment, as every service test starts it: the suite's own CORGI_* variables
    # (the test database password) would be refused first.
    environment = {k: v for k, v in os.environ.items() if not k.startswith("CORGI_")}
    result = subprocess.run([*__import__("corgi_service").corgi_binary().split(), "serve", "--config", str(service.settings)],
                            capture_output=True, timeout=60, env=environment)
    assert result.returncode == 2 and b"fingerprint-key" in result.stderr
