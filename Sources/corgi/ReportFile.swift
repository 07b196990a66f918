import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Writes a report to a file in pieces, atomically: into a new file beside it, renamed over the
/// target once complete, so a reader never sees half a report and a failed write leaves the old
/// file as it was.
enum ReportFile {
    struct WriteError: Error, LocalizedError {
        var errorDescription: String?
    }

    static func write(to path: String, _ body: ((String) -> Void) throws -> Void) throws {
        let temporary = path + ".corgi-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
        guard fd >= 0 else { throw WriteError(errorDescription: String(cString: strerror(errno))) }
        var failure: Int32 = 0
        do {
            try body { piece in
                guard failure == 0 else { return }
                var piece = piece
                piece.withUTF8 { bytes in
                    var offset = 0
                    while offset < bytes.count {
                        let n = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
                        if n < 0 {
                            if errno == EINTR { continue }
                            failure = errno
                            return
                        }
                        offset += n
                    }
                }
            }
        } catch {
            close(fd)
            unlink(temporary)
            throw error
        }
        if close(fd) != 0, failure == 0 { failure = errno }
        if failure == 0, rename(temporary, path) != 0 { failure = errno }
        if failure != 0 {
            unlink(temporary)
            throw WriteError(errorDescription: String(cString: strerror(failure)))
        }
    }
}
