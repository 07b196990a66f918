"""Black-box tests of the `corgi` executable: what a user or a CI job sees."""
import os
import pathlib
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
# Third-party fixtures beside the repository (as the project's CI lays it out), or where
# CORGI_SHARED_DIR says. Only extra conformance checks use them: without them those checks are
# reported as skipped and everything else still runs (see `shared_fixture`).
SHARED = pathlib.Path(os.environ.get("CORGI_SHARED_DIR") or ROOT.parent / "shared")


def shared_fixture(relative: str) -> pathlib.Path:
    """A file of ../shared/fixtures for a conformance check; skips the check, naming it, when absent."""
    path = SHARED / "fixtures" / relative
    if not path.exists():
        pytest.skip(f"conformance check skipped: {path} is absent (a clone of this repository alone)")
    return path


def corgi_path() -> str:
    path = os.environ.get("CORGI_BIN") or str(ROOT / ".build" / "debug" / "corgi")
    if not os.path.exists(path):
        pytest.exit(f"corgi binary not found at {path}: build first (scripts/test does)", returncode=2)
    return path


class Corgi:
    def __init__(self, binary: str):
        self.binary = binary

    def __call__(self, *args, input: bytes | None = None, cwd=None, env=None) -> subprocess.CompletedProcess:
        environment = dict(os.environ)
        environment.pop("NO_COLOR", None)
        if env:
            environment.update(env)
        return subprocess.run(
            [self.binary, *map(str, args)],
            input=input,
            stdin=None if input is not None else subprocess.DEVNULL,
            capture_output=True,
            cwd=cwd,
            env=environment,
            timeout=300,
        )


@pytest.fixture(scope="session")
def corgi() -> Corgi:
    return Corgi(corgi_path())


def new_file(path: str, lines: list[str]) -> str:
    body = "".join(f"+{line}\n" for line in lines)
    return (
        f"diff --git a/{path} b/{path}\nnew file mode 100644\n--- /dev/null\n+++ b/{path}\n"
        f"@@ -0,0 +1,{len(lines)} @@\n{body}"
    )


# A checksum-valid, synthetic GitHub token and a live-looking Stripe key, made up for tests.
GITHUB_TOKEN = "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"
STRIPE_KEY = "sk_live_51Hq8KjL2mN4pQ6rS8tU0vW2xY4zA6bC8dE0fG2h"
