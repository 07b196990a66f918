import CorgiCore
@testable import CorgiReports
import Foundation
import Testing

@Suite("Report formats")
struct ReportTests {
    static let secret = Finding(
        ruleID: "github-pat-classic", title: "GitHub token", kind: .secret, severity: .critical, confidence: .high,
        cwe: "CWE-798", path: "config/app, settings.py", line: 3, column: 9, message: "A token: 100% exposed\nrevoke it",
        fingerprint: "0123456789abcdef0123456789abcdef", redacted: "ghp_****")
    static let code = Finding(
        ruleID: "python-yaml-unsafe-load", title: "yaml.load", kind: .code, severity: .medium, cwe: "CWE-502",
        owasp: "A08:2021", path: "app/load.py", line: 2, column: 7, endLine: 4, message: "Unsafe load.",
        fingerprint: "fedcba9876543210fedcba9876543210", redacted: nil)
    static var report: ScanReport {
        var stats = ScanStatistics()
        stats.diff.files = 2
        stats.diff.addedLines = 10
        return ScanReport(findings: [code, secret].sorted(by: Finding.reportOrder), statistics: stats, toolVersion: "9.9.9")
    }

    /// `count` findings alternating secret and code, with text every encoder must escape; varied:
    /// five rules and some dataflow paths.
    static func many(_ count: Int, varied: Bool = false) -> [Finding] {
        (0..<count).map { i in
            var f = i % 2 == 0 ? secret : code
            f.line = i + 1
            f.message += " \"quoted\" and / slashes, a tab\t and \u{2028}"
            if varied {
                f.ruleID += "-\(i % 5)"
                if i % 3 == 0 { f.flow = [FlowStep(line: 1, message: "source"), FlowStep(line: i + 1, message: "sink")] }
            }
            return f
        }
    }

    @Test("JSON streamed a finding at a time is byte for byte the whole document encoded at once", arguments: [0, 1, 2, 3, 700])
    func jsonStreamed(count: Int) throws {
        let findings = Self.many(count)
        var stats = ScanStatistics()
        stats.diff.files = count
        let report = ScanReport(findings: findings, statistics: stats, toolVersion: "9.9.9")
        var pieces: [String] = []
        report.write(.json) { pieces.append($0) }
        let whole = JSONReport.Document(
            tool: .init(name: "corgi", version: "9.9.9"), findings: findings.map(JSONReport.Entry.init),
            notCovered: report.notCovered.map(JSONReport.NotCoveredEntry.init), stats: JSONReport.Stats(stats))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let expected = String(decoding: try encoder.encode(whole), as: UTF8.self) + "\n"
        #expect(pieces.joined() == expected)
        #expect(report.render(.json) == expected)
        // In pieces: no piece holds much more than 64 KiB of findings.
        #expect(pieces.allSatisfy { $0.utf8.count < (64 << 10) + 4096 })
        if count == 700 { #expect(pieces.count > 3) }
    }

    @Test("SARIF streamed a result at a time is byte for byte the whole document encoded at once", arguments: [0, 1, 2, 3, 700])
    func sarifStreamed(count: Int) throws {
        let findings = Self.many(count, varied: true)
        var stats = ScanStatistics()
        stats.diff.files = count
        let report = ScanReport(findings: findings, statistics: stats, toolVersion: "9.9.9",
                                versionControl: count == 2 ? VersionControl(repositoryURI: "https://example.com/r.git", revisionID: nil) : nil)
        var pieces: [String] = []
        report.write(.sarif) { pieces.append($0) }
        let expected = SARIFReport.renderWhole(report)
        #expect(pieces.joined() == expected)
        #expect(report.render(.sarif) == expected)
        #expect(pieces.allSatisfy { $0.utf8.count < (64 << 10) + 8192 })
        if count == 700 { #expect(pieces.count > 3) }
    }

    @Test("GitHub annotations escape what the Actions runner reserves")
    func github() {
        let lines = Self.report.render(.github).split(separator: "\n").map(String.init)
        #expect(lines.count == 2)
        #expect(lines[0] == "::warning file=app/load.py,line=2,endLine=4,col=7,title=python-yaml-unsafe-load::[medium] Unsafe load.")
        #expect(lines[1] == "::error file=config/app%2C settings.py,line=3,endLine=3,col=9,title=github-pat-classic::"
            + "[critical] A token: 100%25 exposed%0Arevoke it [ghp_****]")
    }

    @Test("text groups by file and colours only when asked")
    func text() {
        let plain = Self.report.render(.text, colour: false)
        #expect(!plain.contains("\u{1B}["))
        let lines = plain.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines[0] == "app/load.py")
        #expect(lines[2] == "")
        #expect(lines[3] == "config/app, settings.py")
        #expect(plain.contains("[ghp_****]"))
        #expect(plain.hasSuffix("2 finding(s) (1 critical, 1 medium) in 2 file(s), 10 added line(s).\n"))
        #expect(Self.report.render(.text, colour: true).contains("\u{1B}[1;31mCRITICAL"))
    }

