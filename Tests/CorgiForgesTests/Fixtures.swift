import Foundation

/// The project's own payloads in `tests/fixtures` (written from GitHub's documentation, see
/// tests/fixtures/README.md), and the third-party ones in `../shared/fixtures` beside the
/// repository (or where `CORGI_SHARED_DIR` says), which only extra conformance checks read: they
/// are skipped, and say so, in a clone of this repository alone.
enum Fixtures {
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static let root = repository.appendingPathComponent("tests/fixtures")

    static let shared: URL = {
        if let directory = ProcessInfo.processInfo.environment["CORGI_SHARED_DIR"], !directory.isEmpty {
            return URL(fileURLWithPath: directory).appendingPathComponent("fixtures")
        }
        return repository.deletingLastPathComponent().appendingPathComponent("shared/fixtures")
    }()

    static var sharedAvailable: Bool { FileManager.default.fileExists(atPath: shared.path) }

    static func data(_ path: String) throws -> Data { try Data(contentsOf: root.appendingPathComponent(path)) }

    static func sharedData(_ path: String) throws -> Data { try Data(contentsOf: shared.appendingPathComponent(path)) }
}
