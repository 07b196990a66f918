"""Package.swift says what each target depends on, and that is exactly what it imports: no
dependency declared and unused, none used and undeclared. The review core's adapters (storage
engines, queue, object stores, forges) depend on the core and never on one another."""
import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parents[2]
# Modules of the toolchain and the system, imported without a package dependency.
SYSTEM = {"Foundation", "FoundationEssentials", "CoreFoundation", "Glibc", "Musl", "Darwin", "Dispatch", "Testing", "XCTest", "Synchronization",
          "_Concurrency", "os", "SystemPackage"}
ADAPTERS = {"CorgiStorage", "CorgiPostgres", "CorgiQueue", "CorgiObjects", "CorgiForges"}


def bracketed(text: str, start: int) -> str:
    """The text inside the brackets that open at `start`."""
    depth = 0
    for i in range(start, len(text)):
        if text[i] in "([":
            depth += 1
        elif text[i] in ")]":
            depth -= 1
            if depth == 0:
                return text[start + 1:i]
    raise ValueError("unbalanced Package.swift")


def targets():
    """name -> (kind, directory, declared module dependencies), read from Package.swift."""
    text = (ROOT / "Package.swift").read_text()
    found = {}
    for match in re.finditer(r"\.(target|testTarget|executableTarget|systemLibrary)\(", text):
        body = bracketed(text, match.end() - 1)
        name = re.search(r'name:\s*"([^"]+)"', body).group(1)
        deps = set()
        d = re.search(r"dependencies:\s*\[", body)
        if d:
            inner = bracketed(body, d.end() - 1)
            deps |= set(re.findall(r'\.product\(name:\s*"([^"]+)"', inner))
            deps |= set(re.findall(r'"([A-Za-z0-9_-]+)"', re.sub(r"\.product\([^)]*\)", "", inner)))
        directory = ROOT / ("Tests" if match.group(1) == "testTarget" else "Sources") / name
        found[name] = (match.group(1), directory, deps)
    return found


def imports(directory: pathlib.Path) -> set[str]:
    modules = set()
    for file in directory.rglob("*.swift"):
        for line in file.read_text().splitlines():
            # Imports are top-level and unindented; an indented "import" is inside a string.
            m = re.match(r"(?:@testable\s+|@_exported\s+)?(?:(?:public|internal|package|private|fileprivate)\s+)?import\s+(?:struct\s+|class\s+|enum\s+|func\s+)?([A-Za-z_][A-Za-z0-9_]*)", line)
            if m:
                modules.add(m.group(1))
    return modules


def test_every_target_imports_exactly_what_it_declares():
    problems = []
    for name, (kind, directory, declared) in targets().items():
        if kind == "systemLibrary" or not directory.exists():
            continue
        used = imports(directory) - SYSTEM
        # C modules are declared by target name and imported by module name (the same here).
        undeclared = used - declared
        unused = declared - used
        if undeclared:
            problems.append(f"{name} imports without declaring: {sorted(undeclared)}")
        if unused:
            problems.append(f"{name} declares without importing: {sorted(unused)}")
    assert not problems, "\n".join(problems)


def test_adapters_depend_on_the_core_not_on_each_other():
    all_targets = targets()
    assert ADAPTERS <= set(all_targets)
    for name in ADAPTERS:
        _, _, declared = all_targets[name]
        assert "CorgiReview" in declared, f"{name} should depend on the review core"
        assert not (declared & (ADAPTERS - {name})), f"{name} depends on another adapter: {sorted(declared & ADAPTERS)}"
    # The core itself depends on no adapter and no service.
    _, _, core = all_targets["CorgiReview"]
    assert not (core & (ADAPTERS | {"CorgiService"}))


def test_reconciliation_rules_exist_once():
    """New/open/fixed/dismissed are decided in ReconciliationPlan only: no SQL decides them."""
    for store in ["Sources/CorgiStorage/SQLiteStore+Reviews.swift", "Sources/CorgiPostgres/PostgresStore+Reviews.swift"]:
        text = (ROOT / store).read_text()
        assert "ReconciliationPlan(" in text, store
        assert "CASE WHEN findings.status" not in text, f"{store} decides reconciliation in SQL"
        assert "last_scan_id <>" not in text, f"{store} decides fixed findings in SQL"
