import CorgiCore
import CorgiDetection
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `swift run -c release corgi-bench [--size-mb N] [--keep FILE]`, or
/// `corgi-bench --history …` for real `git log -p` history (see `HistoryBenchmark`).
///
/// Every figure is measured in the same run on the same generated diff, and reported next to a
/// baseline (plain chunked line iteration over the same file), so ratios hold on a noisy machine.
/// Each scan runs in a child process, so its peak RSS is its own.
@main
struct Benchmark {
    static func main() throws {
        var arguments = Array(CommandLine.arguments.dropFirst())
        if arguments.first == "--child-scan" { return try childScan(Array(arguments.dropFirst())) }
        if arguments.first == "--history" { return try HistoryBenchmark.run(Array(arguments.dropFirst())) }

        var sizeMB = 100
        var keep: String?
        while let argument = arguments.first {
            arguments.removeFirst()
            switch argument {
            case "--size-mb" where !arguments.isEmpty: sizeMB = Int(arguments.removeFirst()) ?? sizeMB
            case "--keep" where !arguments.isEmpty: keep = arguments.removeFirst()
            default:
                // A usage error is the user's, not a crash: say how to call, exit 2.
                FileHandle.standardError.write(Data((
                    "usage: corgi-bench [--size-mb N] [--keep FILE]\n"
                    + "       corgi-bench --history [--size-mb N] [--repo DIR] [--corgi BIN] [--keep FILE] [--runs N]\n"
                    + "       corgi-bench --child-scan FILE all|secret|code\n").utf8))
                exit(2)
            }
        }
        let path = keep ?? NSTemporaryDirectory() + "corgi-bench-\(getpid()).diff"
        defer { if keep == nil { unlink(path) } }

        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        var generator = CorpusGenerator(seed: 2026)
        let (files, lines) = generator.write(bytes: sizeMB << 20, to: fd)
        close(fd)
        let size = Double((try FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue ?? 0)
        let mb = size / 1_048_576
        print("corpus: \(String(format: "%.1f", mb)) MiB generated diff, \(files) files, \(lines) lines (seed 2026)")

        let all = try RuleLoader.loadBuiltin()
        let secrets = all.rules.filter { $0.kind == .secret }
        let code = all.rules.filter { $0.kind == .code }
        let unkeyed = all.rules.filter { ($0.keywords ?? []).isEmpty }.map(\.id)
        print("rules: \(all.rules.count) (\(secrets.count) secret, \(code.count) code); without keywords: \(unkeyed.count)\(unkeyed.isEmpty ? "" : " " + unkeyed.joined(separator: ","))")
        print("")

        let baseline = best(of: 3) { lineIteration(path) }
        print("| run | MiB/s | × baseline | peak RSS MiB | findings |")
        print("|---|---:|---:|---:|---:|")
        print(String(format: "| baseline: chunked read + line split | %.0f | 1.00 | – | – |", mb / baseline))
        for (name, selection) in [("scan, all packs", "all"), ("scan, secret pack only", "secret"), ("scan, code pack only", "code")] {
            var findings = 0, rss = 0.0
            let seconds = try best(of: 2) { () throws -> Double in
                let run = try runChild(path: path, selection: selection)
                findings = run.findings
                rss = run.peakRSSMB
                return run.seconds
            }
            print(String(format: "| %@ | %.0f | %.2f | %.1f | %d |", name, mb / seconds, baseline / seconds, rss, findings))
        }
        print("")
        try EngineComparison.run(path: path, rules: all)
    }

    /// The baseline: read the file in the same 256 KiB chunks and find every line, nothing else.
    static func lineIteration(_ path: String) -> Double {
        let start = now()
        let fd = open(path, O_RDONLY)
        defer { close(fd) }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 18, alignment: 16)
        defer { buffer.deallocate() }
        var lines = 0
        while true {
            let n = read(fd, buffer.baseAddress, buffer.count)
            if n <= 0 { break }
            var p = buffer.baseAddress!
            var remaining = n
            while remaining > 0, let hit = memchr(p, 0x0A, remaining) {
                lines += 1
                let advance = hit - p + 1
                p += advance
                remaining -= advance
            }
        }
        precondition(lines > 0)
        return now() - start
    }

    struct ChildRun { var seconds: Double; var peakRSSMB: Double; var findings: Int }

    /// Runs the scan in a fresh process and reads its peak RSS from wait4.
    static func runChild(path: String, selection: String) throws -> ChildRun {
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).path
        var pid: pid_t = 0
        let pipe = Pipe()
        var actions: posix_spawn_file_actions_t = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        posix_spawn_file_actions_adddup2(&actions, pipe.fileHandleForWriting.fileDescriptor, 1)
        let words: [String] = [executable, "--child-scan", path, selection]
        let argv: [UnsafeMutablePointer<CChar>?] = words.map { word in word.withCString { strdup($0) } } + [nil]
        let start = now()
        guard posix_spawn(&pid, executable, &actions, nil, argv, environ) == 0 else { fatalError("spawn failed") }
        try pipe.fileHandleForWriting.close()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        var status: Int32 = 0
        var usage = rusage()
        wait4(pid, &status, 0, &usage)
        let seconds = now() - start
        let findings = Int(String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
        return ChildRun(seconds: seconds, peakRSSMB: Double(usage.ru_maxrss) / 1024, findings: findings)
    }

    /// In the child: load the rules, scan the file exactly as `corgi scan` does, print the count.
    static func childScan(_ arguments: [String]) throws {
        let loaded = try RuleLoader.loadBuiltin(withTests: false)
        let rules = loaded.rules.filter { arguments[1] == "all" || $0.kind.rawValue == arguments[1] }
        let scan = Scan(ruleSet: try RuleSet(rules: rules, globalAllowlist: loaded.globalAllowlist, verifiedPatterns: loaded.verifiedPatterns))
        let fd = open(arguments[0], O_RDONLY)
        let result = try scan.run(fileDescriptor: fd)
        close(fd)
        print(result.findings.count)
    }

    static func best<T>(of runs: Int, _ body: () throws -> T) rethrows -> T where T: Comparable {
        var results: [T] = []
        for _ in 0..<runs { results.append(try body()) }
        return results.min()!
    }

    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}
