import CorgiCore
import CorgiDetection
import Foundation
import Testing

@Suite("Secrets in paths and keyed fingerprints")
struct PathSecretTests {
    @Test("a secret in a path is a finding, and every finding of the file carries the redacted path")
    func secretInPath() throws {
        let result = try scan(newFileDiff("keys/\(token)/config.py", ["a = \"\(token)\""]), rules: [tokenRule])
        #expect(result.findings.map(\.line) == [1, 1])
        #expect(Set(result.findings.map(\.path)) == ["keys/tok_****/config.py"])
        let inPath = try #require(result.findings.first { $0.message.contains("path") })
        #expect(inPath.redacted == "tok_****" && inPath.kind == .secret)
        for f in result.findings { #expect(!f.path.contains(token) && !f.message.contains(token)) }
    }

    @Test("paths without secrets, deleted files and ignored paths are left alone")
    func noFalseAlarms() throws {
        #expect(try scan(newFileDiff("src/tokens/tok_list.py", ["x = 1"]), rules: [tokenRule]).findings.isEmpty)
        let deleted = "diff --git a/\(token).txt b/\(token).txt\ndeleted file mode 100644\n--- a/\(token).txt\n+++ /dev/null\n@@ -1 +0,0 @@\n-x\n"
        #expect(try scan(deleted, rules: [tokenRule]).findings.isEmpty)
        let ignored = try scan(newFileDiff("vendor/\(token).txt", ["x"]), rules: [tokenRule], options: ScanOptions(ignorePaths: ["vendor/**"]))
        #expect(ignored.findings.isEmpty)
        #expect(try RuleSet(rules: [tokenRule]).redactingSecrets(inPath: "a/\(token)/b/\(token)") == "a/tok_****/b/tok_****")
    }

    @Test("fingerprints are keyed: the same key gives the same fingerprint, another key another, and none is the plain digest")
    func keyedFingerprints() throws {
        let diff = newFileDiff("k.env", ["K=\(token)"])
        let a = try FingerprintKey(Array("a key of sixteen bytes or more".utf8), source: "test")
        let b = try FingerprintKey(Array("another key, just as long".utf8), source: "test")
        let first = try scan(diff, rules: [tokenRule], options: ScanOptions(fingerprintKey: a)).findings[0].fingerprint
        let again = try scan(diff, rules: [tokenRule], options: ScanOptions(fingerprintKey: a)).findings[0].fingerprint
        let other = try scan(diff, rules: [tokenRule], options: ScanOptions(fingerprintKey: b)).findings[0].fingerprint
        #expect(first == again && first != other && first.count == 32)
        #expect(throws: FingerprintKeyError.self) { try FingerprintKey(Array("short".utf8), source: "test") }
        // A keyed baseline and a plain-digest baseline (written before keys) both accept it.
        #expect(try scan(diff, rules: [tokenRule], options: ScanOptions(baseline: [first], fingerprintKey: a)).findings.isEmpty)
    }
}
