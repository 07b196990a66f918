#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Bytes to lines to diff events, in bounded memory: a diff arrives in chunks of any size
/// (a file, a pipe, an HTTP body) and is never held whole. A line longer than
/// `maximumLineLength` is cut there and flagged; the rest of it is skipped.
public final class DiffStreamParser {
    public static let defaultMaximumLineLength = 1 << 20

    public let maximumLineLength: Int
    private var parser = DiffParser()
    private let carry: UnsafeMutableBufferPointer<UInt8>
    private var carryCount = 0
    private var carryTruncated = false

    public init(maximumLineLength: Int = DiffStreamParser.defaultMaximumLineLength) {
        precondition(maximumLineLength > 0)
        self.maximumLineLength = maximumLineLength
        carry = .allocate(capacity: maximumLineLength)
    }

    deinit { carry.deallocate() }

    public var statistics: DiffStatistics { parser.statistics }

    public func feed<C: DiffConsumer>(_ chunk: UnsafeRawBufferPointer, into consumer: inout C) throws {
        guard let base = chunk.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return }
        let end = chunk.count
        var start = 0
        while start < end {
            let remaining = end - start
            guard let hit = memchr(base + start, 0x0A, remaining) else {
                appendToCarry(UnsafeBufferPointer(start: base + start, count: remaining))
                return
            }
            let newline = UnsafeRawPointer(hit).assumingMemoryBound(to: UInt8.self) - base
            let piece = UnsafeBufferPointer(start: base + start, count: newline - start)
            if carryCount == 0, !carryTruncated {
                if piece.count > maximumLineLength {
                    try parser.consume(line: UnsafeBufferPointer(rebasing: piece.prefix(maximumLineLength)),
                                       truncated: true, into: &consumer)
                } else {
                    try parser.consume(line: piece, into: &consumer)
                }
            } else {
                appendToCarry(piece)
                try emitCarry(into: &consumer)
            }
            start = newline + 1
        }
    }

    public func feed<C: DiffConsumer>(_ bytes: some Sequence<UInt8>, into consumer: inout C) throws {
        let array = Array(bytes)
        try array.withUnsafeBytes { try feed($0, into: &consumer) }
    }

    /// Ends the input and returns what was seen.
    @discardableResult
    public func finish<C: DiffConsumer>(into consumer: inout C) throws -> DiffStatistics {
        if carryCount > 0 || carryTruncated { try emitCarry(into: &consumer) }
        try parser.finish(into: &consumer)
        return parser.statistics
    }

    /// Reads a whole file descriptor (file, pipe, stdin) in 256 KiB chunks.
    @discardableResult
    public func parse<C: DiffConsumer>(fileDescriptor fd: Int32, into consumer: inout C) throws -> DiffStatistics {
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
            try feed(UnsafeRawBufferPointer(rebasing: buffer[..<n]), into: &consumer)
        }
        return try finish(into: &consumer)
    }

    private func appendToCarry(_ piece: UnsafeBufferPointer<UInt8>) {
        let room = maximumLineLength - carryCount
        if piece.count > room { carryTruncated = true }
        let take = min(room, piece.count)
        guard take > 0 else { return }
        _ = UnsafeMutableBufferPointer(rebasing: carry[carryCount..<(carryCount + take)])
            .initialize(fromContentsOf: piece.prefix(take))
        carryCount += take
    }

    private func emitCarry<C: DiffConsumer>(into consumer: inout C) throws {
        let line = UnsafeBufferPointer(rebasing: carry[..<carryCount])
        let truncated = carryTruncated
        carryCount = 0
        carryTruncated = false
        try parser.consume(line: line, truncated: truncated, into: &consumer)
    }
}

public enum DiffInputError: Error, Sendable, CustomStringConvertible {
    case readFailed(errno: Int32)

    public var description: String {
        switch self {
        case .readFailed(let code): "could not read the diff: \(String(cString: strerror(code)))"
        }
    }
}
