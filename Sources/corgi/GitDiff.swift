import Foundation
import CorgiReports

/// `git diff BASE..HEAD` in the current directory, streamed: its output is scanned as it is
/// produced, never held whole.
struct GitDiff {
    /// The revision range; nil: the changes staged for the next commit (`--cached`).
    let range: String?

    init(range: String) throws {
        // The range goes to git as a revision, never as an option.
        guard !range.isEmpty, !range.hasPrefix("-") else {
            throw UsageError("--git takes a revision range such as main..HEAD")
        }
        self.range = range
    }

    private init() { range = nil }

    /// `git diff --cached`: what `git commit` would record.
    static let staged = GitDiff()

    func withOutput<T>(_ body: (Int32) throws -> T) throws -> T {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        // `--text`: git's binary guess (a NUL in the first 8 KB, or a `-diff`/`binary` entry in
        // .gitattributes, which anyone can add to a pull request) never hides a file's content;
        // every file is diffed as text and scanned. `--no-textconv`/`--no-ext-diff`: the bytes
        // as committed, not a filter's rendering of them. `--function-context`: each hunk holds
        // its whole enclosing function as context, so the dataflow engine sees where a sink's
        // argument came from even when that line did not change (findings are still reported on
        // added lines only).
        process.arguments = [
            "git", "-c", "core.quotePath=true", "diff", "--no-color", "--no-ext-diff", "--no-textconv", "--text",
            "--function-context", "--src-prefix=a/", "--dst-prefix=b/", "-M",
        ] + (range.map { ["--end-of-options", $0] } ?? ["--cached"])
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch {
            throw UsageError("cannot run git: \(error.localizedDescription)")
        }
        // Drain stderr concurrently so a chatty git never blocks on a full pipe.
        let errors = ErrorCollector()
        let drain = Thread { errors.data = stderr.fileHandleForReading.readDataToEndOfFile() }
        drain.start()
        let result: Result<T, any Error> = Result { try body(stdout.fileHandleForReading.fileDescriptor) }
        if case .failure = result { process.terminate() }
        process.waitUntilExit()
        errors.wait()
        if process.terminationStatus != 0 {
            let first = String(decoding: errors.data, as: UTF8.self).split(separator: "\n").first.map(String.init)
            throw UsageError("git diff \(range ?? "--cached") failed: \(first ?? "exit status \(process.terminationStatus)")")
        }
        return try result.get()
    }
}

extension GitDiff {
    /// The repository and the commit on HEAD's side of the range, for SARIF; nil when the
    /// repository has no `origin` with a network address (SARIF requires one).
    func versionControl() -> VersionControl? {
        guard let remote = Self.query(["remote", "get-url", "origin"]),
              let uri = VersionControl.publishableRemote(remote)
        else { return nil }
        var revision: String?
        // Staged changes are on no commit yet.
        guard let range else { return VersionControl(repositoryURI: uri, revisionID: nil) }
        if let dots = range.range(of: "..", options: .backwards) {
            var head = String(range[dots.upperBound...])
            if head.hasPrefix(".") { head.removeFirst() }
            if head.isEmpty { head = "HEAD" }
            revision = Self.query(["rev-parse", "--verify", "--quiet", "--end-of-options", head + "^{commit}"])
                .flatMap { $0.count >= 40 && $0.allSatisfy(\.isHexDigit) ? $0 : nil }
        }
        return VersionControl(repositoryURI: uri, revisionID: revision)
    }

    /// A short git query's standard output, trimmed; nil when git is missing or fails.
    static func query(_ arguments: [String]) -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git"] + arguments
        let stdout = Pipe()
        process.standardOutput = stdout
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch { return nil }
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        return String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

private final class ErrorCollector: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    var data = Data() { didSet { done.signal() } }
    func wait() { done.wait() }
}
