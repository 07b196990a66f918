/// Path globs as users write them in rule files and configs: `*` (within a directory), `**`
/// (across directories), `?`, `[abc]` and `{a,b}`. A glob without a `/` matches the file name at
/// any depth, as in `.gitignore`. Compiled once to a PCRE2 pattern.
public struct Glob: Sendable {
    public let source: String
    let pattern: PCRE2Pattern

    public init(_ glob: String) throws(PatternError) {
        source = glob
        pattern = try PCRE2Pattern(Glob.regex(for: glob))
    }

    public func matches(_ path: String, scratch: MatchScratch) -> Bool {
        pattern.matches(path, scratch: scratch)
    }

    static func regex(for glob: String) -> String {
        var out = "^"
        var body = Substring(glob)
        if body.hasPrefix("/") {
            body = body.dropFirst()
        } else if !body.contains("/") || body.hasPrefix("**/") {
            out += "(?:.*/)?"
            if body.hasPrefix("**/") { body = body.dropFirst(3) }
        }
        var chars = Array(body)
        var i = 0
        var braceDepth = 0
        while i < chars.count {
            let c = chars[i]
            switch c {
            case "*":
                if i + 1 < chars.count, chars[i + 1] == "*" {
                    if i + 2 < chars.count, chars[i + 2] == "/" {
                        out += "(?:.*/)?"
                        i += 2
                    } else {
                        out += ".*"
                        i += 1
                    }
                } else {
                    out += "[^/]*"
                }
            case "?": out += "[^/]"
            case "[":
                if let close = chars[(i + 1)...].firstIndex(of: "]") {
                    var cls = String(chars[(i + 1)..<close])
                    if cls.hasPrefix("!") { cls = "^" + cls.dropFirst() }
                    out += "[" + cls.replacingBackslashes() + "]"
                    i = close
                } else {
                    out += "\\["
                }
            case "{":
                braceDepth += 1
                out += "(?:"
            case "}" where braceDepth > 0:
                braceDepth -= 1
                out += ")"
            case "," where braceDepth > 0:
                out += "|"
            case "\\" where i + 1 < chars.count:
                i += 1
                out += escape(chars[i])
            default:
                out += escape(c)
            }
            i += 1
        }
        chars.removeAll()
        // A directory glob also covers everything below it.
        return out + "(?:/.*)?$"
    }

    private static func escape(_ c: Character) -> String {
        "\\^$.|?*+()[]{}/".contains(c) ? "\\" + String(c) : String(c)
    }
}

extension String {
    fileprivate func replacingBackslashes() -> String {
        var s = ""
        for c in self { s += c == "\\" ? "\\\\" : String(c) }
        return s
    }
}

/// A list of globs that matches when any member does.
public struct GlobSet: Sendable {
    public let globs: [Glob]
    public init(_ sources: [String]) throws(PatternError) {
        var globs: [Glob] = []
        for source in sources { globs.append(try Glob(source)) }
        self.globs = globs
    }
    public var isEmpty: Bool { globs.isEmpty }
    public func matches(_ path: String, scratch: MatchScratch) -> Bool {
        globs.contains { $0.matches(path, scratch: scratch) }
    }
}
