/// Turns a rule's PCRE2 regex into a cheaper Hyperscan prefilter with a superset of its matches.
///
/// Hyperscan reports every offset where some match of a pattern ends, and large bounded repeats
/// (`[A-Za-z0-9]{20,200}`) cost it seconds to compile (measured: 7.6 s for the built-in secret
/// rules, 0.6 s relaxed). So each counted repeat `{n,m}` / `{n}` / `{n,}` becomes `+` (or `*`
/// when `n` is 0), and possessive or lazy modifiers are dropped. Every string the original matches,
/// the relaxed pattern matches with the same end, so a line the prefilter passes over holds no
/// match of the rule. Look-arounds and back-references are left to Hyperscan's prefilter mode,
/// which approximates them the same way (a superset).
enum PrefilterPattern {
    static func relax(_ pattern: String) -> String {
        let p = Array(pattern.utf8)
        // Extended mode gives whitespace and `#` comments meaning this walk does not model.
        if pattern.contains("(?x") { return pattern }
        var out: [UInt8] = []
        out.reserveCapacity(p.count)
        var i = 0
        var afterQuantifier = false
        func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
        while i < p.count {
            let c = p[i]
            switch c {
            case UInt8(ascii: "\\") where i + 1 < p.count:
                var j = i + 2
                let kind = p[i + 1]
                if kind == UInt8(ascii: "Q") {
                    // Quoted text runs to \E (or the end): nothing in it is syntax.
                    while j < p.count, !(p[j] == UInt8(ascii: "\\") && j + 1 < p.count && p[j + 1] == UInt8(ascii: "E")) { j += 1 }
                    j = min(j + 2, p.count)
                } else if Array("xpPNogk".utf8).contains(kind), j < p.count, p[j] == UInt8(ascii: "{") {
                    while j < p.count, p[j] != UInt8(ascii: "}") { j += 1 }
                    j = min(j + 1, p.count)
                }
                out += p[i..<j]
                i = j
                afterQuantifier = false
            case UInt8(ascii: "["):
                var j = i + 1
                if j < p.count, p[j] == UInt8(ascii: "^") { j += 1 }
                if j < p.count, p[j] == UInt8(ascii: "]") { j += 1 }
                while j < p.count, p[j] != UInt8(ascii: "]") {
                    if p[j] == UInt8(ascii: "\\") {
                        j += 2
                        continue
                    }
                    if p[j] == UInt8(ascii: "["), j + 1 < p.count, p[j + 1] == UInt8(ascii: ":") {
                        var k = j + 2
                        while k + 1 < p.count, !(p[k] == UInt8(ascii: ":") && p[k + 1] == UInt8(ascii: "]")) { k += 1 }
                        j = k + 2
                        continue
                    }
                    j += 1
                }
                j = min(j + 1, p.count)
                out += p[i..<j]
                i = j
                afterQuantifier = false
            case UInt8(ascii: "{"):
                // A counted repeat is `{digits}`, `{digits,}` or `{digits,digits}`; anything else
                // is a literal brace to PCRE2 10.42.
                var j = i + 1
                var low = 0
                let digitsStart = j
                while j < p.count, isDigit(p[j]) {
                    low = min(low * 10 + Int(p[j] - 0x30), 1_000_000)
                    j += 1
                }
                var counted = j > digitsStart
                if counted, j < p.count, p[j] == UInt8(ascii: ",") {
                    j += 1
                    while j < p.count, isDigit(p[j]) { j += 1 }
                }
                counted = counted && j < p.count && p[j] == UInt8(ascii: "}")
                if counted {
                    out.append(low == 0 ? UInt8(ascii: "*") : UInt8(ascii: "+"))
                    i = j + 1
                    afterQuantifier = true
                } else {
                    out.append(c)
                    i += 1
                    afterQuantifier = false
                }
            case UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "?"):
                if afterQuantifier {
                    // `++`, `*?`, `{2,}+`: a possessive or lazy modifier, which only narrows.
                    afterQuantifier = false
                } else {
                    out.append(c)
                    afterQuantifier = true
                }
                i += 1
            case UInt8(ascii: "("):
                out.append(c)
                i += 1
                afterQuantifier = false
                // `(?` opens a group kind, whose `?` is not a quantifier.
                if i < p.count, p[i] == UInt8(ascii: "?") {
                    out.append(p[i])
                    i += 1
                }
            default:
                out.append(c)
                i += 1
                afterQuantifier = false
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
