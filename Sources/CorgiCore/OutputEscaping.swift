/// One escaping function per kind of output, for every string a pull request's author controls
/// (file names, the 4 visible characters of a redacted secret, names from the forge). Each
/// function's invariant is stated on it; `Tests/CorgiCoreTests/OutputEscapingTests.swift` holds
/// the table of hostile inputs they are proven against.

/// Characters that must never reach a reader raw: C0 and C1 controls (ANSI escape sequences start
/// with ESC or CSI), DEL, and the Unicode bidirectional overrides and isolates that make text
/// display in another order than it is stored ("Trojan Source").
public enum ControlCharacters {
    public static func isUnsafe(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F: true
        case 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069, 0x061C: true
        case 0x2028, 0x2029: true  // line and paragraph separators: a line break in disguise
        default: false
        }
    }

    /// `s` with every unsafe character shown as a visible escape (`\u{1B}`), so nothing is hidden
    /// and nothing acts on the terminal. Plain strings come back unchanged.
    public static func visible(_ s: String) -> String {
        guard s.unicodeScalars.contains(where: isUnsafe) else { return s }
        var out = String.UnicodeScalarView()
        for scalar in s.unicodeScalars {
            if isUnsafe(scalar) {
                out.append(contentsOf: "\\u{\(String(scalar.value, radix: 16, uppercase: true))}".unicodeScalars)
            } else {
                out.append(scalar)
            }
        }
        return String(out)
    }
}

/// GitHub-flavoured Markdown, for PR comments, reviews and check-run summaries.
///
/// Untrusted text is only ever placed in a code span: inside one, CommonMark renders no emphasis,
/// link, image or HTML, and GitHub makes no @mention, #reference or autolink. Backslash escapes
/// do not achieve that: GitHub finds mentions in the rendered text, after escapes are gone.
public enum Markdown {
    /// A code span showing `s` literally. The fence is one backtick longer than the longest run of
    /// backticks in `s` (so `s` cannot close it), padded with a space when `s` starts or ends with
    /// a backtick; line breaks and other controls are shown as visible escapes (a code span would
    /// join lines, and a line break ends a table row). An empty string is shown as `""`.
    public static func code(_ s: String) -> String {
        let text = ControlCharacters.visible(s)
        guard !text.isEmpty else { return "`\"\"`" }
        var longest = 0, run = 0
        for c in text {
            run = c == "`" ? run + 1 : 0
            longest = max(longest, run)
        }
        let fence = String(repeating: "`", count: longest + 1)
        let pad = text.first == "`" || text.last == "`" || (text.first == " " && text.last == " ") ? " " : ""
        return fence + pad + text + pad + fence
    }

    /// A code span for a table cell: as `code`, with `|` escaped as GFM tables require (the
    /// table is split on pipes before code spans are parsed; `\|` stays a literal pipe inside).
    public static func codeCell(_ s: String) -> String {
        code(s).replacingEvery("|", with: "\\|")
    }

    /// Text we wrote ourselves (rule messages, counts) placed in a table cell: one line, pipes
    /// escaped. Not for untrusted text, which goes through `code` or `codeCell`.
    public static func trustedCell(_ s: String) -> String {
        ControlCharacters.visible(s.replacingEvery("\n", with: " ")).replacingEvery("|", with: "\\|")
    }
}

/// Plain text shown on a terminal or in a log file: every unsafe character made visible.
public enum TerminalText {
    public static func safe(_ s: String) -> String { ControlCharacters.visible(s) }
}

/// GitHub Actions workflow commands (`::error file=…::message`): the runner reads one command per
/// line and splits properties on `,` and the message on `::`.
public enum WorkflowCommand {
    /// The message part: `%`, CR and LF encoded as the runner expects, other controls made visible.
    public static func message(_ s: String) -> String {
        var out = ""
        for c in s {
            switch c {
            case "%": out += "%25"
            case "\r": out += "%0D"
            case "\n": out += "%0A"
            case "\r\n": out += "%0D%0A"
            default: out.append(c)
            }
        }
        return ControlCharacters.visible(out)
    }

    /// A `key=value` property: as `message`, with `:` and `,` encoded too.
    public static func property(_ s: String) -> String {
        var out = ""
        for c in message(s) {
            switch c {
            case ":": out += "%3A"
            case ",": out += "%2C"
            default: out.append(c)
            }
        }
        return out
    }
}

extension String {
    /// Every occurrence of `target` replaced (Foundation-free).
    func replacingEvery(_ target: Character, with replacement: String) -> String {
        var out = ""
        out.reserveCapacity(count)
        for c in self { if c == target { out += replacement } else { out.append(c) } }
        return out
    }
}
