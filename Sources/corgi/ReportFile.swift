import Foundation

/// Writes a report to a file in pieces, atomically: into a new file beside it, renamed over the
/// target once complete, so a reader never sees half a report and a failed write leaves the old
/// file as it was.
enum ReportFile {
    static func write(to path: String, _ body: ((String) -> Void) throws -> Void) throws {
        let target = URL(fileURLWithPath: path)
        let temporary = URL(fileURLWithPath: path + ".corgi-\(ProcessInfo.processInfo.processIdentifier)-\(UInt32.random(in: 0...UInt32.max))")
        // Throws the reason (no such folder, no permission) before anything else is done.
        try Data().write(to: temporary, options: .withoutOverwriting)
        do {
            let handle = try FileHandle(forWritingTo: temporary)
            var failure: (any Error)?
            try body { piece in
                guard failure == nil else { return }
                do { try handle.write(contentsOf: Data(piece.utf8)) } catch { failure = error }
            }
            try handle.close()
            if let failure { throw failure }
            // rename(2) replaces the target in one step; FileManager has no call that does both
            // (replaceItemAt fails on Linux when the target does not exist yet).
            guard rename(temporary.path, target.path) == 0 else {
                throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path, NSUnderlyingErrorKey: POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)])
            }
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw error
        }
    }
}