    @Test("JSON always carries cwe and redacted, null when absent")
    func json() throws {
        let object = try JSONSerialization.jsonObject(with: Data(Self.report.render(.json).utf8)) as! [String: Any]
        let findings = object["findings"] as! [[String: Any]]
        #expect(findings.count == 2)
        #expect(findings[0]["redacted"] is NSNull)
        #expect(findings[1]["redacted"] as? String == "ghp_****")
        #expect(findings[0]["end_line"] as? Int == 4)
        #expect((object["stats"] as! [String: Any])["added_lines"] as? Int == 10)
        #expect((object["tool"] as! [String: Any])["version"] as? String == "9.9.9")
    }

    @Test("SARIF: levels, rule index, fingerprints, security severity, encoded URIs")
    func sarif() throws {
        let log = try JSONSerialization.jsonObject(with: Data(Self.report.render(.sarif).utf8)) as! [String: Any]
        #expect(log["version"] as? String == "2.1.0")
        let run = (log["runs"] as! [[String: Any]])[0]
        let rules = ((run["tool"] as! [String: Any])["driver"] as! [String: Any])["rules"] as! [[String: Any]]
        let results = run["results"] as! [[String: Any]]
        #expect(results.map { $0["level"] as? String } == ["warning", "error"])
        for result in results {
            let index = result["ruleIndex"] as! Int
            #expect(rules[index]["id"] as? String == result["ruleId"] as? String)
        }
        let location = ((results[1]["locations"] as! [[String: Any]])[0]["physicalLocation"] as! [String: Any])
        #expect((location["artifactLocation"] as! [String: Any])["uri"] as? String == "config/app,%20settings.py")
        #expect((results[0]["partialFingerprints"] as! [String: String])["corgiFingerprint/v1"] == Self.code.fingerprint)
        let properties = rules[1]["properties"] as! [String: Any]
        #expect(properties["security-severity"] as? String == "9.5")
        #expect((properties["tags"] as! [String]).contains("external/cwe/cwe-798"))
    }
}

@Suite("Version control provenance")
struct VersionControlTests {
    @Test("remote addresses are published without credentials, or not at all", arguments: [
        ("https://github.com/acme/app.git", "https://github.com/acme/app.git"),
        ("https://x-access-token:ghp_R2d9vXzQ7mLp4Kt8Ws3Yb6Nc1Hf5Jg0Ea9Uo@github.com/acme/app.git", "https://github.com/acme/app.git"),
        ("https://oauth2:glpat-Xk2pQ9vR4tL8mN3sW7yB@gitlab.example.com:8443/g/p.git?private_token=x#y", "https://gitlab.example.com:8443/g/p.git"),
        ("ssh://git@git.example.com:2222/acme/app.git", "ssh://git.example.com:2222/acme/app.git"),
        ("git@github.com:acme/app.git", "ssh://github.com/acme/app.git"),
        ("deploy:s3cr3t@github.com:acme/app.git", "ssh://github.com/acme/app.git"),
    ])
    func published(_ remote: String, _ expected: String) {
        #expect(VersionControl.publishableRemote(remote) == expected)
    }

    @Test("local paths, file URLs, other schemes and garbage are not published", arguments: [
        "/home/alice/src/app", "../app.git", "file:///home/alice/app.git", "C:\\Users\\alice\\app", "",
        "https://", "ftp://example.com/app.git", "https://github.com/acme/app.git\u{1b}[2J", "git@:acme/app.git",
    ])
    func notPublished(_ remote: String) {
        #expect(VersionControl.publishableRemote(remote) == nil)
    }

    @Test("SARIF names the repository and revision only when they are known")
    func sarif() throws {
        let statistics = ScanStatistics()
        let known = ScanReport(findings: [], statistics: statistics, toolVersion: "0",
                               versionControl: VersionControl(repositoryURI: "https://github.com/acme/app.git", revisionID: String(repeating: "a", count: 40)))
        let run = try #require(((try JSONSerialization.jsonObject(with: Data(SARIFReport.render(known).utf8)) as? [String: Any])?["runs"] as? [[String: Any]])?.first)
        let provenance = try #require(run["versionControlProvenance"] as? [[String: Any]])
        #expect(provenance.first?["repositoryUri"] as? String == "https://github.com/acme/app.git")
        #expect(provenance.first?["revisionId"] as? String == String(repeating: "a", count: 40))
        let unknown = ScanReport(findings: [], statistics: statistics, toolVersion: "0")
        let bare = try #require(((try JSONSerialization.jsonObject(with: Data(SARIFReport.render(unknown).utf8)) as? [String: Any])?["runs"] as? [[String: Any]])?.first)
        #expect(bare["versionControlProvenance"] == nil)
    }
}
