/// A set of token texts (operators and a few keywords) that answers for a token without hashing
/// its text in most cases: one-byte texts by a table, longer ones only when their first byte and
/// length could be a member's. The splitter and the engine ask such questions of nearly every
/// token, and hashing each text was a tenth of the dataflow analysis's time.
///
/// Invariant: `contains` answers exactly as `Set<String>.contains` on the members would.
struct TokenSet: Sendable {
    private let oneByte: [Bool]
    private let firstBytes: [Bool]
    private let longest: Int
    private let longer: Set<String>

    init(_ members: Set<String>) {
        var oneByte = Array(repeating: false, count: 256)
        var firstBytes = Array(repeating: false, count: 256)
        var longest = 0
        var longer = Set<String>()
        for member in members {
            let utf8 = Array(member.utf8)
            guard let first = utf8.first else { continue }
            if utf8.count == 1 {
                oneByte[Int(first)] = true
            } else {
                firstBytes[Int(first)] = true
                longest = max(longest, utf8.count)
                longer.insert(member)
            }
        }
        self.oneByte = oneByte
        self.firstBytes = firstBytes
        self.longest = longest
        self.longer = longer
    }

    @inline(__always)
    func contains(_ token: DataflowToken) -> Bool {
        if token.byte != 0 { return oneByte[Int(token.byte)] }
        return contains(token.text)
    }

    func contains(_ text: String) -> Bool {
        let utf8 = text.utf8
        guard let first = utf8.first else { return false }
        let count = utf8.count
        if count == 1 { return oneByte[Int(first)] }
        guard count <= longest, firstBytes[Int(first)] else { return false }
        return longer.contains(text)
    }
}
