"""A pull request diff with a malformed part: the review keeps every finding elsewhere, and the
check run and the summary say exactly which lines of the diff were not scanned and why."""
import pytest

from corgi_service import CorgiService
from test_serve_e2e import GITHUB_TOKEN, INSTALLATION, NUMBER, REPO, SHA1, completed_runs, new_file, pr_event

# Lines 1-6 of the diff: a file with a valid token. Lines 7-12: a hunk that says one line and
# carries two, so line 12 is malformed. Then a clean file.
WITH_TOKEN = new_file("app/settings.py", [f'TOKEN = "{GITHUB_TOKEN}"'])
MALFORMED = "diff --git a/app/broken.py b/app/broken.py\n--- a/app/broken.py\n+++ b/app/broken.py\n@@ -0,0 +1 @@\n+a = 1\n+b = 2\n"
CLEAN = new_file("app/ok.py", ["def add(a, b):", "    return a + b"])


@pytest.fixture
def service(github, tmp_path):
    github.add_installation(INSTALLATION, "Codertocat", repos=[REPO])
    with CorgiService(tmp_path, github, extra_settings="") as running:
        yield running


def summary_body(github):
    return next(iter(github.issue_comments.values()))["body"]


def test_a_malformed_region_keeps_the_findings_around_it(service, github):
    github.set_pull(REPO, NUMBER, SHA1, "master", WITH_TOKEN + MALFORMED + CLEAN)
    service.deliver("pull_request", pr_event("opened", SHA1))
    run = github.wait_for(lambda d: completed_runs(d, SHA1))[0]
    # The token in the first file is published: the broken hunk after it costs nothing.
    assert run["conclusion"] == "failure"
    assert [a["path"] for a in run["annotations"]] == ["app/settings.py"]
    for text in (run["output"]["summary"], summary_body(github)):
        assert "not scanned (1 part(s) of the diff)" in text
        assert "malformed diff at line 12 of the diff in `app/broken.py`" in text
        assert "beyond the line counts" in text
        assert "b = 2" not in text  # named by line, never quoted


def test_a_diff_not_wholly_scanned_is_not_a_pass(service, github):
    github.set_pull(REPO, NUMBER, SHA1, "master", CLEAN + MALFORMED)
    service.deliver("pull_request", pr_event("opened", SHA1))
    run = github.wait_for(lambda d: completed_runs(d, SHA1))[0]
    assert run["conclusion"] == "neutral"
    assert "malformed diff at line 13 of the diff in `app/broken.py`" in run["output"]["summary"]
