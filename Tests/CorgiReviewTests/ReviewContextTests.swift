import CorgiCore
import CorgiDetection
import CorgiReview
import Foundation
import Logging
import Testing

/// A review reads the changed code files whole at the head commit, so a sink in a hunk is judged
/// with the rest of its function (the source may be far above). Reading is a help, never a
/// condition, and a file that disagrees with the diff must not move a finding.
@Suite("Review context: the rest of each changed function, read from the forge")
struct ReviewContextTests {
    /// Any code rule turns the dataflow pack on; this one never matches.
    static let rules = TestRules.ruleSet("""
            rules:
              - id: fake-code-rule
                title: Never matches
                kind: code
                severity: low
                cwe: CWE-20
                message: Never reported.
                languages: [python]
                regex: 'corgi_never_matches_[0-9]{40}'
            """, name: "review-context")

    /// The file at the head commit: the request value is read six lines above the shell call.
    static let head = """
        import subprocess
        from flask import request

        @app.route("/archive")
        def archive():
            name = request.args.get("name")
            size = 10
            log(size)
            size += 1
            log(size)
            mode = "gz"
            subprocess.run("tar -xf " + name, shell=True)
            log(mode)
            return "ok"

        """

    /// What the forge's diff shows: three lines around the call, not the source.
    static let diff = Array("""
        diff --git a/app.py b/app.py
        --- a/app.py
        +++ b/app.py
        @@ -9,5 +9,6 @@ def archive():
             size += 1
             log(size)
             mode = "gz"
        +    subprocess.run("tar -xf " + name, shell=True)
             log(mode)
             return "ok"

        """.utf8)

    static func review(files: [String: String], policy: ReviewPolicy? = nil) async throws -> (annotations: [CheckAnnotation], coverage: String?) {
        let faults = Faults(crashAt: nil)
        let store = InMemoryReviewStore(faults: faults)
        let pr = FakePullRequestState(faults: faults, headSHA: "head111", diff: .whole(diff))
        for (path, text) in files { await pr.setFile(path, at: "head111", text) }
        let runner = ReviewRunner(store: store, objects: InMemoryObjectStore(), forges: ["fake": FakeForge(pullRequest: pr)], ruleSet: rules,
                                  scanOptions: ScanOptions(),
                                  policy: policy ?? ReviewPolicy(checkName: "Code Corgi", failOn: .high, maximumInlineComments: 10, defaultRetentionDays: 30))
        let claimed = ClaimedJob(id: 1, job: ScanJob(forge: "fake", installationID: 1, repositoryID: 42, organisation: "octo", repository: "octo/widgets",
                                                     number: 7, headSHA: "head111", baseSHA: "base", deliveryID: "d1", trigger: "opened"),
                                 attempt: 1, leaseOwner: "test")
        #expect(await runner.process(claimed, logger: Logger(label: "test")) == .published)
        let check = try #require(await pr.checks.values.first)
        return (check.report?.annotations ?? [], await store.scans.values.first?.coverage)
    }

    @Test("a source far above the changed line is found through the file read at the head commit")
    func sourceAboveTheHunk() async throws {
        let result = try await Self.review(files: ["app.py": Self.head])
        let finding = try #require(result.annotations.first)
        #expect(finding.path == "app.py" && finding.startLine == 12)
        #expect(finding.message.contains("line 6"))
        #expect(result.coverage == nil)
    }

    @Test("without the file (unreadable, or context off) the hunk is scanned alone, and the review says so")
    func withoutTheFile() async throws {
        let missing = try await Self.review(files: [:])
        #expect(missing.annotations.isEmpty)
        #expect(missing.coverage?.contains("1 of 1 changed code file(s) scanned from their hunks alone") == true)
        let off = try await Self.review(files: ["app.py": Self.head],
                                        policy: ReviewPolicy(checkName: "Code Corgi", failOn: .high, maximumInlineComments: 10,
                                                             defaultRetentionDays: 30, contextFiles: 0))
        #expect(off.annotations.isEmpty && off.coverage == nil)
    }

    @Test("a file that no longer matches the diff is not used: no finding moves to a line it does not hold")
    func changedSinceTheDiff() async throws {
        // Someone pushed again: the call moved down two lines. Widening with this text would
        // put the diff's lines next to the wrong context.
        let moved = Self.head.replacingOccurrences(of: "    mode = \"gz\"\n", with: "    mode = \"gz\"\n    x = 1\n    y = 2\n")
        let result = try await Self.review(files: ["app.py": moved])
        #expect(result.annotations.isEmpty)
        #expect(result.coverage?.contains("scanned from their hunks alone") == true)
    }

    @Test("a file at the size limit is refused, not read cut short")
    func oversizedFile() async throws {
        let padding = String(repeating: "# padding line to fill the file past the forge's limit\n", count: (1 << 20) / 50)
        let result = try await Self.review(files: ["app.py": Self.head + padding])
        #expect(result.annotations.isEmpty)
        #expect(result.coverage?.contains("hunks alone") == true)
    }
}
