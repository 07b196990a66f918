import CorgiCore
import Testing

@Suite("Unified diff parser")
struct DiffParserTests {
    @Test("added lines carry their new-file line numbers across hunks")
    func addedLineNumbers() throws {
        let diff = """
            diff --git a/app.py b/app.py
            index 1111111..2222222 100644
            --- a/app.py
            +++ b/app.py
            @@ -1,4 +1,5 @@
             import os
            +import sys
             
             def main():
                 pass
            @@ -20,3 +21,4 @@ def other():
                 a = 1
            -    b = 2
            +    b = 3
            +    c = 4
                 return a
            """
        let parsed = ParsedDiff.parse(diff + "\n")
        #expect(parsed.files.count == 1)
        let file = parsed.files[0]
        #expect(file.header.path == "app.py")
        #expect(file.header.change == .modified)
        #expect(file.addedLineNumbers == [2, 22, 23])
        #expect(file.hunks.count == 2)
        #expect(file.hunks[1].lines.first { $0.kind == .removed }?.oldLine == 21)
        #expect(parsed.statistics.addedLines == 3)
        #expect(parsed.statistics.removedLines == 1)
        #expect(parsed.statistics.hunks == 2)
    }

    @Test("new and deleted files")
    func newAndDeleted() throws {
        let diff = """
            diff --git a/new.txt b/new.txt
            new file mode 100644
            index 0000000..3b18e51
            --- /dev/null
            +++ b/new.txt
            @@ -0,0 +1,2 @@
            +hello
            +world
            diff --git a/old.txt b/old.txt
            deleted file mode 100644
            index 3b18e51..0000000
            --- a/old.txt
            +++ /dev/null
            @@ -1,2 +0,0 @@
            -hello
            -world

            """
        let parsed = ParsedDiff.parse(diff)
        #expect(parsed.files.count == 2)
        #expect(parsed.files[0].header.change == .added)
        #expect(parsed.files[0].header.oldPath == nil)
        #expect(parsed.files[0].header.newPath == "new.txt")
        #expect(parsed.files[0].header.newMode == "100644")
        #expect(parsed.files[0].addedLineNumbers == [1, 2])
        #expect(parsed.files[1].header.change == .deleted)
        #expect(parsed.files[1].header.newPath == nil)
        #expect(parsed.files[1].header.path == "old.txt")
        #expect(parsed.files[1].addedLineNumbers == [])
    }

    @Test("renames and copies, with and without content changes")
    func renamesAndCopies() throws {
        let diff = """
            diff --git a/src/old name.py b/src/new name.py
            similarity index 100%
            rename from src/old name.py
            rename to src/new name.py
            diff --git a/lib/a.py b/lib/b.py
            similarity index 90%
            copy from lib/a.py
            copy to lib/b.py
            index 1111111..2222222 100644
            --- a/lib/a.py
            +++ b/lib/b.py
            @@ -3,2 +3,3 @@ x
             one
            +two
             three

            """
        let parsed = ParsedDiff.parse(diff)
        #expect(parsed.files.count == 2)
        let rename = parsed.files[0].header
        #expect(rename.change == .renamed)
        #expect(rename.oldPath == "src/old name.py")
        #expect(rename.newPath == "src/new name.py")
        #expect(rename.similarity == 100)
        #expect(parsed.files[0].hunks.isEmpty)
        let copy = parsed.files[1].header
        #expect(copy.change == .copied)
        #expect(copy.oldPath == "lib/a.py")
        #expect(copy.newPath == "lib/b.py")
        #expect(parsed.files[1].addedLineNumbers == [4])
    }

    @Test("mode changes")
    func modeChange() throws {
        let diff = """
            diff --git a/run.sh b/run.sh
            old mode 100644
            new mode 100755

            """
        let header = ParsedDiff.parse(diff).files[0].header
        #expect(header.oldMode == "100644")
        #expect(header.newMode == "100755")
        #expect(header.isModeChange)
        #expect(header.change == .modified)
    }

    @Test("binary files are reported, counted and not parsed as text")
    func binaryFiles() throws {
        let diff = """
            diff --git a/logo.png b/logo.png
            new file mode 100644
            index 0000000..a2b3c4d
            Binary files /dev/null and b/logo.png differ
            diff --git a/font.woff b/font.woff
            new file mode 100644
            index 0000000..1234567
            GIT binary patch
            literal 12
            TcmZQzU|?Wi5N2R(U|;|M0K@=;
            
            literal 0
            HcmV?d00001
            
            diff --git a/a.txt b/a.txt
            --- a/a.txt
            +++ b/a.txt
            @@ -1 +1 @@
            -x
            +y

            """
        let parsed = ParsedDiff.parse(diff)
        #expect(parsed.files.map(\.header.path) == ["logo.png", "font.woff", "a.txt"])
        #expect(parsed.files[0].header.isBinary)
        #expect(parsed.files[1].header.isBinary)
        #expect(parsed.files[1].hunks.isEmpty)
        #expect(parsed.statistics.binaryFiles == 2)
        #expect(parsed.files[2].addedLineNumbers == [1])
    }

