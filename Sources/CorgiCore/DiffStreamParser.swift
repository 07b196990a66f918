#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Bytes to lines to diff events, in bounded memory: a diff arrives in chunks of any size
/// (a file, a pipe, an HTTP body) and is never held whole.
///
/// A line longer than `maximumLineLength` (one window) is delivered in pieces of that size that
/// overlap by `windowOverlap` bytes, all with the line's numbers, so a secret that straddles a
/// cut is still whole in one piece. Past `maximumScannedLineLength` the rest of the line is
/// dropped, and the parser records that as a ``CoverageGap``: nothing is skipped silently.
public final class DiffStreamParser {
    public static let defaultMaximumLineLength = 1 << 20
    public static let defaultWindowOverlap = 64 << 10
    public static let defaultMaximumScannedLineLength = 64 << 20

    /// Bytes of one window, the most held in memory for one line.
    public let maximumLineLength: Int
    /// Bytes each window repeats from the one before.
    public let windowOverlap: Int
    /// Bytes of one line scanned at most; the hard cap.
    public let maximumScannedLineLength: Int
    private var parser = DiffParser()
    private let carry: UnsafeMutableBufferPointer<UInt8>
    private var carryCount = 0
    // The line in progress, when it did not arrive whole in one chunk.
    private var piecesEmitted = 0
    private var lineBytes = 0
    private var overlapInCarry = 0
    private var columnOffset = 0
    private var droppedBytes = 0

    /// `windowOverlap` is at most a quarter of a window; a hard cap below one window makes the
    /// window that small.
    public init(maximumLineLength: Int = DiffStreamParser.defaultMaximumLineLength, windowOverlap: Int? = nil,
                maximumScannedLineLength: Int? = nil) {
        let cap = max(maximumScannedLineLength ?? DiffStreamParser.defaultMaximumScannedLineLength, 2)
        let window = min(maximumLineLength, cap)
        precondition(window > 1)
        self.maximumLineLength = window
        self.windowOverlap = min(windowOverlap ?? DiffStreamParser.defaultWindowOverlap, window / 4)
        self.maximumScannedLineLength = cap
        carry = .allocate(capacity: window)
    }

    deinit { carry.deallocate() }

    public var statistics: DiffStatistics { parser.statistics }
    public var coverageGaps: [CoverageGap] { parser.coverageGaps }

    public func feed<C: DiffConsumer>(_ chunk: UnsafeRawBufferPointer, into consumer: inout C) {
        guard let base = chunk.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return }
        let end = chunk.count
        var start = 0
        while start < end {
            let remaining = end - start
            guard let hit = memchr(base + start, 0x0A, remaining) else {
                append(UnsafeBufferPointer(start: base + start, count: remaining), into: &consumer)
                return
            }
            let newline = UnsafeRawPointer(hit).assumingMemoryBound(to: UInt8.self) - base
            let piece = UnsafeBufferPointer(start: base + start, count: newline - start)
            if carryCount == 0, piecesEmitted == 0, droppedBytes == 0, piece.count <= maximumLineLength {
                parser.consume(line: piece, into: &consumer)
            } else {
                append(piece, into: &consumer)
                endLine(into: &consumer)
            }
            start = newline + 1
        }
    }

    public func feed<C: DiffConsumer>(_ bytes: some Sequence<UInt8>, into consumer: inout C) {
        let array = Array(bytes)
        array.withUnsafeBytes { feed($0, into: &consumer) }
    }

    /// Ends the input and returns what was seen.
    @discardableResult
    public func finish<C: DiffConsumer>(into consumer: inout C) -> DiffStatistics {
        if carryCount > 0 || piecesEmitted > 0 || droppedBytes > 0 { endLine(into: &consumer) }
        parser.finish(into: &consumer)
        return parser.statistics
    }

    /// Reads a whole file descriptor (file, pipe, stdin) in 256 KiB chunks.
    @discardableResult
    public func parse<C: DiffConsumer>(fileDescriptor fd: Int32, into consumer: inout C) throws(DiffInputError) -> DiffStatistics {
        let chunkSize = 1 << 18
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let n = read(fd, buffer.baseAddress, chunkSize)
            if n < 0 {
                if errno == EINTR { continue }
                throw DiffInputError.readFailed(errno: errno)
            }
            if n == 0 { break }
            feed(UnsafeRawBufferPointer(rebasing: buffer[..<n]), into: &consumer)
        }
        return finish(into: &consumer)
    }

    /// Adds bytes of the line in progress: a full window is delivered when more bytes follow it,
    /// and bytes past the hard cap are counted and dropped. The same bytes give the same pieces
    /// however they are chunked.
    private func append<C: DiffConsumer>(_ piece: UnsafeBufferPointer<UInt8>, into consumer: inout C) {
        var rest = piece
        while !rest.isEmpty {
            if droppedBytes > 0 || lineBytes >= maximumScannedLineLength {
                droppedBytes += rest.count
                return
            }
            if carryCount == maximumLineLength { emitWindow(into: &consumer) }
            let take = min(maximumLineLength - carryCount, rest.count, maximumScannedLineLength - lineBytes)
            _ = UnsafeMutableBufferPointer(rebasing: carry[carryCount..<(carryCount + take)])
                .initialize(fromContentsOf: rest.prefix(take))
            carryCount += take
            lineBytes += take
            rest = UnsafeBufferPointer(rebasing: rest.dropFirst(take))
        }
    }

    /// Delivers the full window and keeps its last `windowOverlap` bytes to start the next one.
    private func emitWindow<C: DiffConsumer>(into consumer: inout C) {
        let window = UnsafeBufferPointer(carry)
        if piecesEmitted == 0 {
            parser.consume(line: window, continues: true, into: &consumer)
        } else {
            parser.continueLine(window, columnOffset: columnOffset, freshBytes: carryCount - overlapInCarry,
                                final: false, truncated: false, into: &consumer)
        }
        piecesEmitted += 1
        let kept = windowOverlap
        let dropped = carryCount - kept
        columnOffset += Self.scalarCount(UnsafeBufferPointer(rebasing: carry[..<dropped]))
        if kept > 0 {
            UnsafeMutableRawPointer(carry.baseAddress!).copyMemory(from: carry.baseAddress! + dropped, byteCount: kept)
        }
        carryCount = kept
        overlapInCarry = kept
    }

    private func endLine<C: DiffConsumer>(into consumer: inout C) {
        let line = UnsafeBufferPointer(rebasing: carry[..<carryCount])
        let truncated = droppedBytes > 0
        if piecesEmitted == 0 {
            parser.consume(line: line, truncated: truncated, into: &consumer)
        } else {
            parser.continueLine(line, columnOffset: columnOffset, freshBytes: carryCount - overlapInCarry,
                                droppedBytes: droppedBytes, final: true, truncated: truncated, into: &consumer)
        }
        carryCount = 0
        piecesEmitted = 0
        lineBytes = 0
        overlapInCarry = 0
        columnOffset = 0
        droppedBytes = 0
    }

    /// Unicode scalars in UTF-8 (each stray byte of invalid UTF-8 counts as one), as findings count columns.
    static func scalarCount(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
        var n = 0
        for b in bytes where b & 0xC0 != 0x80 { n += 1 }
        return n
    }
}

public enum DiffInputError: Error, Sendable, Hashable, CustomStringConvertible {
    case readFailed(errno: Int32)

    public var description: String {
        switch self {
        case .readFailed(let code): "could not read the diff: \(String(cString: strerror(code)))"
        }
    }
}
