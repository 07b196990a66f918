internal import CPCRE2
internal import Foundation

/// A compiled PCRE2 pattern over bytes, JIT-compiled on its first match. Compiled code is
/// immutable once JIT compilation is done and PCRE2 documents it as safe to share between
/// threads; per-match state lives in ``MatchScratch``.
///
/// Why lazily: a rule set holds thousands of patterns (2,100 provider rules alone) of which a
/// scan runs a few; JIT-compiling all of them cost most of the start-up time and of the resident
/// memory of `corgi serve`. Invariant: no match runs before `jitState` is published (1 JIT,
/// 2 interpreter), and `pcre2_jit_compile` runs once, under `jitLock`, before that.
public final class PCRE2Pattern: @unchecked Sendable {
    let code: OpaquePointer
    public let source: String
    public let captureCount: Int
    private let jitState: UnsafeMutablePointer<Int32>
    private let jitLock = NSLock()

    /// Whether matching runs JIT-compiled code (compiling it now if no match has run yet).
    public var isJIT: Bool {
        prepare()
        return corgi_load_acquire(jitState) == 1
    }

    public init(_ pattern: String, caseless: Bool = false) throws(PatternError) {
        var errorCode: Int32 = 0
        var errorOffset = 0
        // Byte mode (no PCRE2_UTF): diffs may hold invalid UTF-8 and must never fail to scan.
        var options: UInt32 = 0
        if caseless { options |= UInt32(PCRE2_CASELESS) }
        let compiled = pattern.withCString { cString in
            cString.withMemoryRebound(to: UInt8.self, capacity: pattern.utf8.count) {
                pcre2_compile_8($0, pattern.utf8.count, options, &errorCode, &errorOffset, nil)
            }
        }
        guard let compiled else {
            throw PatternError(pattern: pattern, offset: errorOffset, message: PCRE2Pattern.message(for: errorCode))
        }
        code = compiled
        source = pattern
        var count: UInt32 = 0
        pcre2_pattern_info_8(compiled, UInt32(PCRE2_INFO_CAPTURECOUNT), &count)
        captureCount = Int(count)
        jitState = .allocate(capacity: 1)
        jitState.initialize(to: 0)
    }

    deinit {
        pcre2_code_free_8(code)
        jitState.deallocate()
    }

    /// JIT-compiles the pattern once, before its first match.
    @inline(__always)
    private func prepare() {
        if corgi_load_acquire(jitState) == 0 { compileJIT() }
    }

    private func compileJIT() {
        jitLock.lock()
        defer { jitLock.unlock() }
        guard corgi_load_acquire(jitState) == 0 else { return }
        let compiled = pcre2_jit_compile_8(code, UInt32(PCRE2_JIT_COMPLETE)) == 0
        corgi_store_release(jitState, compiled ? 1 : 2)
    }

    static func message(for code: Int32) -> String {
        var buffer = [UInt8](repeating: 0, count: 256)
        let n = pcre2_get_error_message_8(code, &buffer, buffer.count)
        return n > 0 ? String(decoding: buffer[..<Int(n)], as: UTF8.self) : "PCRE2 error \(code)"
    }

    /// First match at or after `start`, with the ranges of every capture group
    /// (index 0 is the whole match; a group that did not take part is `nil`).
    public func firstMatch(
        in subject: UnsafeBufferPointer<UInt8>, from start: Int = 0, scratch: MatchScratch
    ) -> PatternMatch? {
        guard start <= subject.count else { return nil }
        prepare()
        // A nil base address (empty subject) is not accepted by pcre2_match; use a static byte.
        let base = subject.baseAddress ?? MatchScratch.emptySubject
        let rc = pcre2_match_8(code, base, subject.count, start, 0, scratch.matchData, scratch.matchContext)
        if rc < 0 {
            if rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT || rc == PCRE2_ERROR_HEAPLIMIT
                || rc == PCRE2_ERROR_JIT_STACKLIMIT
            {
                scratch.limitHits += 1
            }
            return nil
        }
        let ovector = pcre2_get_ovector_pointer_8(scratch.matchData)!
        let groups = min(rc == 0 ? scratch.capacity : Int(rc), captureCount + 1)
        var ranges: [Range<Int>?] = []
        ranges.reserveCapacity(captureCount + 1)
        for i in 0...captureCount {
            if i < groups {
                let lo = ovector[2 * i], hi = ovector[2 * i + 1]
                // PCRE2_UNSET is ~(size_t)0, which Swift sees as -1.
                ranges.append(lo < 0 || hi < lo ? nil : lo..<hi)
            } else {
                ranges.append(nil)
            }
        }
        return PatternMatch(groups: ranges)
    }

