import Foundation

/// A progress line on stderr for long scans, only when stderr is a terminal: quiet in CI logs.
final class ProgressLine {
    private let enabled = isatty(STDERR_FILENO) == 1
    private let started = Date()
    private var lastDrawn = Date.distantPast
    private var drawn = false

    func update(_ bytes: Int) {
        guard enabled else { return }
        let now = Date()
        guard now.timeIntervalSince(started) >= 2, now.timeIntervalSince(lastDrawn) >= 0.25 else { return }
        lastDrawn = now
        drawn = true
        let megabytes = Double(bytes) / 1_048_576
        let rate = megabytes / now.timeIntervalSince(started)
        FileHandle.standardError.write(Data(String(format: "\rscanning… %.1f MB (%.0f MB/s)\u{1B}[K", megabytes, rate).utf8))
    }

    func clear() {
        guard drawn else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
        drawn = false
    }
}
