import CorgiReview
import CorgiObjects
import Foundation
import Testing

@Suite("Encrypted local object store")
struct LocalEncryptedObjectStoreTests {
    let key1 = [UInt8](repeating: 7, count: 32)
    let key2 = (0..<32).map { UInt8($0) }

    func directory() -> URL { FileManager.default.temporaryDirectory.appendingPathComponent("corgi-objects-\(UUID().uuidString)") }

    @Test("round trip; the file on disk never holds the plaintext; private permissions")
    func roundTrip() async throws {
        let dir = directory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try LocalEncryptedObjectStore(directory: dir, sealer: Sealer(keys: [key1]))
        let diff = Array("+password = \"hunter2-MARKER\"\n".utf8)
        try await store.put("diffs/octo/repo/7/abc123", diff, expiresAt: Date().addingTimeInterval(3600))
        #expect(try await store.get("diffs/octo/repo/7/abc123") == diff)
        for name in try FileManager.default.contentsOfDirectory(atPath: dir.path) {
            let bytes = try Data(contentsOf: dir.appendingPathComponent(name))
            #expect(bytes.range(of: Data("MARKER".utf8)) == nil)
            #expect(!name.contains("octo"))
            let mode = try FileManager.default.attributesOfItem(atPath: dir.appendingPathComponent(name).path)[.posixPermissions] as! Int
            #expect(mode == 0o600)
        }
        let mode = try FileManager.default.attributesOfItem(atPath: dir.path)[.posixPermissions] as! Int
        #expect(mode == 0o700)
    }

    @Test("tampering, moving a file to another key, or a wrong encryption key are detected")
    func integrity() async throws {
        let dir = directory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try LocalEncryptedObjectStore(directory: dir, sealer: Sealer(keys: [key1]))
        try await store.put("a", Array("alpha".utf8), expiresAt: Date().addingTimeInterval(60))
        try await store.put("b", Array("beta".utf8), expiresAt: Date().addingTimeInterval(60))
        let fileA = dir.appendingPathComponent("61.obj"), fileB = dir.appendingPathComponent("62.obj")
        var bytes = try Data(contentsOf: fileA)
        bytes[bytes.count - 1] ^= 1
        try bytes.write(to: fileA)
        await #expect(throws: ObjectStoreError.corrupted("a")) { try await store.get("a") }
        try FileManager.default.removeItem(at: fileA)
        try FileManager.default.copyItem(at: fileB, to: fileA)
        await #expect(throws: ObjectStoreError.corrupted("a")) { try await store.get("a") }
        let other = try LocalEncryptedObjectStore(directory: dir, sealer: Sealer(keys: [key2]))
        await #expect(throws: ObjectStoreError.unknownEncryptionKey("b")) { try await other.get("b") }
    }

    @Test("key rotation: new objects use the new key, old ones still open")
    func rotation() async throws {
        let dir = directory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let old = try LocalEncryptedObjectStore(directory: dir, sealer: Sealer(keys: [key1]))
        try await old.put("old", [1, 2, 3], expiresAt: Date().addingTimeInterval(60))
        let rotated = try LocalEncryptedObjectStore(directory: dir, sealer: Sealer(keys: [key2, key1]))
        try await rotated.put("new", [4, 5], expiresAt: Date().addingTimeInterval(60))
        #expect(try await rotated.get("old") == [1, 2, 3])
        #expect(try await rotated.get("new") == [4, 5])
        await #expect(throws: ObjectStoreError.unknownEncryptionKey("new")) { try await old.get("new") }
    }

    @Test("expired objects are unreadable and swept")
    func expiry() async throws {
        let dir = directory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try LocalEncryptedObjectStore(directory: dir, sealer: Sealer(keys: [key1]))
        let now = Date()
        try await store.put("diffs/1", [1], expiresAt: now.addingTimeInterval(-1))
        try await store.put("diffs/2", [2], expiresAt: now.addingTimeInterval(90 * 86400))
        #expect(try await store.get("diffs/1") == nil)
        #expect(try await store.sweep(now: now) == ["diffs/1"])
        #expect(try await store.sweep(now: now).isEmpty)
        #expect(try await store.get("diffs/2") == [2])
        #expect(try await store.sweep(now: now.addingTimeInterval(91 * 86400)) == ["diffs/2"])
    }

    @Test("keys that could escape the directory are refused", arguments: ["", "../etc/passwd", "a b", "a\u{0}b", "ключ"])
    func invalidKeys(key: String) async throws {
        let dir = directory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try LocalEncryptedObjectStore(directory: dir, sealer: Sealer(keys: [key1]))
        await #expect(throws: ObjectStoreError.invalidKey(key)) { try await store.put(key, [1], expiresAt: Date()) }
    }

    @Test("the longest keys work: put, get, delete and sweep (file names stay under 255 bytes)")
    func longKeys() async throws {
        let dir = directory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try LocalEncryptedObjectStore(directory: dir, sealer: Sealer(keys: [key1]))
        let long = "diffs/" + String(repeating: "o", count: 39) + "/" + String(repeating: "r", count: 100) + "/7/" + String(repeating: "a", count: 40)
        let longest = String(repeating: "k", count: 512)
        for key in [long, longest] {
            try await store.put(key, [1, 2, 3], expiresAt: Date().addingTimeInterval(3600))
            #expect(try await store.get(key) == [1, 2, 3])
        }
        for name in try FileManager.default.contentsOfDirectory(atPath: dir.path) { #expect(name.utf8.count < 255) }
        try await store.delete(longest)
        #expect(try await store.get(longest) == nil)
        try await store.put(longest, [4], expiresAt: Date().addingTimeInterval(-1))
        #expect(try await store.sweep(now: Date()) == [longest])
        #expect(try await store.get(long) == [1, 2, 3])
    }

    @Test("encryption keys must be 32 bytes")
    func keyLength() {
        #expect(throws: ObjectStoreError.self) { try Sealer(keys: [[1, 2, 3]]) }
        #expect(throws: ObjectStoreError.self) { try Sealer(keys: []) }
    }
}
