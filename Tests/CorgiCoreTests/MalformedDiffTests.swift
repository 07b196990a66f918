import CorgiCore
import Testing

@Suite("Malformed diffs: a clear error naming the line, never a crash")
struct MalformedDiffTests {
    static let cases: [(name: String, diff: String, line: Int, reason: String)] = [
        ("hunk before any file", "@@ -1 +1 @@\n-a\n+b\n", 1, "hunk header before any file header"),
        ("malformed hunk header", "diff --git a/a b/a\n--- a/a\n+++ b/a\n@@ -x +1 @@\n", 4, "malformed hunk header"),
        ("hunk header without closing @@", "diff --git a/a b/a\n--- a/a\n+++ b/a\n@@ -1 +1\n", 4, "malformed hunk header"),
        ("bad line inside a hunk", "diff --git a/a b/a\n--- a/a\n+++ b/a\n@@ -1,2 +1,2 @@\n a\n*b\n", 6, "expected a hunk line"),
        ("too many added lines", "diff --git a/a b/a\n--- a/a\n+++ b/a\n@@ -1,1 +1,1 @@\n-a\n+b\n+c\n", 7, ""),
        ("truncated hunk", "diff --git a/a b/a\n--- a/a\n+++ b/a\n@@ -1,3 +1,3 @@\n a\n", 6, "unexpected end of input"),
        ("--- without +++", "--- a/a\n@@ -1 +1 @@\n", 2, "'---' line without '+++'"),
        ("+++ without ---", "diff --git a/a b/a\n+++ b/a\n", 2, "'+++' line without a preceding '---'"),
        ("unterminated quoted path", "diff --git \"a/x b/x\n", 1, "unterminated quoted path"),
        ("bad octal escape", "diff --git \"a/\\39\" \"b/x\"\n", 1, "malformed octal escape"),
    ]

    @Test("each malformed diff names its line", arguments: 0..<cases.count)
    func malformed(index: Int) {
        let c = Self.cases[index]
        do {
            _ = try ParsedDiff.parse(c.diff)
            Issue.record("\(c.name): parsed without error")
        } catch let error as DiffParseError {
            #expect(error.line == c.line, "\(c.name)")
            #expect(error.description.contains("line \(c.line)"), "\(c.name)")
            if !c.reason.isEmpty { #expect(error.reason.contains(c.reason), "\(c.name): \(error.reason)") }
        } catch {
            Issue.record("\(c.name): unexpected error \(error)")
        }
    }

    @Test("an error never quotes the diff's content")
    func errorsDoNotLeakContent() {
        let secret = "ghp_SECRETSECRETSECRETSECRETSECRET123456"
        let diff = "diff --git a/a b/a\n--- a/a\n+++ b/a\n@@ -1,2 +1,2 @@\n a\n?\(secret)\n"
        do {
            _ = try ParsedDiff.parse(diff)
            Issue.record("parsed without error")
        } catch {
            #expect(!"\(error)".contains("SECRET"))
        }
    }

    @Test("random mutations of a valid diff never crash the parser")
    func mutations() {
        let seed = Array("""
            diff --git a/a.py b/a.py
            index 1..2 100644
            --- a/a.py
            +++ "b/a\\303\\251.py"
            @@ -1,3 +1,4 @@ def f():
             x = 1
            -y = 2
            +y = 3
            +z = 4
             w = 5
            \\ No newline at end of file
            diff --git a/b b/b
            Binary files a/b and b/b differ

            """.utf8)
        var generator = SplitMix64(seed: 42)
        let alphabet = Array(" +-\\@\n\r\"/abc019,".utf8) + [0xFF, 0x00]
        for _ in 0..<5000 {
            var bytes = seed
            for _ in 0..<Int(generator.next() % 6 + 1) {
                let at = Int(generator.next() % UInt64(bytes.count))
                switch generator.next() % 3 {
                case 0: bytes[at] = alphabet[Int(generator.next() % UInt64(alphabet.count))]
                case 1: bytes.remove(at: at)
                default: bytes.insert(alphabet[Int(generator.next() % UInt64(alphabet.count))], at: at)
                }
            }
            do {
                let parsed = try ParsedDiff.parse(bytes: bytes)
                for file in parsed.files { for hunk in file.hunks { for line in hunk.lines where line.kind != .removed { #expect(line.newLine >= 0) } } }
            } catch is DiffParseError {
                // A clear error is a correct outcome.
            } catch {
                Issue.record("unexpected error type: \(error)")
            }
        }
    }
}

/// A small deterministic generator so failures reproduce.
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
