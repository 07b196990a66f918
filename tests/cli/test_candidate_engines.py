"""`corgi scan` on both candidate engines: Hyperscan (default where built) and the portable keyword
prefilter (CORGI_CANDIDATES=keywords) must print the same findings for the same diff."""
import json
import subprocess

import pytest

from conftest import ROOT
from test_self_scan import repository_as_diff


def history(commits: int) -> bytes:
    return subprocess.run(["git", "log", "-p", "--no-color", f"-{commits}"], cwd=ROOT, capture_output=True, check=True).stdout


def scan_json(corgi, diff: bytes, engine: str, tmp_path) -> dict:
    path = tmp_path / "input.diff"
    path.write_bytes(diff)
    result = corgi("scan", path, "--format", "json", "--fail-on", "never",
                   env={"CORGI_CANDIDATES": engine, "CORGI_CACHE_DIR": str(tmp_path / "cache")})
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize("source", ["history", "tree"])
def test_same_findings_on_both_engines(corgi, tmp_path, source):
    diff = history(150) if source == "history" else repository_as_diff()
    keywords = scan_json(corgi, diff, "keywords", tmp_path)
    hyperscan = scan_json(corgi, diff, "hyperscan", tmp_path)
    assert len(keywords["findings"]) > 20, "the rule packs' own test cases hold many findings"
    assert keywords["findings"] == hyperscan["findings"]


def test_unknown_engine_choice_scans_with_the_default(corgi, tmp_path):
    diff = history(60)
    chosen = scan_json(corgi, diff, "no-such-engine", tmp_path)
    assert chosen["findings"] and chosen["findings"] == scan_json(corgi, diff, "keywords", tmp_path)["findings"]