    @Test("'\\ No newline at end of file' does not count as a line")
    func noNewlineMarker() throws {
        let diff = """
            diff --git a/a.txt b/a.txt
            --- a/a.txt
            +++ b/a.txt
            @@ -1,2 +1,2 @@
             first
            -second
            \\ No newline at end of file
            +second!
            \\ No newline at end of file
            diff --git a/b.txt b/b.txt
            --- a/b.txt
            +++ b/b.txt
            @@ -1 +1,2 @@
             one
            +two

            """
        let parsed = ParsedDiff.parse(diff)
        #expect(parsed.files.count == 2)
        #expect(parsed.files[0].addedLineNumbers == [2])
        #expect(parsed.files[0].hunks[0].lines.first { $0.kind == .added }?.text == "second!")
        #expect(parsed.files[1].addedLineNumbers == [2])
    }

    @Test("CRLF line endings are accepted and stripped from content")
    func crlf() throws {
        let diff = "diff --git a/w.bat b/w.bat\r\n--- a/w.bat\r\n+++ b/w.bat\r\n@@ -1,1 +1,2 @@\r\n echo off\r\n+set KEY=1\r\n"
        let parsed = ParsedDiff.parse(diff)
        #expect(parsed.files[0].header.path == "w.bat")
        let added = parsed.files[0].hunks[0].lines.filter { $0.kind == .added }
        #expect(added.map(\.text) == ["set KEY=1"])
        #expect(added.map(\.newLine) == [2])
    }

    @Test("invalid UTF-8 never stops the parse and keeps positions")
    func invalidUTF8() throws {
        var bytes = Array("diff --git a/b.bin b/b.bin\n--- a/b.bin\n+++ b/b.bin\n@@ -1,0 +1,3 @@\n+ok\n+".utf8)
        bytes += [0xFF, 0xFE, 0xC3, 0x28, 0x80]
        bytes += Array("\n+after\n".utf8)
        let parsed = ParsedDiff.parse(bytes: bytes)
        let added = parsed.files[0].hunks[0].lines
        #expect(added.map(\.newLine) == [1, 2, 3])
        #expect(added[1].bytes == [0xFF, 0xFE, 0xC3, 0x28, 0x80])
        #expect(added[2].text == "after")
    }

    @Test("quoted paths with escapes, spaces and non-ASCII names")
    func quotedPaths() throws {
        let diff = """
            diff --git "a/dir/caf\\303\\251 \\"menu\\".txt" "b/dir/caf\\303\\251 \\"menu\\".txt"
            new file mode 100644
            --- /dev/null
            +++ "b/dir/caf\\303\\251 \\"menu\\".txt"
            @@ -0,0 +1 @@
            +x
            diff --git a/my file.txt b/my file.txt
            --- a/my file.txt\t
            +++ b/my file.txt\t
            @@ -1 +1 @@
            -a
            +b
            diff --git a/tab\\there b/tab\\there
            --- a/x\t2024-01-01 00:00:00
            +++ "b/with\\ttab"
            @@ -1 +1 @@
            -a
            +b

            """
        let parsed = ParsedDiff.parse(diff)
        #expect(parsed.files[0].header.path == "dir/café \"menu\".txt")
        #expect(parsed.files[1].header.path == "my file.txt")
        #expect(parsed.files[1].header.oldPath == "my file.txt")
        #expect(parsed.files[2].header.path == "with\ttab")
    }

    @Test("plain unified diffs (diff -u) without git headers")
    func plainUnified() throws {
        let diff = """
            --- a/config.ini\t2024-05-01 10:00:00.000000000 +0200
            +++ b/config.ini\t2024-05-02 10:00:00.000000000 +0200
            @@ -1,2 +1,3 @@
             [db]
            +password = x
             host = h
            --- /dev/null
            +++ b/new.ini
            @@ -0,0 +1 @@
            +a = 1

            """
        let parsed = ParsedDiff.parse(diff)
        #expect(parsed.files.map(\.header.path) == ["config.ini", "new.ini"])
        #expect(parsed.files[0].addedLineNumbers == [2])
        #expect(parsed.files[1].header.change == .added)
    }

    @Test("a removed line that looks like a file header stays a hunk line")
    func headerLookalikesInsideHunks() throws {
        let diff = """
            diff --git a/q.sql b/q.sql
            --- a/q.sql
            +++ b/q.sql
            @@ -1,3 +1,3 @@
            --- old comment
            +++ new comment
             diff --git is just text here
             @@ not a hunk

            """
        let parsed = ParsedDiff.parse(diff)
        #expect(parsed.files.count == 1)
        let lines = parsed.files[0].hunks[0].lines
        #expect(lines.map(\.kind) == [.removed, .added, .context, .context])
        #expect(lines[1].text == "++ new comment")
        #expect(lines[1].newLine == 1)
    }

