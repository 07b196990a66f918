"""The labelled evaluation set: per-language precision and recall may not drop below the
figures recorded in eval/RESULTS.md (rerun scripts/evaluate.py --markdown eval/RESULTS.md to
record an improvement)."""
import subprocess
import sys

from conftest import ROOT


def test_precision_and_recall_do_not_regress(corgi):
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "evaluate.py"), "--corgi", corgi.binary, "--check", str(ROOT / "eval" / "RESULTS.md")],
        capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "TOTAL" in result.stdout
