"""The adversarial suite: one test module per promise of the security model (docs/security.md),
each trying to break it the way an attacker would. Helpers live in `adversarial.py` (import them
from there: `conftest` is a name tests/service uses too); nothing here depends on ../shared."""
import pytest

from adversarial import GitHubDouble


@pytest.fixture
def github():
    """A running GitHub API double; fails the test at teardown on any violation of GitHub's API."""
    double = GitHubDouble(app_id=12345)
    double.start()
    try:
        yield double
    finally:
        double.stop()
    if double.violations:
        pytest.fail("the GitHub double recorded violations of the documented API:\n  " + "\n  ".join(double.violations),
                    pytrace=False)
