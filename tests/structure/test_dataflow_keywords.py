"""Every shape a dataflow sink's pattern can match shows one of the sink's keywords, as written.

Keywords are the dataflow stage's prefilter: a window is lexed, and a line checked against a sink,
only where one of its keywords occurs, case-sensitively (docs/rules.md, "Dataflow rules"). A
pattern alternative that no keyword covers is a sink the engine can never report, however the
value flows: this test expands each pattern into its literal shapes (alternations and optional
parts spelled out, anything wider a gap) and asks each shape for a keyword.
"""

import itertools
import pathlib
import re

import yaml

try:  # Python 3.11 and later
    import re._constants as sre_constants
    import re._parser as sre_parse
except ImportError:  # pragma: no cover
    import sre_constants
    import sre_parse

RULES = pathlib.Path(__file__).resolve().parents[2] / "Sources/CorgiDetection/Rules/dataflow"
GAP = "\x00"
LIMIT = 2000


def shapes(items):
    """The literal shapes of a parsed pattern; GAP stands for text the pattern does not fix."""
    out = [""]

    def extend(parts):
        nonlocal out
        out = [a + b for a, b in itertools.islice(itertools.product(out, parts), LIMIT)]

    for op, av in items:
        if op == sre_constants.LITERAL:
            extend([chr(av)])
        elif op == sre_constants.SUBPATTERN:
            extend(shapes(av[-1]))
        elif op == sre_constants.BRANCH:
            extend([s for branch in av[1] for s in shapes(branch)])
        elif op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT, getattr(sre_constants, "POSSESSIVE_REPEAT", None)):
            low, high, sub = av
            if low == 0 and high == 1:
                extend([""] + shapes(sub))
            elif low == 0:
                extend([GAP])
            else:
                extend([s + ("" if low == high else GAP) for s in shapes(sub)])
        elif op == sre_constants.ASSERT and av[0] == 1:
            # A lookahead's text is on the line too, next to the match.
            extend([GAP + s + GAP for s in shapes(av[1])])
        elif op in (sre_constants.AT, sre_constants.ASSERT, sre_constants.ASSERT_NOT):
            continue
        elif op == sre_constants.IN and all(kind == sre_constants.LITERAL for kind, _ in av) and len(av) <= 3:
            extend([chr(value) for _, value in av])
        else:
            extend([GAP])
    return out


def uncovered(pattern, keywords):
    """Shapes of `pattern` in which no keyword occurs as written."""
    return sorted({s.replace(GAP, "…") for s in shapes(list(sre_parse.parse(pattern))) if not any(k in s for k in keywords)})


def sinks():
    for path in sorted(RULES.glob("*.yaml")):
        for entry in yaml.safe_load(path.read_text())["dataflow"]:
            for sink in entry.get("sinks") or []:
                yield path.name, sink


def test_every_shape_of_every_sink_shows_a_keyword():
    checked = 0
    problems = []
    for name, sink in sinks():
        checked += 1
        try:
            missing = uncovered(sink["pattern"], sink["keywords"])
        except re.error as error:
            problems.append(f"{name} {sink['id']}: pattern not understood here ({error}); extend shapes()")
            continue
        if missing:
            problems.append(f"{name} {sink['id']}: no keyword in {missing[:8]}")
    assert checked > 80
    assert not problems, "\n".join(problems)


def test_the_check_sees_a_keyword_of_the_wrong_case_and_a_missing_alternative():
    # `function` is not `Function`: the JavaScript function header must not stand for `new Function(`.
    assert uncovered(r"\bnew Function\(", ["function"]) == ["new Function("]
    assert uncovered(r"\bnew Function\(", ["Function"]) == []
    assert uncovered(r"\.(?:Query|Exec)\(", ["Query"]) == [".Exec("]
    assert uncovered(r"\bHttpResponse(?:Permanent)?Redirect\(", ["Redirect"]) == []
    assert uncovered(r"^return (?=\"redirect:)", ["redirect:"]) == []
    assert uncovered(r"\b(?:c|cl)\.Get\(", ["client."]) == ["c.Get(", "cl.Get("]
