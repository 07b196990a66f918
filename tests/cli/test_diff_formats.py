"""Every diff format a user pipes into `corgi scan`, and the promises that no input is lost
silently: findings carry the commit that added them, a malformed region costs only itself, and
whatever is not scanned is named in every output format."""
import json
import random
import subprocess
import zlib

import pytest

from conftest import ROOT, new_file

BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def github_token(seed: int) -> str:
    """A synthetic `ghp_` token with a valid checksum: 30 random base62 characters and the
    6-character base62 CRC32 of them, as the github-pat-classic rule checks."""
    rng = random.Random(seed)
    body = "".join(rng.choice(BASE62) for _ in range(30))
    crc, digits = zlib.crc32(body.encode()), ""
    while crc:
        crc, r = divmod(crc, 62)
        digits = BASE62[r] + digits
    return "ghp_" + body + digits.rjust(6, "0")


def decoy(seed: int) -> str:
    """Looks like a token, fails the checksum."""
    token = github_token(seed)
    return token[:-1] + ("A" if token[-1] != "A" else "B")


def git(cwd, *args, input=None) -> bytes:
    return subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false", *args],
                          cwd=cwd, check=True, capture_output=True, input=input).stdout


def scan_json(corgi, *args, input=None, cwd=None):
    result = corgi("scan", "--format", "json", "--fail-on", "never", *args, input=input, cwd=cwd)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout), result.stderr.decode()


def token_findings(report):
    return sorted((f["commit"], f["path"], f["line"]) for f in report["findings"] if f["rule_id"] == "github-pat-classic")


# A small history with known secrets in known commits --------------------------------------------

@pytest.fixture(scope="module")
def history(tmp_path_factory):
    """root: a clean file. second: a token at config/settings.py:3, with a commit message whose
    lines look like diff lines. third: a token at app/keys.txt:2. A side branch adds a token at
    side.txt:1, and the merge brings in its own line with a token at merge.txt:2 (an evil merge)."""
    repo = tmp_path_factory.mktemp("history")
    git(repo, "init", "-q", "-b", "main")
    (repo / "README").write_text("hello\n")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "root")
    (repo / "config").mkdir()
    (repo / "config" / "settings.py").write_text(f'DEBUG = False\nNAME = "x"\nTOKEN = "{github_token(1)}"\n')
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "second\n\n+ a message line like an added line\n context-like\ndiff --git a/fake b/fake\n-- \n")
    (repo / "app").mkdir()
    (repo / "app" / "keys.txt").write_text(f"first\nkey {github_token(2)}\n")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "third")
    git(repo, "checkout", "-q", "-b", "side", "HEAD~1")
    (repo / "side.txt").write_text(f"{github_token(3)}\n")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "side")
    git(repo, "checkout", "-q", "main")
    git(repo, "merge", "-q", "--no-commit", "side")
    (repo / "merge.txt").write_text(f"merged\n{github_token(4)}\n")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "merge side")
    shas = {message: sha for sha, message in (line.split(" ", 1) for line in git(repo, "log", "--all", "--format=%H %s").decode().splitlines())}
    return repo, shas


def expected(shas, *which):
    table = {
        "second": ("config/settings.py", 3),
        "third": ("app/keys.txt", 2),
        "side": ("side.txt", 1),
        "merge side": ("merge.txt", 2),
    }
    return sorted((shas[name], *table[name]) for name in which)


@pytest.mark.parametrize("log_args", [
    ["log", "-p"],
    ["log", "-p", "--stat", "--format=fuller"],
    ["log", "-p", "--decorate", "--no-abbrev"],
    ["log", "-p", "-m", "--first-parent"],
])
def test_git_log_findings_carry_their_commit(corgi, history, log_args):
    repo, shas = history
    report, _ = scan_json(corgi, "-", input=git(repo, *log_args))
    found = token_findings(report)
    # Every token is at the commit, path and line that added it.
    for item in expected(shas, "second", "third"):
        assert item in found
    assert report["stats"]["malformed_regions"] == 0
    assert report["not_covered"] == []


def test_git_log_cc_scans_what_a_merge_brings_in(corgi, history):
    repo, shas = history
    report, _ = scan_json(corgi, "-", input=git(repo, "log", "-p", "--cc"))
    assert token_findings(report) == expected(shas, "second", "third", "side", "merge side")
    assert report["stats"]["combined_files"] >= 1
    assert report["stats"]["malformed_regions"] == 0


def test_format_patch_mbox_of_many_commits(corgi, history):
    repo, shas = history
    root = git(repo, "rev-list", "--max-parents=0", "HEAD").decode().strip()
    mbox = git(repo, "format-patch", "--stdout", f"{root}..HEAD")
    assert mbox.count(b"\n-- \n") >= 3  # the signature is there between patches
    report, _ = scan_json(corgi, "-", input=mbox)
    assert token_findings(report) == expected(shas, "second", "third", "side")
    assert report["stats"]["commits"] == 3


