#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An inline suppression: `corgi:ignore` (every rule) or `corgi:ignore[rule-a, rule-b]`, on the
/// flagged line or the line above it, in any comment syntax.
enum IgnoreDirective: Sendable, Hashable {
    case all
    case rules(Set<String>)

    private static let marker: [UInt8] = Array("corgi:ignore".utf8)

    static func parse(_ line: UnsafeBufferPointer<UInt8>) -> IgnoreDirective? {
        guard let found = find(marker, in: line) else { return nil }
        var i = found + marker.count
        guard i < line.count, line[i] == UInt8(ascii: "[") else { return .all }
        i += 1
        var ids: Set<String> = []
        var current: [UInt8] = []
        while i < line.count, line[i] != UInt8(ascii: "]") {
            let c = line[i]
            if c == UInt8(ascii: ",") {
                if !current.isEmpty { ids.insert(String(decoding: current, as: UTF8.self)) }
                current.removeAll()
            } else if c != UInt8(ascii: " ") {
                current.append(c)
            }
            i += 1
        }
        if !current.isEmpty { ids.insert(String(decoding: current, as: UTF8.self)) }
        return ids.isEmpty ? .all : .rules(ids)
    }

    /// Offset of `needle` in `haystack`: memchr for its first byte, then a comparison.
    private static func find(_ needle: [UInt8], in haystack: UnsafeBufferPointer<UInt8>) -> Int? {
        guard let base = haystack.baseAddress, haystack.count >= needle.count else { return nil }
        var start = 0
        let last = haystack.count - needle.count
        while start <= last, let hit = memchr(base + start, Int32(needle[0]), last - start + 1) {
            let i = UnsafeRawPointer(hit).assumingMemoryBound(to: UInt8.self) - base
            if UnsafeBufferPointer(rebasing: haystack[i..<(i + needle.count)]).elementsEqual(needle) { return i }
            start = i + 1
        }
        return nil
    }

    func suppresses(_ ruleID: String) -> Bool {
        switch self {
        case .all: true
        case .rules(let ids): ids.contains(ruleID)
        }
    }
}
