"""SIGTERM during a review: the worker stops claiming, finishes the review in hand (every step is
recorded, so finishing beats redoing) and the process exits 0 — nobody waits for a lease to expire."""
import json
import signal

from corgi_service import CorgiService
from test_serve_e2e import FIRST_DIFF, INSTALLATION, NUMBER, REPO, SHA1, completed_runs, pr_event


def test_sigterm_mid_review_finishes_the_review_and_exits(tmp_path, github):
    github.add_installation(INSTALLATION, "Codertocat", repos=[REPO])
    github.set_pull(REPO, NUMBER, SHA1, "master", FIRST_DIFF)
    # Creating the check run answers after 3 s: the review is in flight when SIGTERM arrives.
    github.fail_next("POST", r"/check-runs$", None, delay=3.0)
    service = CorgiService(tmp_path, github).start()
    try:
        status, body = service.deliver("pull_request", pr_event("opened", SHA1), delivery="t-1")
        assert (status, body["status"]) == (202, "queued")
        github.wait_for(lambda d: d.calls("GET", rf"/pulls/{NUMBER}$"))  # the review has begun
        service.process.send_signal(signal.SIGTERM)
        assert service.process.wait(timeout=60) == 0
    finally:
        service.stop()
    run = completed_runs(github, SHA1)
    assert len(run) == 1 and run[0]["conclusion"] == "failure"
    assert len(github.issue_comments) == 1
    entries = [json.loads(line) for line in service.log_lines if line.startswith("{")]
    assert any(e.get("msg") == "review published" for e in entries)
    assert any(e.get("msg") == "worker stopped" for e in entries)
    assert not any(e.get("msg") == "job handed back" for e in entries)
