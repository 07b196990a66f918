"""Promise 8: names from payloads never steer a request.

A signed webhook says which repository; it must not choose the endpoint. Owner and repository
names are checked against GitHub's rules before use (400, nothing stored or sent), every path
segment is percent-encoded, and the longest valid names (39 + 100 characters) still work."""
import json

import pytest

from adversarial import GITHUB_TOKEN, CorgiService, github_repository_id, new_file, pr_event

HEAD = "d" * 40


@pytest.mark.parametrize("full_name", [
    "octo/../../app/installations/2/access_tokens",
    "octo/widgets?per_page=100",
    "octo/widgets#fragment",
    "octo/wid%2Fgets",
    "octo/widgets/pulls",
    "../octo/widgets",
])
def test_a_signed_hostile_repository_name_is_refused_and_never_sent(github, tmp_path, full_name):
    github.add_installation(1, "octo", repos=["octo/widgets"])
    github.set_pull("octo/widgets", 1, HEAD, "main", new_file("a.py", ["x = 1"]))
    with CorgiService(tmp_path, github) as service:
        status, answer = service.deliver("pull_request", pr_event(
            "opened", full_name=full_name, repository_id=77, installation=1, number=1, head=HEAD))
        assert status == 400, answer
        assert "repository.full_name" in answer["error"] and "access_tokens" not in answer["error"]
        assert service.ready()["queued"] == "0"
        # A hostile check_run re-request is refused the same way.
        rerun = json.loads(pr_event("opened", full_name=full_name, repository_id=77, installation=1, number=1, head=HEAD))
        body = json.dumps({"action": "rerequested", "repository": rerun["repository"], "installation": rerun["installation"],
                           "check_run": {"id": 5, "head_sha": HEAD, "external_id": "", "pull_requests": []}}).encode()
        status, _ = service.deliver("check_run", body)
        assert status == 400
    assert github.requests == []  # not even a token was minted


def test_a_hostile_head_sha_is_refused(github, tmp_path):
    github.add_installation(1, "octo", repos=["octo/widgets"])
    with CorgiService(tmp_path, github) as service:
        status, answer = service.deliver("pull_request", pr_event(
            "opened", full_name="octo/widgets", repository_id=77, installation=1, number=1, head="../../../etc/passwd"))
        assert status == 400 and "pull_request.head.sha" in answer["error"]
    assert github.requests == []


def test_the_longest_valid_names_are_reviewed_end_to_end(github, tmp_path):
    owner = "o" * 38 + "1"  # 39 characters: GitHub's longest login
    name = "r." + "x" * 97 + "_"  # 100 characters: GitHub's longest repository name
    full_name = f"{owner}/{name}"
    github.add_installation(1, owner, repos=[full_name])
    github.set_pull(full_name, 3, HEAD, "main", new_file("settings.py", [f'TOKEN = "{GITHUB_TOKEN}"']))
    with CorgiService(tmp_path, github) as service:
        status, answer = service.deliver("pull_request", pr_event(
            "opened", full_name=full_name, repository_id=github_repository_id(github, full_name), installation=1, number=3, head=HEAD))
        assert (status, answer["status"]) == (202, "queued")
        github.wait_for(lambda d: any(r.get("status") == "completed" for r in d.check_runs.values()))
        service.wait_idle()
    run, = github.check_runs.values()
    assert run["conclusion"] == "failure"
    assert len(github.issue_comments) == 1 and len(github.reviews) == 1
    assert all(r.path.startswith(f"/repos/{owner}/{name}/") or r.path.startswith("/app/") for r in github.requests)
