"""`corgi scan --ai`: the server's AI review from the command line, against the deterministic model
double of the service tests (which checks every request against the published Messages API
example): the finding lands in the report at the right line, marked as the AI's, without failing
the run by itself; the secret in the same diff never reaches the model; the key comes from a file."""
import importlib.util
import json

import pytest

from conftest import GITHUB_TOKEN, ROOT, new_file

# The service tests' model double, loaded by path: putting tests/service on sys.path would let its
# conftest shadow this one.
_spec = importlib.util.spec_from_file_location("llm_double", ROOT / "tests" / "service" / "llm_double.py")
_llm_double = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_llm_double)
running_double = _llm_double.running_double

DIFF = new_file("app/invoices.py", [
    "@bp.route('/invoices/<int:id>', methods=['DELETE'])",
    "def delete_invoice(id):",
    "    invoice = Invoice.query.get_or_404(id)",
    "    db.session.delete(invoice)",
    "    return '', 204",
]) + new_file("config/settings.py", [f'TOKEN = "{GITHUB_TOKEN}"'])


@pytest.fixture
def model():
    with running_double("sk-ant-cli-" + "k" * 40) as double:
        yield double


def test_scan_with_a_model_reports_its_finding_beside_the_rules(corgi, model, tmp_path):
    key = tmp_path / "ai-key"
    key.write_text(model.api_key + "\n")
    result = corgi("scan", "-", "--format", "json", "--fail-on", "high", "--ai", "anthropic", "--ai-model", "claude-test",
                   "--ai-base-url", model.base_url, "--ai-key-file", key, input=DIFF.encode())
    report = json.loads(result.stdout)
    found = sorted((f["path"], f["line"], f["rule_id"]) for f in report["findings"])
    assert found == [("app/invoices.py", 4, "ai-review"), ("config/settings.py", 1, "github-pat-classic")], found
    assert result.returncode == 1, "the token (a rule's critical finding) fails the run"
    assert b"".join(model.raw_bodies).count(GITHUB_TOKEN.encode()) == 0 and len(model.requests) == 1
    assert b"AI review: 1 finding(s), 1 call(s)" in result.stderr and model.api_key.encode() not in result.stderr

    # Without the token, the AI's finding alone does not fail the run.
    alone = corgi("scan", "-", "--format", "json", "--fail-on", "low", "--ai", "anthropic", "--ai-model", "claude-test",
                  "--ai-base-url", model.base_url, "--ai-key-file", key, input=DIFF.split("diff --git a/config")[0].encode())
    assert alone.returncode == 0 and [f["rule_id"] for f in json.loads(alone.stdout)["findings"]] == ["ai-review"], alone.stderr


@pytest.mark.parametrize("args, message", [
    (["--ai", "anthropic", "--ai-model", "m"], "--ai-key-file"),
    (["--ai", "gemini", "--ai-model", "m"], "anthropic or openai"),
    (["--ai", "openai", "--ai-model", "m"], "--ai-base-url"),
    (["--ai", "openai", "--ai-model", "m", "--ai-base-url", "http://models.example.net/v1"], "https://"),
    (["--ai-model", "m"], "need --ai PROVIDER"),
])
def test_ai_options_are_checked_before_anything_is_sent(corgi, args, message):
    result = corgi("scan", "-", *args, input=DIFF.encode())
    assert result.returncode == 64 or result.returncode == 2, result
    assert message in result.stderr.decode(), result.stderr
