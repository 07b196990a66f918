/// Free text people give the API (a key's name, a dismissal's comment), checked by Unicode
/// general category rather than Foundation's character sets, whose Linux tables differ from the
/// standard (they refuse variation selectors and trim U+200B). Lengths are counted in code
/// points, as JSON Schema counts them, so the OpenAPI document's limits are the code's.
enum APIText {
    /// No control (Cc) or format (Cf) characters — they hide, reorder or smuggle text — but,
    /// where `newlines` allows, line feeds.
    static func isPlain(_ text: String, newlines: Bool = false) -> Bool {
        text.unicodeScalars.allSatisfy { scalar in
            if newlines, scalar == "\n" { return true }
            switch scalar.properties.generalCategory {
            case .control, .format: return false
            default: return true
            }
        }
    }

    /// `text` without leading and trailing tabs and space separators (Zs).
    static func trimmed(_ text: String) -> String {
        func isSpace(_ scalar: Unicode.Scalar) -> Bool { scalar == "\t" || scalar.properties.generalCategory == .spaceSeparator }
        let scalars = Array(text.unicodeScalars)
        guard let first = scalars.firstIndex(where: { !isSpace($0) }), let last = scalars.lastIndex(where: { !isSpace($0) }) else { return "" }
        var result = String.UnicodeScalarView()
        result.append(contentsOf: scalars[first...last])
        return String(result)
    }

    /// Length in code points.
    static func length(_ text: String) -> Int { text.unicodeScalars.count }
}
