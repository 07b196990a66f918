"""Fixtures for the service's end-to-end tests. Independent of tests/cli on purpose."""
import pathlib
import sys

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

from double_testing import checked  # noqa: E402
from github_double import GitHubDouble  # noqa: E402


@pytest.fixture
def github():
    """A running GitHub API double. The test fails at teardown if anything sent to it broke GitHub's
    documented API (invalid bodies, review comments outside the diff, ...) or if the double's own
    responses drifted from the documented schemas. Tests that provoke violations on purpose call
    `github.take_violations()`."""
    double = GitHubDouble(app_id=12345).start()
    yield from checked(double, "the GitHub double recorded violations of the documented API")


@pytest.fixture(scope="module")
def github_double():
    """One GitHub double for a whole module (the API and sign-in modules start one service each)."""
    yield from checked(GitHubDouble(app_id=12345).start(), "the GitHub double recorded violations of the documented API")
