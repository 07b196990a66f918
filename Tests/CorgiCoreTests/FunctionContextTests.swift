import CorgiCore
import Testing

/// Hunks widened to their functions from the new file's text: the added and removed lines and
/// their numbers never change, every added context line is the file's line at that number, and
/// a file that disagrees with its hunks is left alone.
@Suite("Function context")
struct FunctionContextTests {
    /// A Python file: a decorated view whose source is far above the changed line.
    static let view: [String] = [
        "import subprocess",                          // 1
        "",                                           // 2
        "# Archives the upload.",                     // 3
        "@app.route(\"/archive\")",                   // 4
        "def archive():",                             // 5
        "    name = request.args.get(\"name\")",      // 6
        "    size = 10",                              // 7
        "    log(size)",                              // 8
        "    size += 1",                              // 9
        "    log(size)",                              // 10
        "    mode = \"gz\"",                          // 11
        "    subprocess.run(\"tar -xf \" + name, shell=True)",  // 12
        "    log(mode)",                              // 13
        "    return \"ok\"",                          // 14
        "",                                           // 15
        "",                                           // 16
        "def other():",                               // 17
        "    return 1",                               // 18
    ]

    static func text(_ lines: [String]) -> [UInt8] { Array((lines.joined(separator: "\n") + "\n").utf8) }

    /// Lines as `kind new old text`, to compare the parts a widening must keep.
    static func changes(_ diff: [UInt8]) -> [String] {
        ParsedDiff.parse(bytes: diff).files.flatMap { file in
            file.hunks.flatMap(\.lines).filter { $0.kind != .context }.map { "\(file.header.path) \($0.kind) \($0.newLine) \($0.oldLine) \($0.text)" }
        }
    }

    /// Every context line must be the file's line at its new number.
    static func contextAgrees(_ diff: [UInt8], path: String, file: [String]) -> Bool {
        let parsed = ParsedDiff.parse(bytes: diff)
        guard parsed.statistics.malformedRegions == 0 else { return false }
        return parsed.files.filter { $0.header.path == path }.allSatisfy { f in
            f.hunks.flatMap(\.lines).filter { $0.kind == .context }.allSatisfy { $0.text == file[$0.newLine - 1] }
        }
    }

    static let oneLineDiff = """
        diff --git a/app.py b/app.py
        --- a/app.py
        +++ b/app.py
        @@ -9,6 +9,7 @@ def archive():
             size += 1
             log(size)
             mode = "gz"
        +    subprocess.run("tar -xf " + name, shell=True)
             log(mode)
             return "ok"
         

        """

    @Test("a hunk grows to its whole function, with the comment and decorator above it, and not into the next")
    func wholeFunction() throws {
        let diff = Array(Self.oneLineDiff.utf8)
        let out = FunctionContext.widen(diff, newFiles: ["app.py": Self.text(Self.view)])
        #expect(out.widened == 1 && out.mismatched.isEmpty)
        let parsed = ParsedDiff.parse(bytes: out.diff)
        let hunk = try #require(parsed.files.first?.hunks.first)
        #expect(parsed.files.first?.hunks.count == 1)
        // Lines 3 (the comment) to 15 (the hunk's own last line); not the empty line 16.
        #expect(hunk.header.newStart == 3 && hunk.header.newCount == 13)
        #expect(hunk.header.oldStart == 3 && hunk.header.oldCount == 12)
        #expect(hunk.lines.first?.text == "# Archives the upload.")
        #expect(hunk.lines.contains { $0.newLine == 6 && $0.kind == .context })
        #expect(Self.changes(out.diff) == Self.changes(diff))
        #expect(Self.contextAgrees(out.diff, path: "app.py", file: Self.view))
    }

    @Test("two hunks in one function become one hunk; the lines between are context")
    func mergedHunks() throws {
        let diff = Array("""
            diff --git a/app.py b/app.py
            --- a/app.py
            +++ b/app.py
            @@ -5,3 +5,3 @@
             def archive():
            -    name = "fixed"
            +    name = request.args.get("name")
                 size = 10
            @@ -10,4 +10,5 @@
                 log(size)
                 mode = "gz"
            +    subprocess.run("tar -xf " + name, shell=True)
                 log(mode)
                 return "ok"

            """.utf8)
        let out = FunctionContext.widen(diff, newFiles: ["app.py": Self.text(Self.view)])
        let hunks = ParsedDiff.parse(bytes: out.diff).files[0].hunks
        #expect(hunks.count == 1)
        #expect(hunks[0].header.newStart == 3 && hunks[0].header.newCount == 12)
        #expect(hunks[0].header.oldStart == 3 && hunks[0].header.oldCount == 11)
        #expect(Self.changes(out.diff) == Self.changes(diff))
        #expect(Self.contextAgrees(out.diff, path: "app.py", file: Self.view))
    }

