"""Promise 3: a signed webhook runs at most one review, whatever its delivery id.

The HMAC covers the body, not the `X-GitHub-Delivery` header: whoever captured one signed delivery
can send it again under any number of fresh ids. The idempotency key therefore comes from signed
content (installation, repository id, pull request, head commit, action)."""
from adversarial import GITHUB_TOKEN, CorgiService, github_repository_id, new_file, pr_event

REPO = "octo/ledger"
HEAD = "1" * 40
NEXT_HEAD = "2" * 40


def test_one_signed_body_replayed_under_twenty_delivery_ids_runs_one_review(github, tmp_path):
    github.add_installation(1, "octo", repos=[REPO])
    github.set_pull(REPO, 5, HEAD, "main", new_file("config/deploy.py", [f'TOKEN = "{GITHUB_TOKEN}"']))
    repository_id = github_repository_id(github, REPO)
    body = pr_event("opened", full_name=REPO, repository_id=repository_id, installation=1, number=5, head=HEAD)
    with CorgiService(tmp_path, github) as service:
        answers = [service.deliver("pull_request", body, delivery=f"captured-{i:02d}") for i in range(20)]
        assert [status for status, _ in answers] == [202] * 20
        assert [answer["status"] for _, answer in answers] == ["queued"] + ["duplicate"] * 19
        github.wait_for(lambda d: any(r.get("status") == "completed" for r in d.check_runs.values()))
        service.wait_idle()
        assert len(github.check_runs) == 1
        assert len(github.reviews) == 1
        assert len(github.issue_comments) == 1
        assert len(github.calls("GET", r"/pulls/5$")) <= 2  # the head check (and no second review's)

        # Different signed content is another review: a push, and a deliberate re-run.
        github.set_pull(REPO, 5, NEXT_HEAD, "main", new_file("config/deploy.py", ["TOKEN = None"]))
        status, answer = service.deliver(
            "pull_request",
            pr_event("synchronize", full_name=REPO, repository_id=repository_id, installation=1, number=5, head=NEXT_HEAD),
            delivery="captured-push")
        assert (status, answer["status"]) == (202, "queued")
        github.wait_for(lambda d: sum(r.get("status") == "completed" for r in d.check_runs.values()) == 2)
        service.wait_idle()
        assert len(github.check_runs) == 2
