import CorgiCore
import Testing

@Suite("Malformed diffs: skipped to the next header, counted, named by line, never an abort")
struct MalformedDiffTests {
    /// Each malformed region sits between two good files whose added lines must both survive.
    static let before = "diff --git a/first b/first\n--- a/first\n+++ b/first\n@@ -0,0 +1 @@\n+kept before\n"
    static let after = "diff --git a/last b/last\n--- a/last\n+++ b/last\n@@ -0,0 +1 @@\n+kept after\n"

    /// (name, the malformed middle, first and last line of the gap counted from the middle's
    /// first line, a phrase of the reason)
    static let cases: [(name: String, middle: String, first: Int, last: Int, reason: String)] = [
        ("hunk before any file", "commit \(String(repeating: "a", count: 40))\n\n@@ -1 +1 @@\n-a\n+b\n", 3, 5, "hunk header before any file header"),
        ("malformed hunk header", "diff --git a/a b/a\n--- a/a\n+++ b/a\n@@ -x +1 @@\n+a\n", 4, 5, "malformed hunk header"),
        ("hunk header without closing @@", "diff --git a/a b/a\n--- a/a\n+++ b/a\n@@ -1 +1\n", 4, 4, "malformed hunk header"),
        ("bad line inside a hunk", "diff --git a/a b/a\n--- a/a\n+++ b/a\n@@ -1,2 +1,2 @@\n a\n*b\n+c\n", 6, 7, "expected a hunk line"),
        ("too many added lines", "diff --git a/a b/a\n--- a/a\n+++ b/a\n@@ -1,1 +1,1 @@\n-a\n+b\n+c\n", 7, 7, "beyond the line counts"),
        ("hunk cut short by the next file", "diff --git a/a b/a\n--- a/a\n+++ b/a\n@@ -1,3 +1,3 @@\n a\n", 4, 5, "short of its header's counts"),
        ("--- without +++", "--- a/a\n@@ -1 +1 @@\n+x\n", 2, 3, "'---' line without '+++'"),
        // Skipping resumes at the next hunk of the same file, or at a `---`/`+++` pair.
        ("+++ without ---", "diff --git a/a b/a\n+++ b/a\n@@ -0,0 +1 @@\n+x\n", 2, 2, "'+++' line without a preceding '---'"),
        ("unterminated quoted path", "diff --git \"a/x b/x\n--- a/x\n+++ b/x\n@@ -0,0 +1 @@\n+x\n", 1, 1, "unterminated quoted path"),
        ("bad octal escape", "diff --git \"a/\\39\" \"b/x\"\n", 1, 1, "malformed octal escape"),
    ]

    @Test("a malformed region between two files: both files kept, the region counted and named", arguments: 0..<cases.count)
    func degrades(index: Int) {
        let c = Self.cases[index]
        let offset = 5  // lines of `before`
        let parsed = ParsedDiff.parse(Self.before + c.middle + Self.after)
        let added = parsed.files.flatMap { $0.hunks.flatMap(\.lines) }.filter { $0.kind == .added }.map(\.text)
        #expect(added.first == "kept before", "\(c.name)")
        #expect(added.last == "kept after", "\(c.name)")
        #expect(parsed.statistics.malformedRegions == 1, "\(c.name)")
        let gaps = parsed.coverageGaps.filter { $0.reason == .malformedRegion }
        #expect(gaps.count == 1, "\(c.name)")
        #expect(gaps.first?.firstLine == offset + c.first, "\(c.name)")
        #expect(gaps.first?.lastLine == offset + c.last, "\(c.name)")
        #expect(gaps.first?.detail.contains(c.reason) == true, "\(c.name): \(gaps.first?.detail ?? "")")
    }

    @Test("a region skipped inside a file resumes at the file's next hunk")
    func resumesAtNextHunk() {
        let diff = "diff --git a/a b/a\n--- a/a\n+++ b/a\n@@ -1,2 +1,2 @@\n a\n?oops\n+lost\n@@ -10 +10,2 @@\n x\n+found\n"
        let parsed = ParsedDiff.parse(diff)
        #expect(parsed.files.count == 1)
        #expect(parsed.files[0].addedLineNumbers == [11])
        #expect(parsed.coverageGaps.map(\.lineDescription) == ["lines 6–7"])
    }

    @Test("input that ends inside a hunk keeps its lines and is recorded")
    func endsInsideHunk() {
        let parsed = ParsedDiff.parse("diff --git a/a b/a\n--- a/a\n+++ b/a\n@@ -1,3 +1,3 @@\n+x\n")
        #expect(parsed.files[0].addedLineNumbers == [1])
        #expect(parsed.statistics.malformedRegions == 1)
        #expect(parsed.coverageGaps.first?.detail.contains("ends inside the hunk at line 4") == true)
    }

    @Test("a plain `--- ` line in commentary with no `+++` is not a file")
    func strayOldPathLine() {
        let parsed = ParsedDiff.parse("--- a note\nsome text\n" + Self.after)
        #expect(parsed.files.map(\.header.path) == ["last"])
        #expect(parsed.statistics.malformedRegions == 0)
    }

    @Test("a gap never quotes the diff's content")
    func gapsDoNotLeakContent() {
        let secret = "ghp_SECRETSECRETSECRETSECRETSECRET123456"
        let diff = "diff --git a/a b/a\n--- a/a\n+++ b/a\n@@ -1,2 +1,2 @@\n a\n?\(secret)\n+\(secret)\n"
        let parsed = ParsedDiff.parse(diff)
        #expect(parsed.coverageGaps.count == 1)
        for gap in parsed.coverageGaps { #expect(!gap.summary.contains("SECRET")) }
    }

    @Test("random mutations of a valid diff never crash or stop the parser")
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
            let parsed = ParsedDiff.parse(bytes: bytes)
            for file in parsed.files { for hunk in file.hunks { for line in hunk.lines where line.kind != .removed { #expect(line.newLine >= 0) } } }
            #expect(parsed.coverageGaps.filter { $0.reason == .malformedRegion }.count <= parsed.statistics.malformedRegions)
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