    /// Whether the pattern matches anywhere in `subject`.
    public func matches(_ subject: UnsafeBufferPointer<UInt8>, scratch: MatchScratch) -> Bool {
        prepare()
        let base = subject.baseAddress ?? MatchScratch.emptySubject
        return pcre2_match_8(code, base, subject.count, 0, 0, scratch.matchData, scratch.matchContext) >= 0
    }

    public func matches(_ text: String, scratch: MatchScratch) -> Bool {
        var text = text
        return text.withUTF8 { matches($0, scratch: scratch) }
    }

    /// Every non-overlapping match, left to right.
    ///
    /// There is no cap on the number of matches: a cap would let decoys (a thousand look-alike
    /// tokens that fail a checksum) hide a real one after them. The cost stays bounded without
    /// it: each match moves the start forward by at least one byte and each attempt is bounded by
    /// the scratch's match limit, so the work is linear in the subject, which the diff parser
    /// bounds to one window of a line. `limit` is for callers that want only the first few.
    public func allMatches(in subject: UnsafeBufferPointer<UInt8>, scratch: MatchScratch, limit: Int = .max) -> [PatternMatch] {
        var result: [PatternMatch] = []
        var start = 0
        while start <= subject.count, result.count < limit, let m = firstMatch(in: subject, from: start, scratch: scratch) {
            result.append(m)
            let whole = m.groups[0]!
            start = whole.isEmpty ? whole.upperBound + 1 : whole.upperBound
        }
        return result
    }
}

public struct PatternMatch: Sendable, Hashable {
    /// Byte ranges: index 0 the whole match, then each capture group.
    public var groups: [Range<Int>?]
    public var range: Range<Int> { groups[0]! }
}

public struct PatternError: Error, Sendable, Hashable, CustomStringConvertible {
    public var pattern: String
    public var offset: Int
    public var message: String
    public var description: String { "does not compile at offset \(offset): \(message)" }
}

/// Per-scan PCRE2 state: match data, a match context with limits, and a JIT stack.
/// Not thread-safe: each scanner owns one.
public final class MatchScratch {
    nonisolated(unsafe) static let emptySubject: UnsafePointer<UInt8> = {
        let p = UnsafeMutablePointer<UInt8>.allocate(capacity: 1)
        p.initialize(to: 0)
        return UnsafePointer(p)
    }()

    /// Backtracking budget per match attempt: a pathological pattern or input gives up
    /// (and is counted) instead of stalling the scan.
    public static let defaultMatchLimit: UInt32 = 200_000

    let matchData: OpaquePointer
    let matchContext: OpaquePointer
    let jitStack: OpaquePointer?
    let capacity: Int
    public internal(set) var limitHits = 0

    public init(maximumCaptures: Int = 32, matchLimit: UInt32 = MatchScratch.defaultMatchLimit) {
        capacity = maximumCaptures + 1
        matchData = pcre2_match_data_create_8(UInt32(capacity), nil)!
        matchContext = pcre2_match_context_create_8(nil)!
        pcre2_set_match_limit_8(matchContext, matchLimit)
        pcre2_set_depth_limit_8(matchContext, 10_000)
        jitStack = pcre2_jit_stack_create_8(32 * 1024, 1024 * 1024, nil)
        if let jitStack { pcre2_jit_stack_assign_8(matchContext, nil, UnsafeMutableRawPointer(jitStack)) }
    }

    deinit {
        pcre2_match_data_free_8(matchData)
        pcre2_match_context_free_8(matchContext)
        if let jitStack { pcre2_jit_stack_free_8(jitStack) }
    }
}
