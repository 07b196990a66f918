import Foundation
/// The shared grammar of "a name, then its value" that keyword-context rules refer to instead of
/// spelling their own.
///
/// A rule's regex names a piece with PCRE's subroutine syntax, `(?&assign)`, and the loader
/// replaces it with the piece's text before compiling. So one tested definition serves every
/// rule, a rule file stays readable, and the compiled pattern has no recursion. The pieces:
///
/// - `(?&assign)`: what stands between a key name and its value in the syntaxes users write:
///   `=`, `:`, `:=`, `::=`, `:::=`, `?=`, `+=`, `!=`, `.=`, `=>`, `->`, fallbacks (`||`, `??`),
///   brace initialisation (`K{"v"}`), a type annotation
///   (`: String =`, Go `string =`), call arguments (`("K", "v")`), subscripts (`["K"] = "v"`),
///   white space (`ENV K v`, `set -x K v`), a dash between spaces as notes label a value
///   (`slack token - 'v'`), XML (`<k>v`, `k="v"`, `key="K" value="v"`), YAML
///   block scalars (`k: |` then the value on the next line), JSON strings that embed a config
///   (`\"k\": \"v\"`), HTTP headers (`Authorization: Bearer v`) and string prefixes (`@"`, `r'`,
///   `"""`). At most 48 bytes, and at most one line break (a value on the next line).
/// - `(?&near)`: a provider's name is near the value: up to 40 bytes of anything, line breaks
///   included, lazily. Measured from the end of the name to the start of the value, it covers a
///   key such as `TELEGRAM_BOT_TOKEN_PRODUCTION = "` and a log line that names the service
///   before the key; a value farther away is not attributed to that provider.
/// - `(?&vstart)` / `(?&vend)`: the value is a whole token: it starts after a delimiter (white
///   space, a quote, `=:>(,[{|` or the start of a line) and ends at one (quote, white space,
///   `,;)]}<>|&`, an escape such as `\n`, or the end of the line). A value glued to `?`, `#`, `$`
///   or `@` is not a credential but part of something else.
/// - `(?&secretword)`: a word of a name that says the value is a secret (secret, token, password,
///   passwd, pwd, passphrase, API/access/auth/private/signing/encryption/master key,
///   credential), in any case; also `pass` where it is a whole part of the name (`DB_PASS`,
///   `smtpPass`, `ansible_become_pass`), never inside a word (compass, passenger, bypass).
/// - `(?&token)`: the generic shape of a credential when the provider documents none: 16 to 512
///   characters of `[A-Za-z0-9_-+/.~]` (and base64's `=` padding at the end), with a digit and a
///   letter (or, from 32 characters on, both letter cases), starting with a letter or a digit.
public enum ValueGrammar {
    /// The pieces by name, in the order they are substituted (a piece may use a later one).
    public static let pieces: [(name: String, text: String)] = [
        ("assign", assign),
        ("near", near),
        ("token", token),
        ("secretword", secretWord),
        ("vstart", valueStart),
        ("vend", valueEnd),
    ]

