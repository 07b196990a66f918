import CorgiCore
import Testing

/// Every diff format users pipe into `corgi scan`: each test is a small hand-written sample of
/// what git (or GNU diff, GitHub, GitLab) prints, with the lines and commits it must yield.
@Suite("Diff formats")
struct DiffFormatTests {
    static let sha1 = "1111111111111111111111111111111111111111"
    static let sha2 = "2222222222222222222222222222222222222222"
    static let sha3 = "3333333333333333333333333333333333333333"

    /// Added lines as (commit, path, new line, text).
    static func added(_ parsed: ParsedDiff) -> [String] {
        parsed.files.flatMap { file in
            file.hunks.flatMap(\.lines).filter { $0.kind == .added }.map {
                "\(file.header.commit.map { String($0.prefix(7)) } ?? "-") \(file.header.path):\($0.newLine) \($0.text)"
            }
        }
    }

    @Test("git log -p: indented message lines after a hunk are commentary, and each file has its commit")
    func gitLogPatch() {
        let diff = """
            commit \(Self.sha2)
            Author: A <a@example.com>
            Date:   Mon Nov 23 00:36:02 2026 +0000

                Second

                + an indented message line that looks like an added line
                 and one that looks like context

            diff --git a/a.txt b/a.txt
            index 1..2 100644
            --- a/a.txt
            +++ b/a.txt
            @@ -1 +1,2 @@
             one
            +two

            commit \(Self.sha1)
            Author: A <a@example.com>
            Date:   Sun Nov 22 00:36:02 2026 +0000

                First
                
                diff --git a/fake b/fake

            diff --git a/a.txt b/a.txt
            new file mode 100644
            --- /dev/null
            +++ b/a.txt
            @@ -0,0 +1 @@
            +one

            """
        let parsed = ParsedDiff.parse(diff)
        #expect(Self.added(parsed) == ["2222222 a.txt:2 two", "1111111 a.txt:1 one"])
        #expect(parsed.statistics.commits == 2)
        #expect(parsed.statistics.malformedRegions == 0)
        #expect(parsed.coverageGaps.isEmpty)
    }

    @Test("git log -p --stat --format=fuller, with decorations and a merge's -m diffs")
    func gitLogFullerStatAndMerges() {
        let diff = """
            commit \(Self.sha3) (from \(Self.sha1))
            Merge: 1111111 2222222
            Author:     A <a@example.com>
            AuthorDate: Mon Nov 23 00:36:02 2026 +0000
            Commit:     A <a@example.com>
            CommitDate: Mon Nov 23 00:36:02 2026 +0000

                Merge branch 'x'
            ---
             b.txt | 1 +
             1 file changed, 1 insertion(+)

            diff --git a/b.txt b/b.txt
            --- a/b.txt
            +++ b/b.txt
            @@ -1 +1,2 @@
             b
            +from x

            commit \(Self.sha1) (HEAD -> main, tag: v1)
            Author:     A <a@example.com>

                First
            ---
             b.txt | 1 +

            diff --git a/b.txt b/b.txt
            --- a/b.txt
            +++ b/b.txt
            @@ -0,0 +1 @@
            +b

            """
        let parsed = ParsedDiff.parse(diff)
        #expect(Self.added(parsed) == ["3333333 b.txt:2 from x", "1111111 b.txt:1 b"])
        #expect(parsed.statistics.malformedRegions == 0)
    }

    @Test("git log -p --cc: a merge's own lines are added, with the merge's commit")
    func gitLogCombined() {
        let diff = """
            commit \(Self.sha3)
            Merge: 1111111 2222222

                Merge

            diff --cc c.txt
            index 1111111,2222222..3333333
            --- a/c.txt
            +++ b/c.txt
            @@@ -1,2 -1,2 +1,3 @@@
              same
            - gone from one
             +from the second parent
            ++evil merge line
            - removed after the new side ends
            diff --git a/d.txt b/d.txt
            --- a/d.txt
            +++ b/d.txt
            @@ -1 +1 @@
            -x
            +y

            """
        let parsed = ParsedDiff.parse(diff)
        #expect(Self.added(parsed) == ["3333333 c.txt:2 from the second parent", "3333333 c.txt:3 evil merge line", "3333333 d.txt:1 y"])
        #expect(parsed.statistics.combinedFiles == 1)
        #expect(parsed.statistics.malformedRegions == 0)
    }

    @Test("git format-patch --stdout: mbox separators, message lines, the -- signature")
    func formatPatchMbox() {
        let diff = """
            From \(Self.sha1) Mon Sep 17 00:00:00 2001
            From: A <a@example.com>
            Date: Sun, 22 Nov 2026 00:36:02 +0000
            Subject: [PATCH 1/2] First

            + a message line that starts with a plus
             and one with a space
            commit \(Self.sha3)
            ---
             a.txt | 1 +
             1 file changed, 1 insertion(+)

            diff --git a/a.txt b/a.txt
            --- a/a.txt
            +++ b/a.txt
            @@ -1 +1,2 @@
             one
            +two
            -- 
            2.43.0


            From \(Self.sha2) Mon Sep 17 00:00:00 2001
            From: A <a@example.com>
            Subject: [PATCH 2/2] Second

            ---
            diff --git a/a.txt b/a.txt
            --- a/a.txt
            +++ b/a.txt
            @@ -2 +2,2 @@
             two
            +three
            -- 
            2.43.0

            """
        let parsed = ParsedDiff.parse(diff)
        // The `commit <sha>` line inside an mbox message does not change the commit.
        #expect(Self.added(parsed) == ["1111111 a.txt:2 two", "2222222 a.txt:3 three"])
        #expect(parsed.statistics.commits == 2)
        #expect(parsed.statistics.malformedRegions == 0)
    }

