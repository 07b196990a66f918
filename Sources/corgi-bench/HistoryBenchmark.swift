import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `corgi-bench --history [--size-mb N] [--repo DIR] [--corgi BIN] [--keep FILE] [--runs N]`
///
/// Real history instead of a generated diff: `git log -p` of a repository (this one by default),
/// repeated until it is at least N MiB (100 by default), made at bench time. Three rows from one
/// run, side by side, each the best of `--runs` (2) in a fresh process whose peak RSS comes from
/// wait4:
/// - `corgi scan` with every built-in pack on the Hyperscan candidate stage (the default engine),
/// - the same `corgi scan` on the keyword-prefilter engine (`CORGI_CANDIDATES=keywords`),
/// - `grep -E` with five secret patterns.
/// Each `corgi scan` is the whole command: parsing the diff, splitting lines, scanning, writing the
/// JSON report (to a file). Pin it to one core with `taskset -c 0 corgi-bench --history`.
enum HistoryBenchmark {
    /// Five well-known secret shapes, written from the providers' documentation.
    static let grepPatterns = [
        "AKIA[0-9A-Z]{16}",                                // AWS access key id
        "gh[pousr]_[A-Za-z0-9]{36}",                       // GitHub tokens
        "xox[abposr]-[0-9A-Za-z-]{10,}",                   // Slack tokens
        "sk_live_[0-9A-Za-z]{24,}",                        // Stripe live secret key
        "-----BEGIN [A-Z ]*PRIVATE KEY-----",              // PEM private keys
    ]

    static func run(_ arguments: [String]) throws {
        var arguments = arguments
        var sizeMB = 100
        var repository = FileManager.default.currentDirectoryPath
        var corgi = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("corgi").path
        var keep: String?
        var runs = 2
        while let argument = arguments.first {
            arguments.removeFirst()
            guard let value = arguments.first else { usage() }
            arguments.removeFirst()
            switch argument {
            case "--size-mb": sizeMB = Int(value) ?? sizeMB
            case "--repo": repository = value
            case "--corgi": corgi = value
            case "--keep": keep = value
            case "--runs": runs = max(1, Int(value) ?? runs)
            default: usage()
            }
        }
        guard FileManager.default.isExecutableFile(atPath: corgi) else {
            FileHandle.standardError.write(Data("corgi-bench: no corgi binary at \(corgi) (build it, or pass --corgi)\n".utf8))
            exit(2)
        }
        let directory = NSTemporaryDirectory() + "corgi-bench-history-\(getpid())"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = keep ?? directory + "/history.diff"

        let history = try gitLog(repository)
        guard !history.isEmpty else { fatalError("git log -p of \(repository) is empty") }
        let copies = max(1, Int((Double(sizeMB << 20) / Double(history.count)).rounded(.up)))
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        for _ in 0..<copies { history.withUnsafeBytes { _ = write(fd, $0.baseAddress, $0.count) } }
        close(fd)
        let mb = Double(history.count * copies) / 1_048_576
        print(String(format: "corpus: git log -p of %@ (%.1f MiB) × %d = %.1f MiB", repository, Double(history.count) / 1_048_576, copies, mb))
        print("corgi: \(corgi)")
        if let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
           let allowed = status.split(separator: "\n").first(where: { $0.hasPrefix("Cpus_allowed_list:") })
        {
            print("cpus allowed: \(allowed.dropFirst("Cpus_allowed_list:".count).trimmingCharacters(in: .whitespaces)) (taskset -c 0 for the one-core figure)")
        }

        let report = directory + "/report.json"
        let scan = [corgi, "scan", path, "--format", "json", "--output", report, "--fail-on", "never"]
        // A first run warms the page cache and the compiled-database cache of each engine.
        for engine in ["hyperscan", "keywords"] { _ = try spawn(scan, environment: ["CORGI_CANDIDATES": engine]) }

        var rows: [(name: String, run: Run, findings: String)] = []
        for (name, engine) in [("Code Corgi, all packs (Hyperscan candidates)", "hyperscan"), ("Code Corgi, all packs (keyword prefilter, before)", "keywords")] {
            let run = try best(of: runs) { try spawn(scan, environment: ["CORGI_CANDIDATES": engine]) }
            rows.append((name, run, findings(in: report)))
        }
        var grepCommand = ["grep", "-E", "-c"]
        for pattern in grepPatterns { grepCommand += ["-e", pattern] }
        grepCommand.append(path)
        let grepRun = try best(of: runs) { try spawn(grepCommand, environment: [:]) }
        rows.append(("grep -E, five secret patterns", grepRun, "\(grepRun.output.trimmingCharacters(in: .whitespacesAndNewlines)) lines"))

        print("")
        // MiB/s per CPU second is the figure that holds on a shared machine; wall time is beside it.
        print("| run | MiB/s (CPU) | CPU s | wall s | peak RSS MiB | findings |")
        print("|---|---:|---:|---:|---:|---:|")
        for row in rows {
            print(String(format: "| %@ | %.0f | %.2f | %.2f | %.1f | %@ |", row.name, mb / row.run.cpuSeconds, row.run.cpuSeconds,
                         row.run.seconds, row.run.peakRSSMB, row.findings))
        }
        print("")
        print("Peak RSS is wait4's figure for the child; Linux counts the spawning process's pages up to exec,")
        print(String(format: "so no row reads below this process's own (%.1f MiB).", selfRSS()))
    }