    /// Key-to-value glue. Alternatives, each optional, in the order they appear in real syntax.
    static let assign: String = {
        // The key's own closing quote, bracket or escaped quote (`"K"`, `['K']`, `\"K\"`, `$K`).
        let closeKey = #"(?:\\?["'`]|\]|\)){0,3}"#
        // A type annotation or Go's type after the name: `: String`, ` string`, `: str`.
        let type = #"(?:\s{0,3}:?\s{0,3}(?:\[\])?(?:string|String|str|&str|char\s?\*|\[\]byte|Secret|SecureString|text)\??\s{0,3}(?=[:=]))?"#
        // The operator, or a call argument separator, or a tag end, or plain spaces; a fallback
        // (`process.env.K || "v"`, `K ?? "v"`) hard-codes the value all the same, and C++ brace
        // initialisation (`Key{"v"}`) assigns it.
        let op = #"(?:\s{0,5}(?:::?:?=|[?+!.:]=|=>|->|\|\||\?\?|=|:|,|>|\{|(?<=\s)-(?=\s)|\s)\s{0,5})"#
        // XML: `<add key="K" value="v"/>`, `<entry name="K">`: up to one attribute in between.
        let xmlValueAttribute = #"(?:\s{1,3}(?:value|content|secret|password|token)\s{0,3}=\s{0,3})?"#
        // A YAML block scalar indicator or a value on the next line (XML bodies, heredocs).
        let nextLine = #"(?:[|>][+-]?[0-9]?\s{0,5})?(?:\r?\n[ \t]{0,40})?"#
        // HTTP auth schemes and string prefixes before the value itself.
        let scheme = #"(?:(?:Bearer|Basic|Token|token|Bot|Key|key|ApiKey|apikey)\s{1,3})?"#
        let open = #"(?:[@rRbBuUfF]{0,2}(?:\\?["'`]){1,3})?"#
        return "(?:" + closeKey + type + op + xmlValueAttribute + open + nextLine + scheme + open + ")"
    }()

    static let near = #"[\s\S]{0,40}?"#

    static let secretWord: String = {
        // `pass` as a whole part: not after a letter (`DB_PASS`, `pass:`), or capitalised after
        // a lowercase letter or digit (`smtpPass`); not followed by a lowercase letter.
        let pass = #"(?-i:(?<![A-Za-z])pass(?![A-Za-z])|(?<![A-Za-z])PASS(?![A-Za-z])|(?<![A-Z])Pass(?![a-z]))"#
        let words = #"secret|token|passw(?:or)?d|passphrase|pwd|"# + pass
            + #"|api[_.-]?key|access[_.-]?key|auth[_.-]?key|private[_.-]?key|credentials?|signing[_.-]?key|encryption[_.-]?key|master[_.-]?key"#
        return "(?i:" + words + ")"
    }()

    static let valueStart = #"(?<=[\s"'`=:>(,\[{|]|^)"#
    static let valueEnd = #"(?=["'`\s,;)\]}<>|&]|\\[nrt"'\\]|$)"#

    static let token: String = {
        let char = "[A-Za-z0-9_+/.~-]"
        // A digit and a letter; or, from 32 characters on, both letter cases (a random base64 or
        // base62 value of that length has no digit once in a few thousand draws).
        let digitAndLetter = "(?=\(char){0,511}[0-9])(?=\(char){0,511}[A-Za-z])"
        let longMixedCase = "(?=\(char){0,511}[a-z])(?=\(char){0,511}[A-Z])(?=\(char){32})"
        return "(?:" + digitAndLetter + "|" + longMixedCase + ")[A-Za-z0-9]\(char){14,510}[A-Za-z0-9_+/~-]={0,2}"
    }()

