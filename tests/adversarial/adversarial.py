"""Helpers of the adversarial suite (docs/security.md): imported by the tests as `adversarial`, a
name no other suite uses (tests/service has its own conftest). Reuses the service suite's helpers
(the GitHub double, `CorgiService`) and runs the command line as a user does."""
import json
import os
import pathlib
import subprocess
import sys

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parents[1]
if str(ROOT / "tests" / "service") not in sys.path:
    sys.path.insert(0, str(ROOT / "tests" / "service"))

from corgi_service import CorgiService, corgi_binary  # noqa: E402,F401
from github_double import GitHubDouble  # noqa: E402,F401


# Seconds a command may run. Lower it to run the suite against a build that lacks a refusal (a
# `corgi serve` that should exit at once then runs until this ends): CORGI_TEST_COMMAND_TIMEOUT.
COMMAND_TIMEOUT = float(os.environ.get("CORGI_TEST_COMMAND_TIMEOUT", "300"))


def run_corgi(*args, input: bytes | None = None, cwd=None, env: dict | None = None) -> subprocess.CompletedProcess:
    """`corgi ARGS` as a user runs it, without the CORGI_* variables of the calling shell."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("CORGI_") and k != "NO_COLOR"}
    environment.update(env or {})
    return subprocess.run([corgi_binary(), *map(str, args)], input=input,
                          stdin=None if input is not None else subprocess.DEVNULL,
                          capture_output=True, cwd=cwd, env=environment, timeout=COMMAND_TIMEOUT)


def new_file(path: str, lines: list[str]) -> str:
    """A diff adding `path` with `lines` (the path is written as given: hostile names included)."""
    body = "".join(f"+{line}\n" for line in lines)
    return (f"diff --git a/{path} b/{path}\nnew file mode 100644\n--- /dev/null\n+++ b/{path}\n"
            f"@@ -0,0 +1,{len(lines)} @@\n{body}")


def repository(full_name: str, repository_id: int) -> dict:
    owner, name = full_name.split("/", 1)
    return {"id": repository_id, "node_id": f"R_{repository_id}", "name": name, "full_name": full_name, "private": True,
            "owner": {"login": owner, "id": 1000 + repository_id, "type": "Organization"}}


def pr_event(action: str, *, full_name: str, repository_id: int, installation: int, number: int, head: str,
             base: str = "b" * 40) -> bytes:
    """A `pull_request` webhook body with what GitHub sends and the service reads."""
    return json.dumps({
        "action": action, "number": number,
        "pull_request": {"number": number, "state": "open", "merged": False,
                         "head": {"sha": head, "ref": f"feature-{number}"}, "base": {"sha": base, "ref": "main"}},
        "repository": repository(full_name, repository_id),
        "installation": {"id": installation, "node_id": f"I_{installation}"},
        "sender": {"login": "octocat", "id": 1},
    }).encode()


def github_repository_id(github: GitHubDouble, full_name: str) -> int:
    """The immutable id the double gave `full_name` (what GitHub's webhooks carry as repository.id)."""
    return github._repo(full_name).id  # noqa: SLF001 - the double's own bookkeeping is the ground truth


# Synthetic, checksum-valid credentials made up for tests.
GITHUB_TOKEN = "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"
STRIPE_KEY = "sk_live_51Hq8KjL2mN4pQ6rS8tU0vW2xY4zA6bC8dE0fG2h"
