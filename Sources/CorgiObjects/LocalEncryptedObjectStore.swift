public import CorgiReview
public import Foundation
internal import Crypto

/// Objects as encrypted files in a private directory (0700; files 0600), each with its expiry
/// beside it. File names are derived from the key, never the key itself.
public actor LocalEncryptedObjectStore: ObjectStore {
    let root: URL
    let sealer: Sealer

    public init(directory: URL, sealer: Sealer) throws {
        root = directory
        self.sealer = sealer
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
            try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: directory.path)
        } catch {
            throw ObjectStoreError.io("cannot create the object store at \(directory.path)")
        }
    }

    public static func validate(_ key: String) throws {
        guard !key.isEmpty, key.count <= 512, !key.contains(".."), key.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_/.".contains($0)) })
        else { throw ObjectStoreError.invalidKey(key) }
    }

    /// Keys up to this many bytes are stored under the hex of their bytes (reversible); longer
    /// ones under `k-` and the SHA-256 of the key, with the key in the expiry file, because a file
    /// name is at most 255 bytes and a key may have 512 (a diff of a 39 + 100 character name).
    static let maximumHexNamedKeyBytes = 100

    func fileName(_ key: String) -> String {
        guard key.utf8.count > Self.maximumHexNamedKeyBytes else { return Self.hex(key.utf8) }
        return "k-" + Self.hex(SHA256.hash(data: Array(key.utf8)))
    }

    static func hex(_ bytes: some Sequence<UInt8>) -> String {
        bytes.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
    }

    func dataURL(_ key: String) -> URL { root.appendingPathComponent(fileName(key) + ".obj") }
    func expiryURL(_ key: String) -> URL { root.appendingPathComponent(fileName(key) + ".expires") }

    public func put(_ key: String, _ bytes: [UInt8], expiresAt: Date) async throws {
        try Self.validate(key)
        let sealed = try sealer.seal(bytes, objectKey: key)
        try write(Data(sealed), to: dataURL(key))
        // The expiry, and on a second line the key itself when the file name cannot give it back.
        let expiry = String(expiresAt.timeIntervalSince1970) + (key.utf8.count > Self.maximumHexNamedKeyBytes ? "\n" + key : "")
        try write(Data(expiry.utf8), to: expiryURL(key))
    }

    public func get(_ key: String) async throws -> [UInt8]? {
        try Self.validate(key)
        guard let sealed = FileManager.default.contents(atPath: dataURL(key).path) else { return nil }
        if let expiry = expiry(key), expiry <= Date() { return nil }
        return try sealer.open(Array(sealed), objectKey: key)
    }

    public func delete(_ key: String) async throws {
        try Self.validate(key)
        try? FileManager.default.removeItem(at: dataURL(key))
        try? FileManager.default.removeItem(at: expiryURL(key))
    }

    public func sweep(now: Date) async throws -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
        var deleted: [String] = []
        for name in names where name.hasSuffix(".expires") {
            let stem = String(name.dropLast(".expires".count))
            let named = stem.hasPrefix("k-") ? keyInExpiryFile(stem) : Self.decode(stem)
            guard let key = named, fileName(key) == stem, let expiry = expiry(key), expiry <= now else { continue }
            try await delete(key)
            deleted.append(key)
        }
        return deleted.sorted()
    }

    func expiry(_ key: String) -> Date? {
        guard let data = FileManager.default.contents(atPath: expiryURL(key).path),
              let first = String(decoding: data, as: UTF8.self).split(separator: "\n", maxSplits: 1).first,
              let seconds = TimeInterval(first) else { return nil }
        return Date(timeIntervalSince1970: seconds)
    }

    func keyInExpiryFile(_ stem: String) -> String? {
        guard let data = FileManager.default.contents(atPath: root.appendingPathComponent(stem + ".expires").path) else { return nil }
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n", maxSplits: 1)
        return lines.count == 2 ? String(lines[1]) : nil
    }

    static func decode(_ hex: String) -> String? {
        var bytes: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2, limitedBy: hex.endIndex) ?? hex.endIndex
            guard let byte = UInt8(hex[index..<next], radix: 16) else { return nil }
            bytes.append(byte)
            index = next
        }
        return String(bytes: bytes, encoding: .utf8)
    }

    func write(_ data: Data, to url: URL) throws {
        let temporary = url.appendingPathExtension("tmp")
        guard FileManager.default.createFile(atPath: temporary.path, contents: data, attributes: [.posixPermissions: 0o600]) else {
            throw ObjectStoreError.io("cannot write to the object store")
        }
        if rename(temporary.path, url.path) != 0 { throw ObjectStoreError.io("cannot write to the object store") }
    }
}