    static func selfRSS() -> Double {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        return Double(usage.ru_maxrss) / 1024
    }

    static func usage() -> Never {
        FileHandle.standardError.write(Data("usage: corgi-bench --history [--size-mb N] [--repo DIR] [--corgi BIN] [--keep FILE] [--runs N]\n".utf8))
        exit(2)
    }

    static func gitLog(_ repository: String) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git", "-C", repository, "log", "-p", "--no-color"]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { fatalError("git log -p failed in \(repository)") }
        return data
    }

    struct Run: Comparable {
        var seconds: Double
        /// User plus system CPU time: what the run costs on a shared, busy machine.
        var cpuSeconds: Double
        var peakRSSMB: Double
        var output: String
        static func < (a: Run, b: Run) -> Bool { a.cpuSeconds < b.cpuSeconds }
    }

    static func best(of runs: Int, _ body: () throws -> Run) rethrows -> Run {
        var results: [Run] = []
        for _ in 0..<runs { results.append(try body()) }
        return results.min()!
    }

    /// Runs a command in a fresh process; its wall time, its own peak RSS (wait4), its stdout.
    static func spawn(_ command: [String], environment: [String: String]) throws -> Run {
        var pid: pid_t = 0
        let pipe = Pipe()
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, pipe.fileHandleForWriting.fileDescriptor, 1)
        var merged = ProcessInfo.processInfo.environment
        for (key, value) in environment { merged[key] = value }
        let argv: [UnsafeMutablePointer<CChar>?] = command.map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = merged.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for p in argv + envp { free(p) } }
        let start = Benchmark.now()
        guard posix_spawnp(&pid, command[0], &actions, nil, argv, envp) == 0 else { fatalError("cannot run \(command[0])") }
        try pipe.fileHandleForWriting.close()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        var status: Int32 = 0
        var usage = rusage()
        wait4(pid, &status, 0, &usage)
        let seconds = Benchmark.now() - start
        let exited = status & 0x7F == 0 ? (status >> 8) & 0xFF : -1
        // grep exits 1 when nothing matched; anything else beyond 1 is a failed run.
        guard exited == 0 || exited == 1 else { fatalError("\(command[0]) failed with status \(status)") }
        let cpu = Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
        return Run(seconds: seconds, cpuSeconds: cpu, peakRSSMB: Double(usage.ru_maxrss) / 1024, output: String(decoding: output, as: UTF8.self))
    }

    /// Counts the report's findings by their `"rule_id"` keys, a chunk at a time: parsing a report
    /// of tens of MiB would grow this process, and a child spawned later inherits its peak RSS
    /// figure (Linux records the pre-exec high-water mark).
    static func findings(in report: String) -> String {
        let needle = Array("\"rule_id\"".utf8)
        guard let handle = FileHandle(forReadingAtPath: report) else { return "?" }
        defer { try? handle.close() }
        var count = 0
        var carry: [UInt8] = []
        while let chunk = try? handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            let bytes = carry + [UInt8](chunk)
            var i = 0
            while i + needle.count <= bytes.count {
                if bytes[i] == needle[0], bytes[i..<(i + needle.count)].elementsEqual(needle) {
                    count += 1
                    i += needle.count
                } else {
                    i += 1
                }
            }
            carry = Array(bytes.suffix(needle.count - 1))
        }
        return "\(count)"
    }
}
