"""The repository scanned as a diff: no finding outside the deliberate fixtures."""
import fnmatch
import json
import subprocess

import yaml

from conftest import ROOT


def repository_as_diff() -> bytes:
    files = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                           capture_output=True, check=True).stdout.split(b"\0")
    out = bytearray()
    count = 0
    for name in filter(None, files):
        path = ROOT / name.decode()
        if not path.is_file():
            continue
        data = path.read_bytes()
        if b"\0" in data:
            continue
        lines = data.split(b"\n")
        if lines and lines[-1] == b"":
            lines.pop()
        if not lines:
            continue
        p = name.decode()
        out += f"diff --git a/{p} b/{p}\nnew file mode 100644\n--- /dev/null\n+++ b/{p}\n@@ -0,0 +1,{len(lines)} @@\n".encode()
        for line in lines:
            out += b"+" + line + b"\n"
        count += 1
    assert count > 50, "the repository should have been read"
    return bytes(out)


def fixture_globs() -> list[str]:
    return yaml.safe_load((ROOT / ".corgi.yml").read_text())["ignore_paths"]


def test_no_findings_outside_deliberate_fixtures(corgi, tmp_path):
    diff = tmp_path / "repo.diff"
    diff.write_bytes(repository_as_diff())
    result = corgi("scan", "--format", "json", "--fail-on", "never", diff)
    assert result.returncode == 0, result.stderr
    findings = json.loads(result.stdout)["findings"]
    globs = fixture_globs()
    outside = [f'{f["path"]}:{f["line"]} {f["rule_id"]}' for f in findings
               if not any(fnmatch.fnmatch(f["path"], g.replace("**", "*")) for g in globs)]
    assert outside == []
    # The fixtures are real positives: the scan does see them.
    assert any(f["path"].startswith("Sources/CorgiDetection/Rules/") for f in findings)


def test_own_configuration_gives_a_clean_scan(corgi, tmp_path):
    diff = tmp_path / "repo.diff"
    diff.write_bytes(repository_as_diff())
    result = corgi("scan", "--config", ROOT / ".corgi.yml", diff)
    assert result.returncode == 0, result.stdout.decode()[-3000:]