def test_git_show_and_sarif_keep_the_commit_out_of_the_fingerprint(corgi, history, tmp_path):
    repo, shas = history
    shown, _ = scan_json(corgi, "-", input=git(repo, "show", shas["second"]))
    assert token_findings(shown) == expected(shas, "second")
    # The same line in a plain diff: same fingerprint, no commit.
    plain, _ = scan_json(corgi, "-", input=git(repo, "diff", f"{shas['second']}~1", shas["second"]))
    assert [f["commit"] for f in plain["findings"]] == [None]
    assert [f["fingerprint"] for f in plain["findings"]] == [f["fingerprint"] for f in shown["findings"]]
    sarif = json.loads(corgi("scan", "--format", "sarif", "-", input=git(repo, "show", shas["second"])).stdout)
    result = sarif["runs"][0]["results"][0]
    assert result["properties"]["commit"] == shas["second"]
    assert result["partialFingerprints"] == {"corgiFingerprint/v1": shown["findings"][0]["fingerprint"]}


def test_forge_downloads_crlf_and_trailing_garbage(corgi, history):
    repo, shas = history
    patch = git(repo, "format-patch", "--stdout", "-1", shas["third"])  # what GitHub's .patch serves
    crlf = patch.replace(b"\n", b"\r\n") + b"\r\nthis is not part of the diff\r\n$ \r\n"
    report, _ = scan_json(corgi, "-", input=crlf)
    assert token_findings(report) == expected(shas, "third")
    assert report["stats"]["malformed_regions"] == 0


def test_gnu_diff_ruN(corgi, tmp_path):
    (tmp_path / "old").mkdir()
    (tmp_path / "new").mkdir()
    (tmp_path / "old" / "a.cfg").write_text("x = 1\n")
    (tmp_path / "new" / "a.cfg").write_text(f"x = 1\ny = {github_token(5)}\n")
    (tmp_path / "new" / "b.cfg").write_text(f"{github_token(6)}\n")
    diff = subprocess.run(["diff", "-ruN", "old", "new"], cwd=tmp_path, capture_output=True).stdout
    report, _ = scan_json(corgi, "-", input=diff)
    assert token_findings(report) == [(None, "new/a.cfg", 2), (None, "new/b.cfg", 1)]


# This repository's own history ---------------------------------------------------------------

def own_history_available() -> bool:
    try:
        shallow = subprocess.run(["git", "rev-parse", "--is-shallow-repository"], cwd=ROOT, capture_output=True, check=True)
    except (subprocess.CalledProcessError, FileNotFoundError):
        return False
    return shallow.stdout.strip() == b"false"


@pytest.mark.skipif(not own_history_available(), reason="needs a full (not shallow) clone of this repository")
@pytest.mark.parametrize("command", ["log -p", "log -p --stat --format=fuller", "format-patch --stdout ROOT..HEAD"])
def test_this_repositorys_whole_history(corgi, command):
    root = subprocess.run(["git", "rev-list", "--max-parents=0", "HEAD"], cwd=ROOT, capture_output=True, check=True).stdout.split()[0].decode()
    args = command.replace("ROOT", root).split()
    diff = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, check=True).stdout
    commits = int(subprocess.run(["git", "rev-list", "--count", "HEAD"], cwd=ROOT, capture_output=True, check=True).stdout)
    report, stderr = scan_json(corgi, "-", input=diff)
    assert report["stats"]["malformed_regions"] == 0, stderr
    assert report["stats"]["commits"] == (commits - 1 if "format-patch" in command else commits)
    # Binary files (none today) would be listed, but no text may be left unscanned.
    assert [n for n in report["not_covered"] if n["reason"] != "binary_file"] == []
    assert report["stats"]["files"] > 0
    # Every finding names a commit of this history.
    assert all(f["commit"] and len(f["commit"]) == 40 for f in report["findings"])


# No silent misses, degrade never abort: one row per promise --------------------------------------

def one_line(line: str, path="src/blob.js") -> bytes:
    return new_file(path, ["start", line, "end"]).encode()


TOKEN = github_token(7)
MIB = 1 << 20

CASES = {
    # 1,000 decoys that fail the checksum, then a real token, on one line.
    "decoys": (one_line(" ".join(decoy(1000 + i) for i in range(1000)) + " " + TOKEN), [("src/blob.js", 2)], 0, 0),
    # A token after the first MiB of a line (the line is scanned in overlapping windows).
    "after 1 MiB": (one_line("a" * (MIB + 5) + " " + TOKEN + " " + "b" * 1000), [("src/blob.js", 2)], 0, 0),
    # A token straddling a window boundary.
    "across a window cut": (one_line("c" * (MIB - 20) + " " + TOKEN), [("src/blob.js", 2)], 0, 0),
    # A malformed hunk between two files with findings: both kept, the region counted.
    "malformed between files": (
        new_file("one.txt", [TOKEN]).encode()
        + b"diff --git a/mid.txt b/mid.txt\n--- a/mid.txt\n+++ b/mid.txt\n@@ -1,2 +1,2 @@\n a\n*oops\n+lost\n"
        + new_file("two.txt", [github_token(8)]).encode(),
        [("one.txt", 1), ("two.txt", 1)], 1, 0),
}


