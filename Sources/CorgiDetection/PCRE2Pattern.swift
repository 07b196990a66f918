internal import CPCRE2
internal import Foundation

/// A compiled PCRE2 pattern over bytes, JIT-compiled on its first match. Compiled code is
/// immutable once JIT compilation is done and PCRE2 documents it as safe to share between
/// threads; per-match state lives in ``MatchScratch``.
///
/// Why lazily: a rule set holds thousands of patterns (2,400 provider rules alone) of which a
/// scan runs a few; JIT-compiling all of them cost most of the start-up time and of the resident
/// memory of `corgi serve`. A pattern already known to compile (``init(verified:captureCount:caseless:)``)
/// is not even compiled until then: compiling three thousand was a sixth of a small scan.
///
/// Invariant: no match runs before `state` is published (1 JIT, 2 interpreter, 3 unusable), and
/// compilation runs once, under `lock`, before that; `code` is written only there (or in
/// `init`) and read only after `state` was seen non-zero.
public final class PCRE2Pattern: @unchecked Sendable {
    private var code: OpaquePointer?
    public let source: String
    public let captureCount: Int
    private let caseless: Bool
    private let state: UnsafeMutablePointer<Int32>
    private let lock = NSLock()

    private enum State {
        static let unprepared: Int32 = 0, jit: Int32 = 1, interpreted: Int32 = 2, unusable: Int32 = 3
    }

    /// Whether matching runs JIT-compiled code (compiling it now if no match has run yet).
    public var isJIT: Bool {
        _ = prepare()
        return corgi_load_acquire(state) == State.jit
    }

    /// Whether the pattern has been compiled (tests check deferred patterns wait for a match).
    var isCompiled: Bool {
        lock.lock()
        defer { lock.unlock() }
        return code != nil
    }

    public init(_ pattern: String, caseless: Bool = false) throws(PatternError) {
        let compiled = try Self.compile(pattern, caseless: caseless)
        code = compiled
        source = pattern
        self.caseless = caseless
        captureCount = Self.captureCount(of: compiled)
        state = .allocate(capacity: 1)
        state.initialize(to: State.unprepared)
    }

    /// A pattern that compiled before, with `captureCount` groups (the rule cache keeps both), to
    /// be compiled on its first match. Should it then not compile, or have another number of
    /// groups (a changed PCRE2 library), it never matches rather than read groups it lacks.
    init(verified pattern: String, captureCount: Int, caseless: Bool = false) {
        code = nil
        source = pattern
        self.caseless = caseless
        self.captureCount = captureCount
        state = .allocate(capacity: 1)
        state.initialize(to: State.unprepared)
    }

    deinit {
        if let code { pcre2_code_free_8(code) }
        state.deallocate()
    }

    private static func compile(_ pattern: String, caseless: Bool) throws(PatternError) -> OpaquePointer {
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
        return compiled
    }

    private static func captureCount(of code: OpaquePointer) -> Int {
        var count: UInt32 = 0
        pcre2_pattern_info_8(code, UInt32(PCRE2_INFO_CAPTURECOUNT), &count)
        return Int(count)
    }

    /// Compiles (if deferred) and JIT-compiles the pattern once, before its first match; the
    /// code to match with, or nil for an unusable pattern.
    @inline(__always)
    private func prepare() -> OpaquePointer? {
        let current = corgi_load_acquire(state)
        if current == State.unprepared { return prepareOnce() }
        return current == State.unusable ? nil : code
    }

    private func prepareOnce() -> OpaquePointer? {
        lock.lock()
        defer { lock.unlock() }
        let current = corgi_load_acquire(state)
        guard current == State.unprepared else { return current == State.unusable ? nil : code }
        if code == nil {
            guard let compiled = try? Self.compile(source, caseless: caseless) else {
                corgi_store_release(state, State.unusable)
                return nil
            }
            guard Self.captureCount(of: compiled) == captureCount else {
                pcre2_code_free_8(compiled)
                corgi_store_release(state, State.unusable)
                return nil
            }
            code = compiled
        }
        let jit = pcre2_jit_compile_8(code, UInt32(PCRE2_JIT_COMPLETE)) == 0
        corgi_store_release(state, jit ? State.jit : State.interpreted)
        return code
    }

    /// The PCRE2 library's version (`10.42 2022-12-11`): what the rule cache's verified patterns
    /// were compiled with.
    static let libraryVersion: String = {
        var buffer = [UInt8](repeating: 0, count: 64)
        let n = pcre2_config_8(UInt32(PCRE2_CONFIG_VERSION), &buffer)
        return n > 1 ? String(decoding: buffer[..<Int(n - 1)], as: UTF8.self) : "unknown"
    }()

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
        guard start <= subject.count, let code = prepare() else { return nil }
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
        guard let code = prepare() else { return false }
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
