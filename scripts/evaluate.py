#!/usr/bin/env python3
"""Precision / recall of the code rules on the labelled snippets in eval/.

Layout: eval/<language>/... Every file is one snippet. Its label comes from the first path
component below the language folder whose name starts with "vuln-" or "safe-" (usually the file
name itself: eval/python/vuln-sqli.py; a folder when the file name matters to a rule, e.g.
eval/dockerfile/vuln-compose-socket/docker-compose.yml). Files without a label (README.md, ...)
are ignored. A vulnerable snippet may name the rule it is meant to trigger on its first line
("corgi-expect: rule-id"); that is reported for information only.

Scoring is per snippet: a vulnerable snippet with at least one finding of kind "code" is a true
positive (else a false negative); a safe snippet with at least one such finding is a false
positive (else a true negative). In folders named secrets-* (eval/secrets-syntax, …) findings of
kind "secret" count instead.

All snippets are added as new files to ONE unified diff (paths relative to eval/), which is
scanned with `corgi scan --format json --fail-on never`.

Usage:
  scripts/evaluate.py [--corgi PATH] [--config FILE] [--eval-dir DIR]
                      [--markdown FILE] [--check FILE] [--verbose] [--keep-diff FILE]

  --markdown FILE  write the table as Markdown; if FILE exists and has the markers
                 <!-- results:start --> / <!-- results:end -->, only the part between them is replaced.
  --check FILE   compare with a results file written by --markdown (e.g. eval/RESULTS.md):
                 exit 1 if any language's precision or recall is lower than recorded there.
Exit status: 0 ok, 1 regression (with --check), 2 usage or run error.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
EXPECT_RE = re.compile(rb"corgi-expect:\s*([A-Za-z0-9_.,\s-]+)")


class UsageError(Exception):
    pass


@dataclass
class Snippet:
    path: str  # relative to eval/, with forward slashes
    language: str
    vulnerable: bool
    expect: list[str] = field(default_factory=list)
    rules: set[str] = field(default_factory=set)


@dataclass
class Row:
    language: str
    vulnerable: int = 0
    safe: int = 0
    tp: int = 0
    fn: int = 0
    fp: int = 0
    tn: int = 0

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None


def label_of(parts: tuple[str, ...]) -> bool | None:
    for part in parts:
        if part.startswith("vuln-"):
            return True
        if part.startswith("safe-"):
            return False
    return None


def collect(eval_dir: Path) -> list[Snippet]:
    snippets: list[Snippet] = []
    for language_dir in sorted(p for p in eval_dir.iterdir() if p.is_dir() and not p.name.startswith(".")):
        for file in sorted(p for p in language_dir.rglob("*") if p.is_file()):
            rel = file.relative_to(eval_dir)
            vulnerable = label_of(rel.parts[1:])
            if vulnerable is None:
                continue
            first = file.read_bytes().split(b"\n", 1)[0]
            expect: list[str] = []
            if m := EXPECT_RE.search(first):
                expect = [e.strip() for e in m.group(1).decode().replace(",", " ").split() if e.strip()]
            snippets.append(Snippet(rel.as_posix(), language_dir.name, vulnerable, expect))
    return snippets


def build_diff(eval_dir: Path, snippets: list[Snippet]) -> bytes:
    out = bytearray()
    for s in snippets:
        data = (eval_dir / s.path).read_bytes()
        if not data:
            continue
        lines = data.split(b"\n")
        missing_newline = lines[-1] != b""
        if not missing_newline:
            lines.pop()
        p = s.path.encode()
        out += b"diff --git a/" + p + b" b/" + p + b"\n"
        out += b"new file mode 100644\n--- /dev/null\n+++ b/" + p + b"\n"
        out += b"@@ -0,0 +1,%d @@\n" % len(lines)
        for line in lines:
            out += b"+" + line + b"\n"
        if missing_newline:
            out += b"\\ No newline at end of file\n"
    return bytes(out)


def run_corgi(corgi: str, config: str | None, diff: bytes) -> list[dict]:
    with tempfile.NamedTemporaryFile("wb", suffix=".diff", delete=False) as fh:
        fh.write(diff)
        diff_path = fh.name
    try:
        cmd = [corgi, "scan", "--format", "json", "--fail-on", "never"]
        if config:
            cmd += ["--config", config]
        cmd.append(diff_path)
        try:
            proc = subprocess.run(cmd, capture_output=True)
        except OSError as e:
            raise UsageError(f"cannot run {corgi}: {e}") from e
        if proc.returncode != 0:
            raise UsageError(f"corgi exited with {proc.returncode}: {proc.stderr.decode(errors='replace').strip()}")
        try:
            report = json.loads(proc.stdout)
        except json.JSONDecodeError as e:
            raise UsageError(f"corgi did not print JSON: {e}") from e
    finally:
        os.unlink(diff_path)
    return report.get("findings", [])


def score(snippets: list[Snippet]) -> list[Row]:
    rows: dict[str, Row] = {}
    for s in snippets:
        row = rows.setdefault(s.language, Row(s.language))
        found = bool(s.rules)
        if s.vulnerable:
            row.vulnerable += 1
            row.tp += found
            row.fn += not found
        else:
            row.safe += 1
            row.fp += found
            row.tn += not found
    total = Row("TOTAL")
    for r in rows.values():
        for f in ("vulnerable", "safe", "tp", "fn", "fp", "tn"):
            setattr(total, f, getattr(total, f) + getattr(r, f))
    return [rows[k] for k in sorted(rows)] + [total]


def fmt(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.3f}"


HEADERS = ["language", "vulnerable", "safe", "TP", "FN", "FP", "TN", "precision", "recall"]


def cells(r: Row) -> list[str]:
    return [r.language, str(r.vulnerable), str(r.safe), str(r.tp), str(r.fn), str(r.fp), str(r.tn),
            fmt(r.precision), fmt(r.recall)]


def text_table(rows: list[Row]) -> str:
    table = [HEADERS] + [cells(r) for r in rows]
    widths = [max(len(row[i]) for row in table) for i in range(len(HEADERS))]
    lines = []
    for i, row in enumerate(table):
        if i == len(table) - 1:
            lines.append("  ".join("-" * w for w in widths))
        lines.append("  ".join(c.ljust(w) if j == 0 else c.rjust(w) for j, (c, w) in enumerate(zip(row, widths))))
    return "\n".join(lines)


def markdown_table(rows: list[Row]) -> str:
    out = ["| " + " | ".join(HEADERS) + " |", "|" + "|".join(["---"] + ["---:"] * (len(HEADERS) - 1)) + "|"]
    for r in rows:
        c = cells(r)
        if r.language == "TOTAL":
            c = [f"**{x}**" for x in c]
        out.append("| " + " | ".join(c) + " |")
    return "\n".join(out) + "\n"


START, END = "<!-- results:start -->", "<!-- results:end -->"


def write_markdown(path: Path, table: str) -> None:
    """Writes the table; in an existing file with the markers, replaces only what is between them."""
    block = f"{START}\n{table}{END}\n"
    if path.exists():
        text = path.read_text(encoding="utf-8")
        i, j = text.find(START), text.find(END)
        if i != -1 and j > i:
            rest = text[j + len(END):]
            path.write_text(text[:i] + block + (rest[1:] if rest.startswith("\n") else rest), encoding="utf-8")
            return
    path.write_text(block, encoding="utf-8")


def parse_results(path: Path) -> dict[str, tuple[float | None, float | None]]:
    """Reads the table written by --markdown: language -> (precision, recall)."""
    recorded: dict[str, tuple[float | None, float | None]] = {}
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise UsageError(f"cannot read {path}: {e}") from e
    for line in text.splitlines():
        if not line.startswith("|"):
            continue
        c = [x.strip().strip("*") for x in line.strip().strip("|").split("|")]
        if len(c) != len(HEADERS) or c[0] in ("language", "---") or set(c[1]) <= set("-:"):
            continue

        def num(v: str) -> float | None:
            return None if v == "n/a" else float(v)

        try:
            recorded[c[0]] = (num(c[7]), num(c[8]))
        except ValueError as e:
            raise UsageError(f"{path}: cannot read the row for {c[0]}: {e}") from e
    if not recorded:
        raise UsageError(f"{path}: no results table found")
    return recorded


def check(rows: list[Row], recorded: dict[str, tuple[float | None, float | None]]) -> list[str]:
    problems = []
    current = {r.language: r for r in rows}
    for language, (precision, recall) in sorted(recorded.items()):
        row = current.get(language)
        if row is None:
            problems.append(f"{language}: recorded but no longer evaluated")
            continue
        for name, old, new in (("precision", precision, row.precision), ("recall", recall, row.recall)):
            # Compare at the precision the table records; n/a counts as 1.0 for precision
            # (no findings at all) and 0.0 for recall (nothing to find).
            default = 1.0 if name == "precision" else 0.0
            o = round(old if old is not None else default, 3)
            n = round(new if new is not None else default, 3)
            if n < o:
                problems.append(f"{language}: {name} fell from {o:.3f} to {n:.3f}")
    return problems


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corgi", default=".build/debug/corgi", help="corgi executable (default: .build/debug/corgi)")
    parser.add_argument("--config", help="corgi configuration file (default: none, the built-in rules)")
    parser.add_argument("--eval-dir", default=str(REPO / "eval"), help="labelled snippets (default: eval/ of this repository)")
    parser.add_argument("--markdown", metavar="FILE", help="also write the table as Markdown to FILE")
    parser.add_argument("--check", metavar="FILE", help="exit 1 if precision or recall is lower than recorded in FILE")
    parser.add_argument("--verbose", "-v", action="store_true", help="list misses, false positives and unmet expectations")
    parser.add_argument("--keep-diff", metavar="FILE", help="write the generated diff to FILE")
    try:
        args = parser.parse_args(argv)
    except SystemExit as e:
        return 0 if e.code == 0 else 2

    try:
        eval_dir = Path(args.eval_dir)
        if not eval_dir.is_dir():
            raise UsageError(f"{eval_dir} is not a folder")
        corgi = args.corgi
        if os.sep in corgi and not os.path.isabs(corgi) and not Path(corgi).exists() and (REPO / corgi).exists():
            corgi = str(REPO / corgi)
        if args.config and not Path(args.config).is_file():
            raise UsageError(f"config {args.config} not found")
        recorded = parse_results(Path(args.check)) if args.check else None

        snippets = collect(eval_dir)
        if not snippets:
            raise UsageError(f"no labelled snippets (vuln-*/safe-*) under {eval_dir}")
        diff = build_diff(eval_dir, snippets)
        if args.keep_diff:
            Path(args.keep_diff).write_bytes(diff)
        findings = run_corgi(corgi, args.config, diff)
    except UsageError as e:
        print(f"evaluate.py: {e}", file=sys.stderr)
        return 2

    by_path = {s.path: s for s in snippets}
    for f in findings:
        s = by_path.get(f.get("path", ""))
        # Folders named secrets-* hold secret snippets; every other folder, code snippets.
        if s is not None and f.get("kind") == ("secret" if s.language.startswith("secrets-") else "code"):
            s.rules.add(f.get("rule_id", "?"))

    rows = score(snippets)
    print(text_table(rows))

    if args.verbose:
        misses = [s for s in snippets if s.vulnerable and not s.rules]
        false_positives = [s for s in snippets if not s.vulnerable and s.rules]
        unmet = [s for s in snippets if s.vulnerable and s.expect and not set(s.expect) & s.rules]
        print(f"\nfalse negatives ({len(misses)}):")
        for s in misses:
            print(f"  {s.path}")
        print(f"false positives ({len(false_positives)}):")
        for s in false_positives:
            print(f"  {s.path}: {', '.join(sorted(s.rules))}")
        print(f"expected rule not among the findings ({len(unmet)}):")
        for s in unmet:
            print(f"  {s.path}: expected {', '.join(s.expect)}, got {', '.join(sorted(s.rules)) or 'nothing'}")

    if args.markdown:
        write_markdown(Path(args.markdown), markdown_table(rows))

    if recorded is not None:
        problems = check(rows, recorded)
        if problems:
            print("\nregression against " + args.check + ":", file=sys.stderr)
            for p in problems:
                print("  " + p, file=sys.stderr)
            return 1
        print(f"\nno regression against {args.check}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