@pytest.mark.parametrize("name", list(CASES))
def test_no_silent_misses(corgi, tmp_path, name):
    diff, found, malformed, truncated = CASES[name]
    path = tmp_path / "case.diff"
    path.write_bytes(diff)
    report, stderr = scan_json(corgi, path)
    assert sorted((f["path"], f["line"]) for f in report["findings"] if f["rule_id"] == "github-pat-classic") == found
    assert report["stats"]["malformed_regions"] == malformed
    assert report["stats"]["truncated_lines"] == truncated
    assert len(report["not_covered"]) == malformed + truncated
    if name == "after 1 MiB":
        # The column counts from the start of the line, across windows.
        assert [f["column"] for f in report["findings"]] == [MIB + 7]
        assert report["stats"]["long_lines"] == 1
    # With --strict, an incomplete scan exits 2 after writing the report; without, 0 here.
    strict = corgi("scan", "--format", "json", "--fail-on", "never", "--strict", path)
    assert strict.returncode == (2 if malformed + truncated else 0)
    assert json.loads(strict.stdout)["findings"] == report["findings"]


def test_malformed_region_is_named_by_line_in_every_format(corgi, tmp_path):
    diff, *_ = CASES["malformed between files"]
    path = tmp_path / "case.diff"
    path.write_bytes(diff)
    report, stderr = scan_json(corgi, path)
    assert report["not_covered"] == [{
        "reason": "malformed_region", "first_line": 12, "last_line": 13, "path": "mid.txt", "commit": None,
        "message": "expected a hunk line starting with ' ', '+', '-' or '\\'; the hunk at line 10 still owes 1 line(s); "
                   "skipped to the next header",
    }]
    assert stderr.splitlines() == [
        "corgi: not scanned: malformed diff at lines 12–13 (mid.txt): expected a hunk line starting with ' ', '+', '-' "
        "or '\\'; the hunk at line 10 still owes 1 line(s); skipped to the next header"]
    assert "oops" not in stderr and "lost" not in stderr
    text = corgi("scan", "--fail-on", "never", path).stdout.decode()
    assert "Not scanned:\n  malformed diff at lines 12–13 (mid.txt)" in text
    sarif = json.loads(corgi("scan", "--format", "sarif", "--fail-on", "never", path).stdout)
    notes = sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert [(n["descriptor"]["id"], n["level"], n["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]) for n in notes] == [
        ("malformed_region", "warning", "mid.txt")]
    github = corgi("scan", "--format", "github", "--fail-on", "never", path).stdout.decode()
    assert "::warning file=mid.txt,title=not scanned%3A malformed_region::malformed diff at lines 12–13" in github


# The default cap is 64 MiB (71 s of a debug build to reach): the same code path is tested with
# a 3 MiB cap set by --max-line-bytes.
@pytest.mark.parametrize("cap, before", [(3 * MIB, 3 * MIB + 100)])
def test_a_line_past_the_hard_cap_is_reported_not_covered(corgi, tmp_path, cap, before):
    # The token after the cap is not scanned, and every format says so.
    path = tmp_path / "huge.diff"
    path.write_bytes(one_line("d" * before + " " + TOKEN))
    option = ["--max-line-bytes", str(cap)] if cap else []
    report, stderr = scan_json(corgi, *option, path)
    assert report["findings"] == []
    assert report["stats"]["truncated_lines"] == 1
    assert [(n["reason"], n["first_line"], n["path"]) for n in report["not_covered"]] == [("line_too_long", 7, "src/blob.js")]
    assert "line too long at line 7 (src/blob.js)" in stderr
    assert corgi("scan", *option, "--strict", "--fail-on", "never", path).returncode == 2
    # Under the cap, the same token is found.
    if cap:
        raised = scan_json(corgi, "--max-line-bytes", str(cap * 2), path)[0]
        assert token_findings(raised) == [(None, "src/blob.js", 2)]


@pytest.mark.parametrize("attributes, content", [
    ("*.txt -diff\n", "notes\n{token}\n"),           # git would print "Binary files differ"
    ("*.txt binary\n", "notes\n{token}\n"),
    ("", "notes\0with a NUL byte\n{token}\n"),       # git's own binary guess
])
def test_git_binary_detection_never_hides_a_text_file(corgi, tmp_path, attributes, content):
    git(tmp_path, "init", "-q", "-b", "main")
    (tmp_path / "base").write_text("x\n")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-qm", "base")
    (tmp_path / ".gitattributes").write_text(attributes)
    (tmp_path / "notes.txt").write_bytes(content.format(token=TOKEN).encode())
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-qm", "head")
    assert b"Binary files" in git(tmp_path, "diff", "HEAD~1..HEAD")  # what a plain git diff shows
    report, _ = scan_json(corgi, "--git", "HEAD~1..HEAD", cwd=tmp_path)
    assert token_findings(report) == [(None, "notes.txt", 2)]
    assert report["stats"]["binary_files"] == 0
