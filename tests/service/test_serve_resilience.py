"""corgi serve: TLS, large reviews (annotation batches, inline comment cap) and a crash mid-publish."""
import json
import os
import signal
import ssl
import subprocess
import urllib.request

import pytest

from corgi_service import CorgiService
from test_serve_e2e import INSTALLATION, NUMBER, REPO, SHA1, completed_runs, new_file, pr_event


def many_findings(n: int) -> str:
    return new_file("app/queries.py", [f'cursor.execute(f"SELECT * FROM t{i} WHERE id = {{uid}}")' for i in range(n)])


def test_tls_when_a_certificate_is_configured(github, tmp_path):
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
                    "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True)
    service = CorgiService(tmp_path / "svc", github,
                           extra_settings=f"")
    service.settings.write_text(service.settings.read_text().replace(
        "server:\n", f"server:\n  tls:\n    certificate: {cert}\n    key: {key}\n"))
    with service:
        context = ssl.create_default_context(cafile=str(cert))
        with urllib.request.urlopen(f"https://127.0.0.1:{service.port}/healthz", context=context, timeout=10) as response:
            assert response.status == 200
        with pytest.raises(Exception):
            urllib.request.urlopen(f"http://127.0.0.1:{service.port}/healthz", timeout=5).read()


def test_annotations_in_batches_of_50_and_at_most_30_inline_comments(github, tmp_path):
    github.add_installation(INSTALLATION, "Codertocat", repos=[REPO])
    github.set_pull(REPO, NUMBER, SHA1, "master", many_findings(60))
    with CorgiService(tmp_path, github) as service:
        service.deliver("pull_request", pr_event("opened", SHA1))
        run = github.wait_for(lambda d: completed_runs(d, SHA1))[0]
        assert len(run["annotations"]) == 60
        patches = github.calls("PATCH", r"/check-runs/\d+$")
        assert [len(p.body["output"].get("annotations") or []) for p in patches] == [50, 10]
        assert "conclusion" not in patches[0].body and patches[1].body["conclusion"] == "failure"
        assert len(github.review_comments) == 30
        summary = next(iter(github.issue_comments.values()))["body"]
        assert "30 new finding(s) beyond the 30 inline comments" in summary


def test_a_crash_between_publishing_steps_duplicates_nothing(github, tmp_path):
    github.add_installation(INSTALLATION, "Codertocat", repos=[REPO])
    github.set_pull(REPO, NUMBER, SHA1, "master", many_findings(3))
    service = CorgiService(tmp_path, github)
    service.settings.write_text(service.settings.read_text().replace("lease_seconds: 30", "lease_seconds: 5"))
    # The summary comment is created on GitHub's side, but the service dies before it hears back.
    github.fail_next("POST", r"/issues/\d+/comments$", None, delay=2.0)
    service.start()
    service.deliver("pull_request", pr_event("opened", SHA1))
    github.wait_for(lambda d: d.calls("POST", r"/issues/\d+/comments$"))
    os.kill(service.process.pid, signal.SIGKILL)
    service.process.wait()
    github.wait_for(lambda d: len(d.issue_comments) == 1)  # the double finished creating it
    assert not completed_runs(github, SHA1)

    # A new process on the same database picks the job up once its lease expires and resumes.
    restarted = CorgiService.__new__(CorgiService)
    restarted.__dict__.update(service.__dict__)
    restarted.process = None
    restarted.log_lines = []
    restarted.start()
    try:
        github.wait_for(lambda d: completed_runs(d, SHA1), timeout=60)
        restarted.wait_idle()
        assert len(github.check_runs) == 1
        assert len(github.reviews) == 1
        assert len(github.review_comments) == 3
        assert len(github.issue_comments) == 1  # found by its marker and updated, not posted again
    finally:
        assert restarted.stop() == 0
