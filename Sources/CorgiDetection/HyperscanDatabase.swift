internal import CHyperscan
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One compiled Hyperscan/Vectorscan block-mode database. Immutable once built, so it is shared
/// between scanners (Hyperscan documents databases as read-only at scan time); each scanner owns
/// a ``HyperscanScratch``.
final class HyperscanDatabase: @unchecked Sendable {
    struct Expression: Sendable, Hashable {
        var pattern: String
        var flags: Flags
        var id: UInt32
    }

    struct Flags: OptionSet, Sendable, Hashable {
        let rawValue: UInt32
        static let caseless = Flags(rawValue: UInt32(CORGI_HS_CASELESS))
        static let dotAll = Flags(rawValue: UInt32(CORGI_HS_DOTALL))
        static let multiline = Flags(rawValue: UInt32(CORGI_HS_MULTILINE))
        static let singleMatch = Flags(rawValue: UInt32(CORGI_HS_SINGLEMATCH))
        /// Compile an approximation whose matches are a superset of the pattern's.
        static let prefilter = Flags(rawValue: UInt32(CORGI_HS_PREFILTER))
    }

    struct CompileError: Error, Sendable, CustomStringConvertible {
        /// Index into the expressions given, when one pattern is at fault.
        var expression: Int?
        var message: String
        var description: String { expression.map { "expression \($0): \(message)" } ?? message }
    }

    /// Whether this build links the library and the CPU can run it.
    static var isAvailable: Bool { corgi_hs_available() != 0 }
    static var version: String { String(cString: corgi_hs_version()) }

    fileprivate let handle: OpaquePointer
    let byteSize: Int

    private init(handle: OpaquePointer) {
        self.handle = handle
        byteSize = corgi_hs_db_size(handle)
    }

    convenience init(_ expressions: [Expression]) throws(CompileError) {
        guard HyperscanDatabase.isAvailable else { throw CompileError(expression: nil, message: "Hyperscan is not available in this build") }
        guard !expressions.isEmpty else { throw CompileError(expression: nil, message: "no expressions") }
        let cStrings = expressions.map { strdup($0.pattern) }
        defer { for p in cStrings { free(p) } }
        let flags = expressions.map(\.flags.rawValue)
        let ids = expressions.map(\.id)
        var message = [CChar](repeating: 0, count: 512)
        var failed: Int32 = -1
        let db = cStrings.map { UnsafePointer($0) }.withUnsafeBufferPointer { patterns in
            corgi_hs_compile(patterns.baseAddress, flags, ids, UInt32(expressions.count), &message, message.count, &failed)
        }
        guard let db else {
            throw CompileError(expression: failed >= 0 ? Int(failed) : nil, message: String(cString: message))
        }
        self.init(handle: db)
    }

    /// A database from ``serialized()`` bytes, or nil if they are not one for this library and CPU.
    convenience init?(serialized bytes: [UInt8]) {
        let db = bytes.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { corgi_hs_deserialize($0.baseAddress, $0.count) }
        }
        guard let db else { return nil }
        self.init(handle: db)
    }

    func serialized() -> [UInt8]? {
        var bytes: UnsafeMutablePointer<CChar>?
        var length = 0
        guard corgi_hs_serialize(handle, &bytes, &length) == 0, let bytes else { return nil }
        defer { corgi_hs_free_bytes(bytes) }
        return bytes.withMemoryRebound(to: UInt8.self, capacity: length) { Array(UnsafeBufferPointer(start: $0, count: length)) }
    }

    deinit { corgi_hs_free_db(handle) }
}

/// Scanning state for one database; not thread-safe, one per scanner.
final class HyperscanScratch {
    let database: HyperscanDatabase
    private let handle: OpaquePointer

    init?(for database: HyperscanDatabase) {
        guard let scratch = corgi_hs_alloc_scratch(database.handle) else { return nil }
        self.database = database
        handle = scratch
    }

    deinit { corgi_hs_free_scratch(handle) }

    /// Reports every match of every expression in `bytes` to `collector`. Returns false when
    /// Hyperscan reported an error: the caller then takes its portable path for this input, so
    /// nothing goes unscanned.
    func scan(_ bytes: UnsafeBufferPointer<UInt8>, into collector: inout HyperscanMatchCollector) -> Bool {
        withUnsafeMutablePointer(to: &collector) { pointer in
            let rc = corgi_hs_scan(database.handle, handle, bytes.baseAddress, bytes.count, { id, end, context in
                context!.assumingMemoryBound(to: HyperscanMatchCollector.self).pointee.match(id: id, end: Int(end))
                return 0
            }, pointer)
            return rc >= 0
        }
    }
}
