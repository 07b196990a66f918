public import Foundation

/// Accepted findings, by fingerprint. A baseline file is either a JSON report written by
/// `corgi scan --format json` (its findings' fingerprints are taken) or plain text with one
/// fingerprint per line (`#` starts a comment).
public enum Baseline {
    public static func load(from url: URL) throws -> Set<String> {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw BaselineError(path: url.path, reason: "cannot read the file")
        }
        return try parse(data, path: url.path)
    }

    public static func parse(_ data: Data, path: String = "baseline") throws -> Set<String> {
        let trimmed = data.drop { $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }
        if trimmed.first == UInt8(ascii: "{") {
            struct Report: Decodable {
                struct Entry: Decodable { var fingerprint: String }
                var findings: [Entry]
            }
            do {
                return Set(try JSONDecoder().decode(Report.self, from: data).findings.map(\.fingerprint))
            } catch {
                throw BaselineError(path: path, reason: "not a corgi JSON report (expected {\"findings\": [{\"fingerprint\": …}]})")
            }
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw BaselineError(path: path, reason: "not UTF-8 text")
        }
        var result = Set<String>()
        for (number, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first?
                .trimmingCharacters(in: .whitespaces) ?? ""
            if line.isEmpty { continue }
            guard line.count == 32, line.allSatisfy(\.isHexDigit) else {
                throw BaselineError(path: path, reason: "line \(number + 1) is not a fingerprint (32 hex digits)")
            }
            result.insert(line.lowercased())
        }
        return result
    }
}

public struct BaselineError: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var reason: String
    public var description: String { "baseline \(path): \(reason)" }
}
