public import CorgiCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Findings and statistics of one scan. A scan never stops at a malformed diff: what it could not
/// read is in `statistics.coverageGaps`, and everything else was scanned.
public struct ScanResult: Sendable {
    public var findings: [Finding]
    public var statistics: ScanStatistics
}

/// One scan from start to finish: bytes in, findings out, in bounded memory.
public struct Scan {
    public let ruleSet: RuleSet
    public let options: ScanOptions

    public init(ruleSet: RuleSet, options: ScanOptions = ScanOptions()) {
        self.ruleSet = ruleSet
        self.options = options
    }

    /// Scans a diff read from a file descriptor (file, pipe or stdin).
    /// `progress` is called after each chunk with the bytes read so far.
    public func run(fileDescriptor fd: Int32, progress: ((Int) -> Void)? = nil) throws -> ScanResult {
        let started = Scan.now()
        var scanner = try DiffScanner(ruleSet: ruleSet, options: options)
        let stream = DiffStreamParser(maximumScannedLineLength: options.maximumLineLength)
        let chunkSize = 1 << 18
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 16)
        defer { buffer.deallocate() }
        var total = 0
        while true {
            let n = read(fd, buffer.baseAddress, chunkSize)
            if n < 0 {
                if errno == EINTR { continue }
                throw DiffInputError.readFailed(errno: errno)
            }
            if n == 0 { break }
            total += n
            stream.feed(UnsafeRawBufferPointer(rebasing: buffer[..<n]), into: &scanner)
            progress?(total)
        }
        let diffStatistics = stream.finish(into: &scanner)
        return result(of: &scanner, diff: diffStatistics, gaps: stream.coverageGaps, started: started)
    }

    /// Scans a diff held in memory.
    public func run(bytes: some Collection<UInt8>) throws -> ScanResult {
        let started = Scan.now()
        var scanner = try DiffScanner(ruleSet: ruleSet, options: options)
        let stream = DiffStreamParser(maximumScannedLineLength: options.maximumLineLength)
        let array = Array(bytes)
        array.withUnsafeBytes { stream.feed($0, into: &scanner) }
        let diffStatistics = stream.finish(into: &scanner)
        return result(of: &scanner, diff: diffStatistics, gaps: stream.coverageGaps, started: started)
    }

    public func run(diff: String) throws -> ScanResult { try run(bytes: Array(diff.utf8)) }

    private func result(of scanner: inout DiffScanner, diff: DiffStatistics, gaps: [CoverageGap], started: UInt64) -> ScanResult {
        var statistics = scanner.finish(diff: diff)
        statistics.coverageGaps = gaps
        statistics.durationMilliseconds = Int((Scan.now() - started) / 1_000_000)
        var findings = scanner.takeFindings()
        findings.sort(by: Finding.reportOrder)
        return ScanResult(findings: findings, statistics: statistics)
    }

    static func now() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }
}