    @Test("GitHub and GitLab .diff downloads: a plain git diff without commits")
    func forgeDiffDownload() {
        let diff = """
            diff --git a/src/app.py b/src/app.py
            index 1111111..2222222 100644
            --- a/src/app.py
            +++ b/src/app.py
            @@ -10,3 +10,4 @@ def main():
                 a = 1
            +    b = 2
                 return a
             
            diff --git a/img.png b/img.png
            new file mode 100644
            index 0000000..3333333
            Binary files /dev/null and b/img.png differ

            """
        let parsed = ParsedDiff.parse(diff)
        #expect(Self.added(parsed) == ["- src/app.py:11     b = 2"])
        #expect(parsed.statistics.binaryFiles == 1)
        #expect(parsed.coverageGaps.map(\.reason) == [.binaryFile])
        #expect(parsed.coverageGaps.first?.path == "img.png")
    }

    @Test("diff -ruN: command lines between files, timestamps after the paths")
    func gnuRecursiveDiff() {
        let diff = """
            diff -ruN old/a.c new/a.c
            --- old/a.c\t2026-11-22 00:00:00.000000000 +0000
            +++ new/a.c\t2026-11-23 00:00:00.000000000 +0000
            @@ -1,2 +1,3 @@
             int a;
            +int b;
             int c;
            diff -ruN old/z.c new/z.c
            --- old/z.c\t1970-01-01 00:00:00.000000000 +0000
            +++ new/z.c\t2026-11-23 00:00:00.000000000 +0000
            @@ -0,0 +1 @@
            +int z;
            Only in new: extra

            """
        let parsed = ParsedDiff.parse(diff)
        #expect(Self.added(parsed) == ["- new/a.c:2 int b;", "- new/z.c:1 int z;"])
        #expect(parsed.statistics.malformedRegions == 0)
    }

    @Test("CRLF line ends and trailing garbage")
    func crlfAndTrailingGarbage() {
        let diff = "commit \(Self.sha1)\r\n\r\n    Message\r\n\r\ndiff --git a/w.txt b/w.txt\r\n--- a/w.txt\r\n+++ b/w.txt\r\n"
            + "@@ -1 +1,2 @@\r\n one\r\n+two\r\n\r\nSent from a terminal\r\n$ \r\n"
        let parsed = ParsedDiff.parse(diff)
        #expect(Self.added(parsed) == ["1111111 w.txt:2 two"])
        #expect(parsed.statistics.malformedRegions == 0)
    }

    @Test("a line longer than one window arrives in overlapping pieces with its line number")
    func longLineWindows() {
        let content = (0..<300).map { String(UnicodeScalar(UInt8(97 + $0 % 26))) }.joined()
        let diff = "diff --git a/l.txt b/l.txt\n--- a/l.txt\n+++ b/l.txt\n@@ -0,0 +1,2 @@\n+\(content)\n+next\n"
        let parsed = ParsedDiff.parse(diff, maximumLineLength: 128)
        let pieces = parsed.files[0].hunks[0].lines.filter { $0.newLine == 1 }
        #expect(pieces.count > 1)
        #expect(pieces.first?.isContinuation == false)
        #expect(pieces.dropFirst().allSatisfy { $0.isContinuation })
        // Every piece is the content at its offset, and together they cover all of it.
        let scalars = Array(content.utf8)
        var covered = 0
        for piece in pieces {
            #expect(Array(scalars[piece.columnOffset..<(piece.columnOffset + piece.bytes.count)]) == piece.bytes)
            #expect(piece.columnOffset <= covered)  // overlapping, never leaving a hole
            covered = piece.columnOffset + piece.bytes.count
        }
        #expect(covered == scalars.count)
        #expect(parsed.statistics.longLines == 1)
        #expect(parsed.statistics.truncatedLines == 0)
        #expect(parsed.coverageGaps.isEmpty)
        #expect(parsed.files[0].hunks[0].lines.last?.text == "next")
        #expect(parsed.files[0].hunks[0].lines.last?.newLine == 2)
    }

    @Test("pieces of a long line are the same however the input is chunked")
    func longLineChunking() {
        let diff = Array(("diff --git a/l b/l\n--- a/l\n+++ b/l\n@@ -0,0 +1,2 @@\n+" + String(repeating: "xy", count: 400) + "\r\n+z\n").utf8)
        let whole = ParsedDiff.parse(bytes: diff, maximumLineLength: 100)
        for size in [1, 7, 99, 100, 101, 4096] {
            var collector = PieceCollector()
            let stream = DiffStreamParser(maximumLineLength: 100)
            var i = 0
            while i < diff.count {
                Array(diff[i..<min(i + size, diff.count)]).withUnsafeBytes { stream.feed($0, into: &collector) }
                i += size
            }
            stream.finish(into: &collector)
            #expect(collector.pieces == whole.files[0].hunks[0].lines.map { "\($0.newLine)@\($0.columnOffset):\($0.text)" }, "chunk size \(size)")
            #expect(stream.statistics == whole.statistics)
        }
        #expect(whole.statistics.bytes == diff.count)
    }
}

struct PieceCollector: DiffConsumer {
    var pieces: [String] = []
    mutating func beginFile(_ header: FileHeader) {}
    mutating func line(_ line: DiffLine) { pieces.append("\(line.newLine)@\(line.columnOffset):\(line.text)") }
}
