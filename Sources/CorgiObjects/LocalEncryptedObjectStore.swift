public import Foundation

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

    func fileName(_ key: String) -> String {
        // A reversible, filesystem-safe name: hex of the key bytes.
        key.utf8.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
    }

    func dataURL(_ key: String) -> URL { root.appendingPathComponent(fileName(key) + ".obj") }
    func expiryURL(_ key: String) -> URL { root.appendingPathComponent(fileName(key) + ".expires") }

    public func put(_ key: String, _ bytes: [UInt8], expiresAt: Date) async throws {
        try Self.validate(key)
        let sealed = try sealer.seal(bytes, objectKey: key)
        try write(Data(sealed), to: dataURL(key))
        try write(Data(String(expiresAt.timeIntervalSince1970).utf8), to: expiryURL(key))
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
            let hex = String(name.dropLast(".expires".count))
            guard let key = Self.decode(hex), let expiry = expiry(key), expiry <= now else { continue }
            try await delete(key)
            deleted.append(key)
        }
        return deleted.sorted()
    }

    func expiry(_ key: String) -> Date? {
        guard let data = FileManager.default.contents(atPath: expiryURL(key).path),
              let seconds = TimeInterval(String(decoding: data, as: UTF8.self)) else { return nil }
        return Date(timeIntervalSince1970: seconds)
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
