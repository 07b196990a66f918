import ArgumentParser
import CorgiCore
import CorgiDetection
import CorgiReports
import CorgiReview
import Foundation

struct ScanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scan",
        abstract: "Scan the added lines of a unified diff.",
        discussion: """
            Reads a diff from PATH, from standard input (PATH '-', or no PATH with a pipe), or from \
            'git diff BASE..HEAD' in the current repository. Any git output works: 'git diff', \
            'git show', 'git log -p' (findings name the commit), 'git format-patch --stdout', \
            and plain 'diff -ruN'. A malformed region is skipped to the next header and named \
            on standard error by line; the rest is still scanned. Exits 0 when no finding is at \
            or above --fail-on, 1 when one is, 2 on a usage or input error, and with --strict \
            also 2 when part of the input was not scanned.
            """
    )

    @Argument(help: "A unified diff file, or '-' for standard input.")
    var path: String?

    @Option(name: .customLong("git"), help: ArgumentHelp("Scan 'git diff BASE..HEAD' of the current repository.", valueName: "BASE..HEAD"))
    var gitRange: String?

    @Flag(help: "Scan the changes staged for the next commit ('git diff --cached'): what a pre-commit hook runs.")
    var staged = false

    @Option(help: "Output format: text, json, sarif, github (workflow annotations) or codequality (GitLab's Code Quality report).")
    var format: OutputFormat = .text

    @Option(name: .customLong("fail-on"), help: "Lowest severity that makes the exit status 1: info, low, medium, high, critical or never.")
    var failOn: FailOn = .level(.low)

    @Option(help: "A configuration file (YAML): extra rules, disabled rules, ignored paths, severity overrides.")
    var config: String?

    @Option(help: "Findings to accept: a JSON report from an earlier scan, or one fingerprint per line.")
    var baseline: String?

    @Option(help: "Write the report to this file instead of standard output.")
    var output: String?

    @Flag(help: "Exit 2 when part of the input was not scanned (a malformed region, or a line past the length cap), after writing the report.")
    var strict = false

    @Option(name: .customLong("max-line-bytes"),
            help: ArgumentHelp("Bytes of one diff line scanned at most, in overlapping 1 MiB windows; the rest of a longer line is reported as not scanned.",
                               valueName: "BYTES"))
    var maximumLineBytes: Int = DiffStreamParser.defaultMaximumScannedLineLength

    @Option(name: .customLong("fingerprint-key"),
            help: ArgumentHelp("A file with at least 16 random bytes that keys the fingerprints (default: derived from the repository's root commit, else a per-user key; docs/security.md).",
                               valueName: "FILE"))
    var fingerprintKey: String?

    @OptionGroup var ai: ScanAIOptions

    func validate() throws {
        guard maximumLineBytes > 0 else { throw UsageError("--max-line-bytes must be positive") }
        if [path != nil, gitRange != nil, staged].filter({ $0 }).count > 1 { throw UsageError("give one of a diff PATH, --git or --staged") }
    }

    func run() async throws {
        let ruleSet: RuleSet
        let options: ScanOptions
        do {
            (ruleSet, options) = try loadRules()
        } catch {
            throw UsageError("\(error)")
        }
        let scan = Scan(ruleSet: ruleSet, options: options)
        let progress = ProgressLine()
        var result: ScanResult
        // The model needs the diff whole; the rules alone read it as a stream.
        var diff: [UInt8] = []
        do {
            if ai.isEnabled {
                diff = try withInput { fd in try Self.readAll(fd, limit: ScanAIOptions.maximumDiffBytes) }
                result = try scan.run(bytes: diff)
            } else {
                result = try withInput { fd in try scan.run(fileDescriptor: fd, progress: progress.update) }
            }
        } catch let error as UsageError {
            progress.clear()
            throw error
        } catch {
            progress.clear()
            throw UsageError("\(error)")
        }
        progress.clear()
        // What was not scanned, by line: never content. The report lists the same.
        for gap in result.statistics.coverageGaps where gap.isInputSkipped {
            FileHandle.standardError.write(Data("corgi: not scanned: \(gap.summary)\n".utf8))
        }
        let unlisted = result.statistics.diff.malformedRegions + result.statistics.diff.truncatedLines
            - result.statistics.coverageGaps.filter(\.isInputSkipped).count
        if unlisted > 0 {
            FileHandle.standardError.write(Data("corgi: not scanned: \(unlisted) more region(s) not listed\n".utf8))
        }

        if ai.isEnabled {
            let outcome = try await ai.review(diff, ruleFindings: result.findings, ruleSet: ruleSet, fingerprintKey: options.fingerprintKey)
            diff.removeAll()
            result.findings += outcome.findings
            for (path, reason) in outcome.notReviewed {
                FileHandle.standardError.write(Data("corgi: AI review did not cover \(ControlCharacters.visible(path)): \(reason)\n".utf8))
            }
            FileHandle.standardError.write(Data(("corgi: AI review: \(outcome.findings.count) finding(s), \(outcome.calls) call(s), "
                + "\(outcome.inputTokens + outcome.outputTokens) tokens, \(outcome.redactions) line(s) redacted before sending\n").utf8))
        }
        // Only SARIF carries it, and asking git costs two processes: only then.
        let versionControl = format == .sarif ? try gitRange.flatMap { try GitDiff(range: $0).versionControl() } : nil
        let report = ScanReport(findings: result.findings, statistics: result.statistics, toolVersion: Corgi.version,
                                versionControl: versionControl)
        let colour = format == .text && output == nil && isatty(STDOUT_FILENO) == 1
            && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
        if let output {
            do { try ReportFile.write(to: output) { sink in report.write(format.reportFormat, colour: colour, to: sink) } } catch {
                throw UsageError("cannot write \(output): \(error.localizedDescription)")
            }
        } else {
            report.write(format.reportFormat, colour: colour) { FileHandle.standardOutput.write(Data($0.utf8)) }
        }
        if strict, result.statistics.isIncomplete {
            FileHandle.standardError.write(Data("corgi: --strict: part of the input was not scanned\n".utf8))
            throw ExitCode(2)
        }
        // A model's finding never fails a run by itself, as in a review's check.
        if case .level(let threshold) = failOn,
           result.findings.contains(where: { $0.severity >= threshold && $0.ruleID != ModelReviewOutcome.ruleID }) {
            throw ExitCode(1)
        }
    }

    private func loadRules() throws -> (RuleSet, ScanOptions) {
        var configuration = ScanConfiguration()
        var directory: URL?
        if let config {
            let url = URL(fileURLWithPath: config)
            guard FileManager.default.fileExists(atPath: url.path) else {
                throw UsageError("configuration file not found: \(config)")
            }
            configuration = try ScanConfiguration.load(from: url)
            directory = url.deletingLastPathComponent()
        }
        let loaded = try configuration.resolveRules(relativeTo: directory, withTests: false)
        let ruleSet: RuleSet
        do {
            ruleSet = try RuleSet(rules: loaded.rules, globalAllowlist: loaded.globalAllowlist, verifiedPatterns: loaded.verifiedPatterns)
        } catch var error {
            error.file = error.file ?? loaded.origin[error.ruleID]
            throw error
        }
        var options = ScanOptions(ignorePaths: configuration.ignorePaths ?? [])
        options.maximumLineLength = maximumLineBytes
        options.fingerprintKey = try FingerprintKeySource.resolve(
            flag: fingerprintKey, configured: configuration.fingerprintKeyFile, configurationDirectory: directory)
        if let baseline {
            guard FileManager.default.fileExists(atPath: baseline) else { throw UsageError("baseline file not found: \(baseline)") }
            options.baseline = try Baseline.load(from: URL(fileURLWithPath: baseline))
        }
        return (ruleSet, options)
    }

    /// Opens the diff source and hands its file descriptor to `body`.
    /// All of `fd`, up to `limit` bytes (more is a usage error: the model's review reads it whole).
    static func readAll(_ fd: Int32, limit: Int) throws -> [UInt8] {
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0, errno == EINTR { continue }
            guard n >= 0 else { throw UsageError("cannot read the diff: \(String(cString: strerror(errno)))") }
            if n == 0 { return bytes }
            bytes += buffer[..<n]
            guard bytes.count <= limit else { throw UsageError("--ai reads the diff whole: at most \(limit >> 20) MiB") }
        }
    }

    private func withInput<T>(_ body: (Int32) throws -> T) throws -> T {
        if let gitRange { return try GitDiff(range: gitRange).withOutput(body) }
        if staged { return try GitDiff.staged.withOutput(body) }
        switch path {
        case "-":
            return try body(STDIN_FILENO)
        case nil:
            guard isatty(STDIN_FILENO) == 0 else {
                throw UsageError("no diff given: pass a diff file, '-' for standard input, or --git BASE..HEAD")
            }
            return try body(STDIN_FILENO)
        case let path?:
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw UsageError("diff file not found: \(path)")
            }
            guard !isDirectory.boolValue else { throw UsageError("\(path) is a directory, not a diff file") }
            let fd = open(path, O_RDONLY)
            guard fd >= 0 else { throw UsageError("cannot open \(path): \(String(cString: strerror(errno)))") }
            defer { close(fd) }
            return try body(fd)
        }
    }
}

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json, sarif, github, codequality
    var reportFormat: ReportFormat { ReportFormat(rawValue: rawValue)! }
}

enum FailOn: ExpressibleByArgument, Equatable {
    case level(Severity)
    case never

    init?(argument: String) {
        if argument == "never" {
            self = .never
        } else if let level = Severity(rawValue: argument) {
            self = .level(level)
        } else {
            return nil
        }
    }

    static var allValueStrings: [String] { Severity.allCases.map(\.rawValue) + ["never"] }
    var defaultValueDescription: String {
        switch self {
        case .level(let s): s.rawValue
        case .never: "never"
        }
    }
}