    @Test("format-patch mail headers and signatures around the diff are ignored")
    func formatPatch() throws {
        let diff = """
            From 1234 Mon Sep 17 00:00:00 2001
            From: A <a@example.com>
            Subject: [PATCH] change

            ---
             a.txt | 1 +
             1 file changed, 1 insertion(+)

            diff --git a/a.txt b/a.txt
            --- a/a.txt
            +++ b/a.txt
            @@ -1 +1,2 @@
             a
            +b
            -- 
            2.39.5

            """
        let parsed = ParsedDiff.parse(diff)
        #expect(parsed.files.count == 1)
        #expect(parsed.files[0].addedLineNumbers == [2])
    }

    @Test("empty context lines (stripped trailing space) count as context")
    func emptyContextLines() throws {
        let diff = "diff --git a/a b/a\n--- a/a\n+++ b/a\n@@ -1,3 +1,4 @@\n x\n\n+y\n z\n"
        let parsed = ParsedDiff.parse(diff)
        #expect(parsed.files[0].addedLineNumbers == [3])
    }

    @Test("combined (merge) diffs: a line some parent lacked is added, a removed one is not")
    func combinedDiff() throws {
        let diff = """
            diff --cc file.txt
            index 1111111,2222222..3333333
            --- a/file.txt
            +++ b/file.txt
            @@@ -1,1 -1,1 +1,1 @@@
            - a
             -b
            ++c

            """
        let parsed = ParsedDiff.parse(diff)
        #expect(parsed.files.count == 1)
        #expect(parsed.files[0].header.isCombined)
        #expect(parsed.statistics.combinedFiles == 1)
        #expect(parsed.statistics.addedLines == 1)
        #expect(parsed.files[0].addedLineNumbers == [1])
        #expect(parsed.files[0].hunks[0].lines.map(\.kind) == [.removed, .removed, .added])
        #expect(parsed.statistics.malformedRegions == 0)
    }

    @Test("empty input is an empty diff")
    func emptyInput() throws {
        let parsed = ParsedDiff.parse("")
        #expect(parsed.files.isEmpty)
        #expect(parsed.statistics.diffLines == 0)
    }

    @Test("over-long lines are cut at the hard cap, flagged and recorded as not covered")
    func truncatedLines() throws {
        let long = String(repeating: "a", count: 5000)
        let diff = "diff --git a/m.js b/m.js\n--- a/m.js\n+++ b/m.js\n@@ -0,0 +1,2 @@\n+\(long)\n+tail\n"
        let parsed = ParsedDiff.parse(diff, maximumLineLength: 1024, maximumScannedLineLength: 2048)
        let lines = parsed.files[0].hunks[0].lines
        let first = lines.filter { $0.newLine == 1 }
        // Windows of 1,024 bytes overlapping by 256 reach the 2,048-byte cap in three pieces.
        #expect(first.map(\.bytes.count) == [1023, 1024, 512])
        #expect(first.map(\.columnOffset) == [0, 767, 1535])
        #expect(first.last?.isTruncated == true)
        #expect(first.dropLast().allSatisfy { !$0.isTruncated })
        #expect(lines.last?.text == "tail")
        #expect(lines.last?.newLine == 2)
        #expect(parsed.statistics.truncatedLines == 1)
        #expect(parsed.coverageGaps.map(\.reason) == [.lineTooLong])
        #expect(parsed.coverageGaps.first?.firstLine == 5)
        #expect(parsed.coverageGaps.first?.path == "m.js")
    }

    @Test("chunk boundaries anywhere give the same result")
    func chunking() throws {
        let diff = Array("""
            diff --git a/a.txt b/a.txt
            --- a/a.txt
            +++ b/a.txt
            @@ -1,2 +1,3 @@
             one
            +two
             three

            """.utf8)
        let whole = ParsedDiff.parse(bytes: diff)
        for size in [1, 2, 3, 7, 16] {
            var collector = LineCollector()
            let stream = DiffStreamParser()
            var i = 0
            while i < diff.count {
                let piece = Array(diff[i..<min(i + size, diff.count)])
                piece.withUnsafeBytes { stream.feed($0, into: &collector) }
                i += size
            }
            stream.finish(into: &collector)
            #expect(collector.added == whole.files[0].hunks[0].lines.filter { $0.kind == .added }.map { [$0.newLine] + $0.bytes.map(Int.init) })
        }
    }
}

struct LineCollector: DiffConsumer {
    var added: [[Int]] = []
    mutating func beginFile(_ header: FileHeader) {}
    mutating func line(_ line: DiffLine) {
        if line.kind == .added { added.append([line.newLine] + line.bytes.map(Int.init)) }
    }
}