    /// `pattern` with every `(?&name)` of a known piece replaced by its text. Unknown names are
    /// left alone, so PCRE2 reports them (a real subroutine call needs a named group). One pass
    /// over the pattern: thousands of rules are expanded at every start.
    public static func expand(_ pattern: String) -> String {
        let bytes = Array(pattern.utf8)
        guard bytes.contains(UInt8(ascii: "&")) else { return pattern }
        // Byte-level: `(?&`, a name and `)` are ASCII, so cutting there never splits a character.
        var result: [UInt8] = []
        result.reserveCapacity(bytes.count * 4)
        var i = 0
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "("), i + 2 < bytes.count, bytes[i + 1] == UInt8(ascii: "?"), bytes[i + 2] == UInt8(ascii: "&"),
               let close = bytes[(i + 3)...].firstIndex(of: UInt8(ascii: ")")),
               let text = pieceBytes[String(decoding: bytes[(i + 3)..<close], as: UTF8.self)]
            {
                result += text
                i = close + 1
            } else {
                result.append(bytes[i])
                i += 1
            }
        }
        return String(decoding: result, as: UTF8.self)
    }

    static let pieceBytes: [String: [UInt8]] = piece.mapValues { Array($0.utf8) }

    /// The pieces by name, expanded (a piece may use a later one).
    static let piece: [String: String] = {
        var table: [String: String] = [:]
        for (name, text) in pieces.reversed() {
            var expanded = text
            for (other, otherText) in table { expanded = expanded.replacingOccurrences(of: "(?&\(other))", with: otherText) }
            table[name] = expanded
        }
        return table
    }()

    /// A keyword-context regex: one of `names` (in any case style), then the value near it.
    ///
    /// A name of several words (`abuse ipdb`) matches `abuseipdb`, `abuse_ipdb`, `AbuseIPDB`,
    /// `abuse-ipdb` and `abuse.ipdb`. A name must start and end a word, so `naver` is not found
    /// inside `bitcoinaverage` nor `descript` inside `description`; short names (four letters or
    /// fewer) must not follow a digit either.
    public static func contextRegex(names: [String], value: String) -> String {
        let alternatives = names.map(namePattern).joined(separator: "|")
        return "(?:" + alternatives + ")(?&near)(?&vstart)(" + value + ")(?&vend)"
    }

    static func namePattern(_ name: String) -> String {
        let words = Self.words(of: name)
        let body = words.map(escape).joined(separator: nameSeparatorClass)
        let compact = words.joined()
        // The name starts a word: after a non-letter, or as the capitalised part of a camelCase
        // identifier (`myNaverKey`), never inside a word (`bitcoinaverage`, `passphrase`).
        // An escaped line break or tab (`\n` in a JSON string holding a config) also ends a word.
        let boundary = compact.count <= 4 ? #"(?:(?<![A-Za-z0-9])|(?<=\\[nrt]))"# : #"(?:(?<![A-Za-z])|(?<=[a-z])(?=[A-Z])|(?<=\\[nrt]))"#
        // …and ends one: `descriptKey`, `DESCRIPT_KEY`, `DESCRIPTKey` and `descript.key`, never
        // `description`.
        let end = #"(?:(?<=[a-z])(?![a-z])|(?<=[A-Z])(?![A-Z])|(?<=[A-Z])(?=[A-Z][a-z])|(?<=[0-9]))"#
        return boundary + "(?i:" + body + ")" + end
    }

    /// The literals the keyword prefilter looks for, one of which every spelling of the name
    /// contains: a one-word name itself; for a name of several words, its first two words joined
    /// in each of the ways `namePattern` lets them be (nothing, `_`, `.`, `-` or a space; camelCase
    /// folds to the first). A single word of such a name is too often a common one (`wit ai`,
    /// `pic time`, `n able`): found in `with`, every `time` and `table`, it had every window
    /// searched for the provider.
    public static func keywords(for name: String) -> [String] {
        let words = Self.words(of: name)
        guard words.count > 1 else { return [words.first ?? name.lowercased()] }
        return nameSeparators.map { words[0] + $0 + words[1] }
    }

    /// What may stand between two words of a name: nothing or one of these.
    static let nameSeparators = ["", "_", ".", "-", " "]
    /// `nameSeparators` as the pattern between two words: `[_.\- ]?`.
    static let nameSeparatorClass = "[" + nameSeparators.filter { !$0.isEmpty }.map { $0 == "-" ? "\\-" : $0 }.joined() + "]?"

    /// A name's words: its runs of letters and digits, lower-cased (`Abuse-IPDB`: `abuse`, `ipdb`).
    static func words(of name: String) -> [String] {
        name.lowercased().split(whereSeparator: { !isAlphanumeric($0) }).map(String.init)
    }

    /// Letters and digits; ASCII is answered without the Unicode property tables, which every
    /// start-up asked for each character of three thousand rule names and ids.
    static func isAlphanumeric(_ c: Character) -> Bool {
        if let a = c.asciiValue { return ValueChecks.isAlphanumeric(a) }
        return c.isLetter || c.isNumber
    }

    static func escape(_ word: String) -> String {
        var out = ""
        for c in word {
            if isAlphanumeric(c) { out.append(c) } else { out += "\\" + String(c) }
        }
        return out
    }
}
