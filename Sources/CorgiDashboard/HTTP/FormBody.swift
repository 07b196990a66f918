import Foundation
import Hummingbird

/// A posted HTML form (`application/x-www-form-urlencoded`), read whole up to a small limit:
/// every value, in order, by name (a field may repeat: the checked boxes of bulk triage).
struct FormBody: Sendable {
    static let maximumBytes = 64 * 1024
    private(set) var fields: [(name: String, value: String)] = []

    init(parsing text: String) {
        for pair in text.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = Self.decode(parts[0]) else { continue }
            fields.append((name, parts.count > 1 ? Self.decode(parts[1]) ?? "" : ""))
        }
    }

    static func read(_ request: Request) async throws -> FormBody {
        guard let buffer = try? await request.body.collect(upTo: maximumBytes) else {
            throw DashboardProblem(status: .contentTooLarge, detail: "The form is larger than \(maximumBytes / 1024) KiB.")
        }
        return FormBody(parsing: String(buffer: buffer))
    }

    private static func decode(_ part: Substring) -> String? {
        part.replacingOccurrences(of: "+", with: " ").removingPercentEncoding
    }

    /// The first value of `name`, or nil.
    subscript(_ name: String) -> String? { fields.first { $0.name == name }?.value }

    func all(_ name: String) -> [String] { fields.filter { $0.name == name }.map(\.value) }
}