    @Test("a file whose text differs from its hunks is left byte for byte, and named")
    func mismatch() {
        var changed = Self.view
        changed[10] = "    mode = \"bz2\""  // line 11 is a context line of the hunk
        let diff = Array(Self.oneLineDiff.utf8)
        let out = FunctionContext.widen(diff, newFiles: ["app.py": Self.text(changed)])
        #expect(out.diff == diff)
        #expect(out.mismatched == ["app.py"] && out.widened == 0)
        // Too short a text (the file was cut, or the diff points past its end) is a mismatch too.
        let cut = FunctionContext.widen(diff, newFiles: ["app.py": Self.text(Array(Self.view.prefix(11)))])
        #expect(cut.diff == diff && cut.mismatched == ["app.py"])
    }

    @Test("other files, headers and trailing text pass through unchanged; new files stay as they are")
    func passThrough() {
        let other = """
            diff --git a/README.md b/README.md
            --- a/README.md
            +++ b/README.md
            @@ -1 +1 @@
            -old
            +new
            diff --git a/new.py b/new.py
            new file mode 100644
            --- /dev/null
            +++ b/new.py
            @@ -0,0 +1,2 @@
            +def f():
            +    return 1

            """
        let diff = Array((Self.oneLineDiff + other).utf8)
        let out = FunctionContext.widen(diff, newFiles: ["app.py": Self.text(Self.view), "new.py": Array("def f():\n    return 1\n".utf8)])
        #expect(out.widened == 2)
        let text = String(decoding: out.diff, as: UTF8.self)
        #expect(text.hasSuffix(other))
        #expect(Self.changes(out.diff) == Self.changes(diff))
        #expect(FunctionContext.widen(diff, newFiles: [:]).diff == diff)
    }

    @Test("a missing newline at the end of the file stays with its line")
    func noNewlineAtEnd() throws {
        let file = ["def f(x):", "    y = x", "    run(y)"]
        let diff = Array("""
            diff --git a/f.py b/f.py
            --- a/f.py
            +++ b/f.py
            @@ -3 +3 @@
            -    run(1)
            \\ No newline at end of file
            +    run(y)
            \\ No newline at end of file

            """.utf8)
        let out = FunctionContext.widen(diff, newFiles: ["f.py": Array(file.joined(separator: "\n").utf8)])
        let hunk = try #require(ParsedDiff.parse(bytes: out.diff).files.first?.hunks.first)
        #expect(hunk.header.newStart == 1 && hunk.header.newCount == 3)
        #expect(Self.changes(out.diff) == Self.changes(diff))
        #expect(String(decoding: out.diff, as: UTF8.self).hasSuffix("+    run(y)\n\\ No newline at end of file\n"))
    }

    @Test("CRLF files: lines are compared without their CR and context keeps it, as the file has it")
    func crlf() throws {
        let file = ["def f(x):", "    y = x", "    z = 1", "    w = 2", "    v = 3", "    run(y)", ""].joined(separator: "\r\n")
        let diff = Array("diff --git a/f.py b/f.py\n--- a/f.py\n+++ b/f.py\n@@ -3,3 +3,4 @@\n     z = 1\r\n     w = 2\r\n     v = 3\r\n+    run(y)\r\n".utf8)
        let out = FunctionContext.widen(diff, newFiles: ["f.py": Array(file.utf8)])
        #expect(out.widened == 1 && out.mismatched.isEmpty)
        let hunk = try #require(ParsedDiff.parse(bytes: out.diff).files.first?.hunks.first)
        #expect(hunk.header.newStart == 1 && hunk.header.newCount == 6)
        #expect(String(decoding: out.diff, as: UTF8.self).contains("\n def f(x):\r\n     y = x\r\n"))
        #expect(Self.changes(out.diff) == Self.changes(diff))
    }

    @Test("the paths worth reading: changed files that gained lines, not new, binary or deleted ones")
    func changedPaths() {
        let diff = Array("""
            diff --git a/gone.py b/gone.py
            deleted file mode 100644
            --- a/gone.py
            +++ /dev/null
            @@ -1 +0,0 @@
            -x = 1
            diff --git a/only_removed.py b/only_removed.py
            --- a/only_removed.py
            +++ b/only_removed.py
            @@ -1,2 +1 @@
             a = 1
            -b = 2
            diff --git a/logo.png b/logo.png
            Binary files a/logo.png and b/logo.png differ
            diff --git a/new.py b/new.py
            new file mode 100644
            --- /dev/null
            +++ b/new.py
            @@ -0,0 +1 @@
            +x = 1

            """.utf8) + Array(Self.oneLineDiff.utf8)
        #expect(FunctionContext.changedPaths(in: diff) == ["app.py"])
    }

