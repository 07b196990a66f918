public import CorgiCore
import CorgiDetection
public import Logging

/// The rest of each changed function, for the scan: the changed files whose findings depend on
/// lines around a hunk (those the dataflow engine follows) are read whole at the head commit,
/// in memory only, and the diff is widened to their functions (``FunctionContext``).
///
/// Context is a help, never a condition: a file that cannot be read, is too large, or no longer
/// matches the diff is scanned from its hunks alone, and the review says how many were.
struct ReviewContext {
    /// The forge's contents API reads at most this much of a file: a file this large may be cut.
    static let maximumFileBytes = 1 << 20
    /// Files read at once.
    static let concurrentReads = 4

    let ruleSet: RuleSet
    let policy: ReviewPolicy

    struct Widened {
        var diff: [UInt8]
        /// For the check run and summary, when some files went without context (counts only).
        var note: String?
    }

    func widen(_ diff: [UInt8], headSHA: String, pr: any ForgePullRequest, logger: Logger) async -> Widened {
        guard policy.contextFiles > 0 else { return Widened(diff: diff) }
        let paths = FunctionContext.changedPaths(in: diff).filter { ruleSet.followsDataflow(path: $0) }
        guard !paths.isEmpty else { return Widened(diff: diff) }
        let chosen = Array(paths.prefix(policy.contextFiles))
        var files: [String: [UInt8]] = [:]
        var missing = paths.count - chosen.count  // beyond the file budget
        var held = 0
        await withTaskGroup(of: (String, [UInt8]?).self) { group in
            var queue = chosen.makeIterator()
            func read(_ group: inout TaskGroup<(String, [UInt8]?)>) {
                guard let path = queue.next() else { return }
                group.addTask {
                    // Any failure (gone, refused, timed out) costs this file its context, not the review.
                    (path, try? await pr.fileContents(path: path, ref: headSHA, logger: logger))
                }
            }
            for _ in 0..<Self.concurrentReads { read(&group) }
            for await (path, bytes) in group {
                if let bytes, bytes.count < Self.maximumFileBytes, held + bytes.count <= policy.contextBytes {
                    files[path] = bytes
                    held += bytes.count
                } else {
                    missing += 1
                }
                read(&group)
            }
        }
        let outcome = FunctionContext.widen(diff, newFiles: files)
        files.removeAll()
        missing += outcome.mismatched.count
        logger.info("function context", metadata: [
            "files": "\(paths.count)", "widened": "\(outcome.widened)", "without_context": "\(missing)",
        ])
        let note = missing == 0 ? nil
            : "\(missing) of \(paths.count) changed code file(s) scanned from their hunks alone, without the rest of their functions "
                + "(unreadable at the head commit, over \(Self.maximumFileBytes >> 20) MiB, beyond \(policy.contextFiles) files, "
                + "not a plain path, or changed since the diff)"
        return Widened(diff: outcome.diff, note: note)
    }
}
