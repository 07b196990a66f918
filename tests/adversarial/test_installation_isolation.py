"""Promise 2: one installation's findings never reach another.

Pull requests, and everything under them (scans, findings, the summary comment's id), are keyed by
forge, installation and the forge's immutable repository id — never by the repository's name,
which changes on a rename or transfer and can be registered again by someone else."""
import json

from adversarial import GITHUB_TOKEN, CorgiService, github_repository_id, new_file, pr_event

SECRET_PATH = "internal/payroll/prod-keys.py"
FIRST, SECOND = "a" * 40, "c" * 40


def completed(github, head):
    return [r for r in github.check_runs.values() if r["head_sha"] == head and r.get("status") == "completed"]


def review(service, github, *, action, full_name, installation, head, number=1):
    status, answer = service.deliver("pull_request", pr_event(
        action, full_name=full_name, repository_id=github_repository_id(github, full_name), installation=installation,
        number=number, head=head))
    assert (status, answer["status"]) == (202, "queued"), answer
    github.wait_for(lambda d: completed(d, head))
    service.wait_idle()


def first_review(service, github, full_name="octo/payroll"):
    """Installation 1 reviews octo/payroll #1, which leaks a token: one summary comment."""
    review(service, github, action="opened", full_name=full_name, installation=1, head=FIRST)
    (summary_id, summary), = github.issue_comments.items()
    assert SECRET_PATH in summary["body"]
    return summary_id, summary["body"]


def setup_first(github):
    github.add_installation(1, "octo", repos=["octo/payroll"])
    github.set_pull("octo/payroll", 1, FIRST, "main", new_file(SECRET_PATH, [f'KEY = "{GITHUB_TOKEN}"']))


def test_a_name_registered_again_by_another_account_reaches_nothing_of_the_first(github, tmp_path):
    setup_first(github)
    with CorgiService(tmp_path, github) as service:
        summary_id, summary = first_review(service, github)
        first_id = github_repository_id(github, "octo/payroll")

        # The account goes, someone registers the same names and installs the App.
        github.delete_repo("octo/payroll")
        github.remove_installation(1)
        github.add_installation(2, "octo", repos=["octo/payroll"])
        assert github_repository_id(github, "octo/payroll") != first_id
        github.set_pull("octo/payroll", 1, SECOND, "main", new_file("README.md", ["hello"]))
        review(service, github, action="opened", full_name="octo/payroll", installation=2, head=SECOND)

    assert github.issue_comments[summary_id]["history"] == [summary]  # never edited again
    assert not github.calls("PATCH", rf"/issues/comments/{summary_id}$")
    sent_by_second = [r for r in github.requests if r.installation_id == 2 and r.body is not None]
    assert sent_by_second
    for request in sent_by_second:
        assert SECRET_PATH not in json.dumps(request.body), str(request)


def test_a_transferred_repository_starts_afresh_in_its_new_installation(github, tmp_path):
    setup_first(github)
    with CorgiService(tmp_path, github) as service:
        first_review(service, github)
        github.rename_repo("octo/payroll", "newco/payroll")  # a transfer keeps the id
        github.add_installation(1, "octo", repos=[])
        github.add_installation(2, "newco", repos=["newco/payroll"])
        github.set_pull("newco/payroll", 1, SECOND, "main", new_file("README.md", ["hello"]))
        review(service, github, action="synchronize", full_name="newco/payroll", installation=2, head=SECOND)

    for request in github.requests:
        if request.installation_id == 2 and request.body is not None:
            assert SECRET_PATH not in json.dumps(request.body), str(request)


def test_a_renamed_repository_keeps_its_pull_request_and_summary(github, tmp_path):
    setup_first(github)
    with CorgiService(tmp_path, github) as service:
        summary_id, _ = first_review(service, github)
        github.rename_repo("octo/payroll", "octo/salaries")
        github.set_pull("octo/salaries", 1, SECOND, "main", new_file(SECRET_PATH, ["KEY = None"]))
        review(service, github, action="synchronize", full_name="octo/salaries", installation=1, head=SECOND)

    assert list(github.issue_comments) == [summary_id]
    assert github.calls("PATCH", rf"^/repos/octo/salaries/issues/comments/{summary_id}$")
    body = github.issue_comments[summary_id]["body"]
    assert "Fixed since the last review (1)" in body and "prod-keys.py" in body


def test_an_upgraded_database_never_matches_its_name_keyed_pull_requests_again(github, tmp_path):
    """A database from before the fix holds octo/payroll #1, keyed by name only, with a finding and
    the id of its summary comment. After the upgrade, another installation's octo/payroll #1 must
    not reach either; the old rows are kept, with no ids."""
    import sqlite3
    import pathlib

    schema = (pathlib.Path(__file__).parent / "fixtures" / "sqlite-schema-v4.sql").read_text()
    github.add_installation(2, "octo", repos=["octo/payroll"])
    github.set_pull("octo/payroll", 1, SECOND, "main", new_file("README.md", ["hello"]))
    service = CorgiService(tmp_path, github)
    db = sqlite3.connect(service.database)
    db.executescript(schema)
    db.execute("INSERT INTO pull_requests (forge, organisation, repository, number, head_sha, summary_comment_id, updated_at) "
               "VALUES ('github', 'octo', 'octo/payroll', 1, ?, 1700000999, '2026-01-01T00:00:00Z')", (FIRST,))
    db.execute("INSERT INTO jobs (id, dedupe_key, payload, state, available_at, created_at) "
               "VALUES (1, 'github:old-delivery', '{}', 'done', 0, '2026-01-01T00:00:00Z')")
    db.execute("INSERT INTO scans (job_id, pull_request_id, organisation, head_sha, status, started_at) "
               "VALUES (1, 1, 'octo', ?, 'published', '2026-01-01T00:00:00Z')", (FIRST,))
    db.execute("INSERT INTO findings (pull_request_id, organisation, fingerprint, rule_id, kind, severity, path, line, column_number, "
               "end_line, message, status, first_scan_id, last_scan_id) VALUES (1, 'octo', 'f' , 'github-pat-classic', 'secret', "
               f"'critical', '{SECRET_PATH}', 1, 1, 1, 'a token', 'open', 1, 1)")
    db.commit()
    db.close()
    with service:
        review(service, github, action="opened", full_name="octo/payroll", installation=2, head=SECOND)
    assert not github.calls("PATCH", r"/issues/comments/1700000999$")
    for request in github.requests:
        if request.body is not None:
            assert SECRET_PATH not in json.dumps(request.body), str(request)
    db = sqlite3.connect(service.database)
    rows = db.execute("SELECT installation_id, repository_id, summary_comment_id FROM pull_requests ORDER BY id").fetchall()
    db.close()
    assert rows[0] == (None, None, 1700000999) and len(rows) == 2 and rows[1][0] == 2