    /// Random files and random edits, written as git writes hunks (three lines of context, hunks
    /// closer than that merged): after widening, the changes are the same, context agrees with
    /// the file, and the diff parses without a malformed region.
    @Test("widening keeps every change and only adds the file's own lines (random edits)")
    func randomEdits() {
        var random = SystemRandomNumberGenerator()
        let words = ["def run(x):", "    y = x", "", "class A:", "    def m(self):", "        return 1", "$v = 2;", "}", "  // note", "_init()"]
        var grew = 0
        for _ in 0..<300 {
            let count = Int.random(in: 1...40, using: &random)
            let new = (0..<count).map { k in words.randomElement(using: &random)! + (Bool.random(using: &random) ? " #\(k)" : "") }
            // Changes: (new line where added lines start, how many added, how many removed before them).
            var changes: [(at: Int, added: Int, removed: Int)] = []
            var line = 1
            while line <= count {
                line += Int.random(in: 0...8, using: &random)
                guard line <= count else { break }
                let added = Int.random(in: 0...min(3, count - line + 1), using: &random)
                let removed = Int.random(in: added == 0 ? 1...2 : 0...2, using: &random)
                changes.append((line, added, removed))
                line += added + 1
            }
            guard !changes.isEmpty else { continue }
            let diff = Self.gitStyleDiff(path: "r.py", new: new, changes: changes)
            let out = FunctionContext.widen(diff, newFiles: ["r.py": Self.text(new)])
            #expect(out.mismatched.isEmpty, "\(String(decoding: diff, as: UTF8.self))")
            #expect(Self.changes(out.diff) == Self.changes(diff), "\(String(decoding: diff, as: UTF8.self))")
            #expect(Self.contextAgrees(out.diff, path: "r.py", file: new), "\(String(decoding: out.diff, as: UTF8.self))")
            if out.diff.count > diff.count { grew += 1 }
        }
        // The property is only worth something if most cases did widen.
        #expect(grew > 100)
    }

    /// A unified diff of `new` against an old file that had `removed` other lines before each
    /// change's added lines, hunks formed the way git forms them.
    static func gitStyleDiff(path: String, new: [String], changes: [(at: Int, added: Int, removed: Int)]) -> [UInt8] {
        // Per new line: whether it was added; removed lines sit before new line `at`.
        var added = Set<Int>()
        var removedBefore: [Int: Int] = [:]
        for c in changes {
            for k in 0..<c.added { added.insert(c.at + k) }
            removedBefore[c.at, default: 0] += c.removed
        }
        // Walk the merged sequence of rows: (kind, new line, old line).
        var rows: [(kind: Character, new: Int, old: Int, text: String)] = []
        var old = 1
        for n in 1...(new.count + 1) {
            for r in 0..<(removedBefore[n] ?? 0) { rows.append(("-", 0, old, "gone \(old) \(r)")); old += 1 }
            guard n <= new.count else { break }
            if added.contains(n) { rows.append(("+", n, 0, new[n - 1])) } else { rows.append((" ", n, old, new[n - 1])); old += 1 }
        }
        let changed = rows.indices.filter { rows[$0].kind != " " }
        var out = "diff --git a/\(path) b/\(path)\n--- a/\(path)\n+++ b/\(path)\n"
        var k = 0
        while k < changed.count {
            var last = changed[k]
            var j = k + 1
            while j < changed.count, changed[j] - last <= 7 { last = changed[j]; j += 1 }
            let from = max(0, changed[k] - 3), to = min(rows.count - 1, last + 3)
            let slice = rows[from...to]
            let oldCount = slice.filter { $0.kind != "+" }.count, newCount = slice.filter { $0.kind != "-" }.count
            // The first old and new line numbers the hunk touches, or the line before when none.
            let oldRows = rows[..<from].filter { $0.kind != "+" }.count
            let newRows = rows[..<from].filter { $0.kind != "-" }.count
            out += "@@ -\(oldCount == 0 ? oldRows : oldRows + 1),\(oldCount) +\(newCount == 0 ? newRows : newRows + 1),\(newCount) @@\n"
            for row in slice { out += "\(row.kind)\(row.text)\n" }
            k = j
        }
        return Array(out.utf8)
    }
}
