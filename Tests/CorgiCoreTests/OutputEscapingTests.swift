import CorgiCore
import Testing

/// The table of hostile inputs every escaping function is proven against (docs/security.md,
/// promise 9). Each row is something a pull request's author controls: a file name, the visible
/// prefix of a secret.
@Suite("One escaping function per output kind, against hostile inputs")
struct OutputEscapingTests {
    static let hostile: [String] = [
        "plain/path.py",
        "`[reset your password](https://evil.example/login)` @octo/owners",
        "``` ``double`` ```",
        "`",
        "``",
        " leading and trailing ",
        "<img src=x onerror=alert(1)> <!-- comment",
        "a|b|c",
        "line\nbreak\r\nand\rreturn",
        "\u{1B}[2J\u{1B}]0;title\u{07}\u{1B}[31mred",
        "tab\tand\u{0}nul\u{7F}del\u{85}next-line",
        "\u{202E}gnp.exe\u{202C} \u{2066}isolate\u{2069}",
        "separator\u{2028}here",
        "#1 @here :emoji: ![i](x) [l]: http://x",
        "",
    ]

    /// The text a CommonMark code span shows: the content between fences, one leading and one
    /// trailing space stripped when both are there and the content is not all spaces.
    static func codeSpanContent(_ span: String) -> String? {
        let fence = span.prefix { $0 == "`" }
        guard !fence.isEmpty, span.hasSuffix(String(fence)), span.count >= 2 * fence.count else { return nil }
        var inner = String(span.dropFirst(fence.count).dropLast(fence.count))
        // The content holds no run of exactly the fence's length, so nothing closes it early.
        var run = 0
        for c in inner + "x" {
            if c == "`" { run += 1 } else {
                if run == fence.count { return nil }
                run = 0
            }
        }
        if inner.hasPrefix(" "), inner.hasSuffix(" "), inner.contains(where: { $0 != " " }) {
            inner = String(inner.dropFirst().dropLast())
        }
        return inner
    }

    static func hasUnsafe(_ s: String) -> Bool { s.unicodeScalars.contains(where: ControlCharacters.isUnsafe) }

    @Test("Markdown.code: one code span showing the text, with nothing to break out of it", arguments: hostile)
    func markdownCode(_ input: String) throws {
        let span = Markdown.code(input)
        #expect(!Self.hasUnsafe(span))
        let shown = try #require(Self.codeSpanContent(span), "not one code span: \(span.debugDescription)")
        #expect(shown == (input.isEmpty ? "\"\"" : ControlCharacters.visible(input)))
        #expect(!span.contains("\n") && !span.contains("\r"))
    }

    @Test("Markdown.codeCell: as code, and no bare pipe to split a table row", arguments: hostile)
    func markdownCell(_ input: String) {
        let cell = Markdown.codeCell(input)
        var previous: Character = " "
        for c in cell {
            #expect(!(c == "|" && previous != "\\"), "bare pipe in \(cell.debugDescription)")
            previous = c
        }
        #expect(!Self.hasUnsafe(cell))
    }

    @Test("TerminalText: no control character reaches a terminal; plain text is unchanged", arguments: hostile)
    func terminal(_ input: String) {
        let safe = TerminalText.safe(input)
        #expect(!Self.hasUnsafe(safe))
        if !Self.hasUnsafe(input) { #expect(safe == input) }
        if input.contains("\u{1B}") { #expect(safe.contains("\\u{1B}")) }
    }

    @Test("WorkflowCommand: one line, properties cannot end early", arguments: hostile)
    func workflowCommand(_ input: String) {
        let message = WorkflowCommand.message(input)
        let property = WorkflowCommand.property(input)
        for s in [message, property] {
            #expect(!Self.hasUnsafe(s))
            #expect(!s.contains("\n") && !s.contains("\r"))
        }
        #expect(!property.contains(",") && !property.contains(":"))
        if input.contains("\n") { #expect(message.contains("%0A")) }
        #expect(WorkflowCommand.message("100%") == "100%25")
    }
}
