public import CorgiCore

/// Options of one scan that are not rules.
public struct ScanOptions: Sendable {
    /// Files never scanned (globs), from the configuration.
    public var ignorePaths: [String]
    /// Fingerprints of accepted findings (`--baseline`): keyed ones, or plain digests of a
    /// baseline written before fingerprints were keyed.
    public var baseline: Set<String>
    /// Keys the fingerprints findings carry (see `FingerprintKey`).
    public var fingerprintKey: FingerprintKey
    /// Bytes of one line scanned at most (in overlapping windows); the rest of a longer line is
    /// reported as not covered.
    public var maximumLineLength = DiffStreamParser.defaultMaximumScannedLineLength

    public init(ignorePaths: [String] = [], baseline: Set<String> = [], fingerprintKey: FingerprintKey = .processLocal) {
        self.ignorePaths = ignorePaths
        self.baseline = baseline
        self.fingerprintKey = fingerprintKey
    }
}

/// Scans the added lines of a diff as it streams by.
///
/// Single-line rules run on each added line where one of their keywords occurs. Multi-line rules
/// run over a window of the hunk's new-side lines (added and context), and report only matches
/// that touch an added line. Memory is bounded by the window, not by the diff.
public struct DiffScanner: DiffConsumer {
    /// Lines held for multi-line rules before the window is scanned and slid on.
    static let windowLines = 200
    static let windowBytes = 256 * 1024
    /// Lines kept from one window to the next, so a statement across the cut is still seen.
    static let windowOverlap = 30

    public let ruleSet: RuleSet
    public private(set) var findings: [Finding] = []
    /// Where the current file's findings start in `findings`: what a flow is compared with. A
    /// history holds the same path in many commits, and tens of thousands of findings.
    private var fileFindingsStart = 0

    /// The findings, handed over: the scanner keeps none, so the caller owns the only copy.
    mutating func takeFindings() -> [Finding] {
        let taken = findings
        findings = []
        fileFindingsStart = 0
        return taken
    }
    public private(set) var statistics = ScanStatistics()

    private let ignorePaths: GlobSet
    private let baseline: Set<String>
    private let fingerprintKey: FingerprintKey
    private let scratch: MatchScratch

    // Per file.
    private var path = ""
    /// `path` with any secret in it redacted: what findings carry (see `PathSecrets`).
    private var reportedPath = ""
    private var language: String?
    /// The commit the file's change belongs to, when the diff names it.
    private var commit: String?
    private var fileActive = false
    private var active: [Bool]
    private var reported: Set<ReportKey> = []
    /// Secret values reported in this file: one value on one line is one finding, from the most
    /// specific rule that found it (see `SecretClaim`).
    private var secretClaims: [SecretClaim] = []
    /// Set while a line's decoded segment is scanned: findings are reported at the encoded text.
    private var decodedOrigin: DecodedOrigin?

    // Per line.
    private var hits: [Int32] = []
    private var previousLine = 0
    private var previousDirective: IgnoreDirective?
    /// Columns before the piece of a long line being scanned (see `DiffLine.columnOffset`).
    private var columnOffset = 0

    // Candidate stage (see `CandidateFinder`): added lines wait in `batch` until it is full or the
    // hunk ends, then one pass finds the rules worth running on each.
    private let finder: any CandidateFinder
    private var batch = LineBatch()
    private var batchCandidates: [LineCandidate] = []
    private var batchRules: [Int] = []

    // Multi-line window.
    private var window = Window()
    private var windowRules: Set<Int> = []

    /// Source-to-sink tracking over the hunk's new lines (`Dataflow/`); nil without code rules.
    private var dataflow: DataflowCollector?

    public init(ruleSet: RuleSet, options: ScanOptions = ScanOptions()) throws(PatternError) {
        self.ruleSet = ruleSet
        ignorePaths = try GlobSet(options.ignorePaths)
        baseline = options.baseline
        fingerprintKey = options.fingerprintKey
        scratch = MatchScratch(maximumCaptures: max(ruleSet.maximumCaptures, 1))
        active = Array(repeating: false, count: ruleSet.rules.count)
        finder = ruleSet.makeCandidateFinder()
        statistics.rules = ruleSet.rules.count
        statistics.rulesWithoutKeywords = ruleSet.rulesWithoutKeywords.count
        if ruleSet.rules.contains(where: { $0.definition.kind == .code }), !DataflowPack.builtin.isEmpty {
            dataflow = DataflowCollector(pack: DataflowPack.builtin)
        }
    }

    // MARK: - DiffConsumer

    public mutating func beginFile(_ header: FileHeader) {
        flushBatch()
        path = header.path
        fileFindingsStart = findings.count
        reported.removeAll(keepingCapacity: true)
        secretClaims.removeAll(keepingCapacity: true)
        previousLine = 0
        previousDirective = nil
        window.removeAll()
        windowRules.removeAll()
        commit = header.commit
        // A merge's combined diff is scanned too: the parser marks lines a parent lacked as added.
        fileActive = !(header.isBinary || header.change == .deleted)
        if fileActive, !ignorePaths.isEmpty, ignorePaths.matches(path, scratch: scratch) {
            fileActive = false
            statistics.ignoredFiles += 1
        }
        reportedPath = path
        // A deleted file's name was there before; a path the configuration ignores is not looked at.
        if header.change != .deleted, ignorePaths.isEmpty || !ignorePaths.matches(path, scratch: scratch) { scanPath() }
        language = Language.detect(path: path)
        if fileActive { updateActiveRules() }
        dataflow?.beginFile(path: reportedPath, language: fileActive ? language : nil)
    }

    public mutating func beginHunk(_ hunk: HunkHeader) {
        flushBatch()
        flushWindow(keepingOverlap: false)
        flushDataflow(keepingOverlap: false)
        previousLine = 0
        previousDirective = nil
    }

    public mutating func endHunk() {
        flushBatch()
        flushWindow(keepingOverlap: false)
        flushDataflow(keepingOverlap: false)
    }

    public mutating func endFile() {
        flushBatch()
        flushWindow(keepingOverlap: false)
        flushDataflow(keepingOverlap: false)
        fileActive = false
    }

    public mutating func line(_ line: DiffLine) {
        guard fileActive, line.kind != .removed else { return }
        let bytes = line.bytes
        if line.newLine == 1, language == nil, let detected = Language.detect(shebang: bytes) {
            flushBatch()
            language = detected
            updateActiveRules()
        }
        let directive = IgnoreDirective.parse(bytes)
        let isAdded = line.kind == .added

        if isAdded {
            let above = previousLine == line.newLine - 1 ? previousDirective : nil
            batch.append(bytes, newLine: line.newLine, directive: directive, directiveAbove: above, columnOffset: line.columnOffset)
            if batch.isFull { flushBatch() }
        }
        if ruleSet.hasMultilineRules {
            window.append(bytes, newLine: line.newLine, added: isAdded, directive: directive)
            if window.count >= DiffScanner.windowLines || window.byteCount >= DiffScanner.windowBytes {
                // Single-line findings of these lines first, in the order lines came.
                flushBatch()
                flushWindow(keepingOverlap: true)
            }
        }
        if dataflow?.isActive == true,
           dataflow!.append(bytes, newLine: line.newLine, isAdded: isAdded, directive: directive)
        {
            flushDataflow(keepingOverlap: true)
        }
        previousLine = line.newLine
        previousDirective = directive
    }

    private mutating func flushDataflow(keepingOverlap: Bool) {
        guard dataflow?.isActive == true else { return }
        var found = dataflow!.flush(keepingOverlap: keepingOverlap, scratch: scratch, baseline: baseline, statistics: &statistics)
        for i in found.indices { found[i].commit = commit }
        // One weakness on one line is one finding: a pattern rule that already reported the same
        // CWE there (yaml.load on a request body) keeps it, and the flow adds nothing new. Only
        // this file's findings count: the same path and line in another commit of a history is
        // another line.
        let start = fileFindingsStart
        found.removeAll { flow in
            findings[start...].contains { $0.kind == .code && $0.line == flow.line && $0.cwe == flow.cwe }
        }
        findings.append(contentsOf: found)
    }

    /// Final statistics, once the parser has finished.
    public mutating func finish(diff: DiffStatistics) -> ScanStatistics {
        flushBatch()
        // Findings get the keyed fingerprint they publish; those a baseline accepts, by keyed
        // fingerprint or by the plain digest a baseline from before keyed fingerprints holds,
        // are dropped. In place: a scan of a long history holds tens of thousands of findings,
        // and a second array of them was the peak of its memory.
        var kept = 0
        for index in findings.indices {
            let plain = findings[index].fingerprint
            let keyed = fingerprintKey.keyed(plain)
            if baseline.contains(keyed) || baseline.contains(plain) {
                statistics.suppressedBaseline += 1
                continue
            }
            findings[index].fingerprint = keyed
            if kept != index { findings.swapAt(kept, index) }
            kept += 1
        }
        findings.removeSubrange(kept...)
        statistics.diff = diff
        statistics.findings = findings.count
        statistics.regexLimitHits = scratch.limitHits
        return statistics
    }

    // MARK: - Rules for this file

    private mutating func updateActiveRules() {
        let globallyAllowed = ruleSet.globalAllowlist?.allowsPath(path, scratch: scratch) ?? false
        // One decision per group of rules with the same file filters: thousands of provider
        // rules are one group.
        let rules = ruleSet.rules
        for group in ruleSet.fileFilterGroups {
            let applies = !(globallyAllowed && group.yieldsToGlobalPaths)
                && rules[group.members[0]].applies(path: path, language: language, scratch: scratch)
            for i in group.members { active[i] = applies }
        }
    }

    // MARK: - Matching

    /// Runs the single-line rules on every added line of the batch where the candidate stage lets
    /// them through, then the rescan of decoded segments, line by line in diff order.
    private mutating func flushBatch() {
        guard !batch.isEmpty else { return }
        defer { batch.removeAll() }
        guard fileActive else { return }
        batchCandidates.removeAll(keepingCapacity: true)
        finder.collectLineCandidates(in: batch, into: &batchCandidates)
        let joined = batch.joined
        joined.withUnsafeBufferPointer { joined in
            var next = 0
            for i in 0..<batch.count {
                batchRules.removeAll(keepingCapacity: true)
                while next < batchCandidates.count, batchCandidates[next].line == Int32(i) {
                    let r = Int(batchCandidates[next].rule)
                    if active[r], !ruleSet.rules[r].isMultiline { batchRules.append(r) }
                    next += 1
                }
                for r in finder.unfilteredLineRules where active[r] { batchRules.append(r) }
                let bytes = UnsafeBufferPointer(rebasing: joined[batch.range(ofLine: i)])
                let newLine = batch.newLines[i]
                columnOffset = batch.columnOffsets[i]
                if !batchRules.isEmpty {
                    // Rule order decides which of two equally specific rules claims a secret:
                    // definition order, whatever order an engine found them in.
                    batchRules.sort()
                    let layout = Layout(single: bytes.count, newLine: newLine, directive: batch.directives[i],
                                        directiveAbove: batch.directivesAbove[i])
                    run(rules: batchRules, on: bytes, layout: layout)
                }
                if ruleSet.hasSecretRules { scanEncoded(bytes, newLine: newLine, directive: batch.directives[i], origin: nil) }
                columnOffset = 0
            }
        }
    }

    /// Rescans `bytes` with each decodable segment (base64, hex, percent-encoding) decoded in
    /// place, with every secret rule whose keywords occur (see `EncodedSegments`). Findings must
    /// lie in the decoded text and are reported at the encoded segment; a decoded segment that
    /// holds another (a `.dockerconfigjson`'s `auth`) is decoded once more, no deeper.
    private mutating func scanEncoded(_ bytes: UnsafeBufferPointer<UInt8>, newLine: Int, directive: IgnoreDirective?,
                                      origin outer: DecodedOrigin?) {
        guard bytes.count <= EncodedSegments.maximumLine else { return }
        for segment in EncodedSegments.find(in: bytes) {
            if let outer, !segment.range.overlaps(outer.region) { continue }
            var subject = Array(bytes[..<segment.range.lowerBound])
            subject += segment.decoded
            subject += bytes[segment.range.upperBound...]
            let region = segment.range.lowerBound..<(segment.range.lowerBound + segment.decoded.count)
            let origin = outer.map { DecodedOrigin(region: region, encoded: $0.encoded, column: $0.column, encoding: $0.encoding) }
                ?? DecodedOrigin(
                    region: region, encoded: Array(bytes[segment.range]),
                    column: Self.scalarCount(UnsafeBufferPointer(rebasing: bytes[..<segment.range.lowerBound])) + 1 + columnOffset,
                    encoding: segment.encoding)
            subject.withUnsafeBufferPointer { decoded in
                hits.removeAll(keepingCapacity: true)
                finder.collectKeywordRules(in: decoded, into: &hits)
                var rules = Set<Int>()
                for h in hits where active[Int(h)] && ruleSet.rules[Int(h)].definition.kind == .secret { rules.insert(Int(h)) }
                for r in ruleSet.unkeyedLineRules + ruleSet.unkeyedMultilineRules
                where active[r] && ruleSet.rules[r].definition.kind == .secret { rules.insert(r) }
                if !rules.isEmpty {
                    decodedOrigin = origin
                    run(rules: rules.sorted(), on: decoded, layout: Layout(lines: decoded, newLine: newLine, directive: directive))
                    decodedOrigin = nil
                }
                if outer == nil { scanEncoded(decoded, newLine: newLine, directive: directive, origin: origin) }
            }
        }
    }

    private mutating func flushWindow(keepingOverlap: Bool) {
        defer {
            if keepingOverlap {
                window.keepLast(DiffScanner.windowOverlap)
            } else {
                window.removeAll()
                windowRules.removeAll()
            }
        }
        guard fileActive else { return }
        // Every window is searched for keywords, also one without an added line: its keywords
        // count for the windows after it that keep some of its lines.
        var rules: [Int] = []
        window.joined.withUnsafeBufferPointer { finder.collectWindowCandidates(in: $0, keywordRules: &windowRules, into: &rules) }
        guard window.hasAddedLine else { return }
        rules = rules.filter { active[$0] }
        for r in finder.unfilteredWindowRules where active[r] { rules.append(r) }
        guard !rules.isEmpty else { return }
        rules.sort()
        let layout = window.layout()
        window.joined.withUnsafeBufferPointer { run(rules: rules, on: $0, layout: layout) }
    }

    private struct Candidate {
        var rule: Int
        var match: Range<Int>
        var secret: Range<Int>
        var lineIndex: Int
        var confidence: Finding.Confidence
    }

    private mutating func run(rules: [Int], on subject: UnsafeBufferPointer<UInt8>, layout: Layout) {
        var candidates: [Candidate] = []
        for r in rules {
            let rule = ruleSet.rules[r]
            for m in rule.regex.allMatches(in: subject, scratch: scratch) {
                guard let secretRange = m.groups[rule.secretGroup], !m.range.isEmpty else { continue }
                // In a decoded rescan only what the decoding revealed is new.
                if let origin = decodedOrigin, !secretRange.overlaps(origin.region) { continue }
                let first = layout.lineIndex(of: m.range.lowerBound)
                let last = layout.lineIndex(of: m.range.upperBound - 1)
                guard var reportLine = layout.firstAddedLine(first...last) else { continue }
                // A secret is reported where its value is (its keyword may sit lines above).
                if rule.definition.kind == .secret, !secretRange.isEmpty {
                    let valueLine = layout.lineIndex(of: secretRange.lowerBound)
                    if layout.added[valueLine] { reportLine = valueLine }
                }
                let matchBytes = UnsafeBufferPointer(rebasing: subject[m.range])
                if rule.excludes.contains(where: { $0.matches(matchBytes, scratch: scratch) }) { continue }
                let secret = UnsafeBufferPointer(rebasing: subject[secretRange])
                let lineBytes = UnsafeBufferPointer(rebasing: subject[layout.range(ofLine: reportLine)])
                var confidence = rule.definition.confidence ?? .medium
                // A credential addressed to a real host is reported even when its value is a stand-in.
                var realHost = false
                if let group = rule.definition.hostGroup, let hostRange = m.groups[group] {
                    realHost = !(ruleSet.globalAllowlist?.isLocalHost(UnsafeBufferPointer(rebasing: subject[hostRange]), scratch: scratch) ?? true)
                }
                if let list = rule.allowlist, list.allows(secret: secret, match: matchBytes, line: lineBytes, realHost: realHost, scratch: scratch) {
                    continue
                }
                if rule.definition.kind == .secret {
                    if let minimum = rule.definition.entropy, !ValueChecks.meetsEntropy(secret, minimum: minimum) { continue }
                    if rule.definition.skipGlobalAllowlist != true, let global = ruleSet.globalAllowlist,
                       global.allows(secret: secret, match: matchBytes, line: lineBytes, realHost: realHost, scratch: scratch)
                    {
                        continue
                    }
                    if let checksum = rule.definition.checksum {
                        guard TokenChecksum.verify(checksum, Array(secret)) == true else { continue }
                        confidence = .high
                    }
                }
                candidates.append(Candidate(rule: r, match: m.range, secret: secretRange, lineIndex: reportLine, confidence: confidence))
            }
        }
        guard !candidates.isEmpty else { return }
        // A broad rule yields to a specific one that found the same secret.
        let specific = candidates.filter { ruleSet.rules[$0.rule].definition.generic != true && ruleSet.rules[$0.rule].definition.kind == .secret }
        for c in candidates {
            let rule = ruleSet.rules[c.rule]
            if rule.definition.generic == true, specific.contains(where: { $0.secret.overlaps(c.secret) }) { continue }
            report(c, rule: rule, subject: subject, layout: layout)
        }
    }

    private mutating func report(_ c: Candidate, rule: CompiledRule, subject: UnsafeBufferPointer<UInt8>, layout: Layout) {
        let definition = rule.definition
        let line = layout.newLines[c.lineIndex]
        let lineStart = layout.starts[c.lineIndex]
        // A secret's column is its value's (its keyword may stand before it, or lines above).
        let anchor = definition.kind == .secret && !c.secret.isEmpty && c.secret.lowerBound >= lineStart ? c.secret.lowerBound : c.match.lowerBound
        let offset = max(anchor, lineStart) - lineStart
        let lineBytes = UnsafeBufferPointer(rebasing: subject[layout.range(ofLine: c.lineIndex)])
        let column = decodedOrigin?.column ?? (Self.scalarCount(UnsafeBufferPointer(rebasing: lineBytes.prefix(offset))) + 1 + columnOffset)
        let key = ReportKey(rule: c.rule, line: line, column: column)
        guard !reported.contains(key) else { return }
        reported.insert(key)

        if layout.directive(at: c.lineIndex)?.suppresses(definition.id) == true
            || layout.directive(above: c.lineIndex)?.suppresses(definition.id) == true
        {
            statistics.suppressedInline += 1
            return
        }
        let isSecret = definition.kind == .secret
        // A decoded secret is known by its encoded text: that is what the diff shows.
        let content = decodedOrigin?.encoded ?? Array(subject[isSecret ? c.secret : c.match])
        let fingerprint = content.withUnsafeBufferPointer {
            Fingerprint.make(ruleID: definition.id, path: path, content: $0, normaliseWhitespace: !isSecret)
        }
        // Baselines are applied in `finish`, once every rule has claimed its secrets: a baselined
        // finding must still keep a less specific rule from reporting the same value.
        if isSecret {
            let claim = SecretClaim(line: line, value: content, rank: SecretClaim.rank(of: definition), finding: findings.count)
            if let i = secretClaims.firstIndex(where: { $0.line == claim.line && $0.value == claim.value }) {
                // Already reported by another rule: keep the more specific one.
                guard claim.rank > secretClaims[i].rank else { return }
                findings.remove(at: secretClaims[i].finding)
                for j in secretClaims.indices where secretClaims[j].finding > secretClaims[i].finding { secretClaims[j].finding -= 1 }
                secretClaims.remove(at: i)
                secretClaims.append(SecretClaim(line: claim.line, value: claim.value, rank: claim.rank, finding: findings.count))
            } else {
                secretClaims.append(claim)
            }
        }
        var message = definition.message ?? definition.title
        if let fix = definition.fix { message += " Fix: \(fix)" }
        if let origin = decodedOrigin { message += " (Found in \(origin.encoding.description) text.)" }
        let endLine = layout.newLines[layout.lineIndex(of: c.match.upperBound - 1)]
        findings.append(Finding(
            ruleID: definition.id, title: definition.title, kind: definition.kind, severity: definition.severity,
            confidence: c.confidence, cwe: definition.cwe, owasp: definition.owasp, path: reportedPath, line: line,
            column: column, endLine: max(endLine, line), message: message, fingerprint: fingerprint,
            redacted: isSecret ? Redaction.redact(bytes: content) : nil, commit: commit))
    }

    /// A secret in the file's path (also of a binary file): reported once per file, and redacted
    /// from the path every finding of the file carries.
    private mutating func scanPath() {
        let finder = finder
        let secrets = ruleSet.secrets(inPath: path, scratch: scratch) { finder.collectKeywordRules(in: $0, into: &$1) }
        guard !secrets.isEmpty else { return }
        reportedPath = PathSecrets.redact(path, secrets)
        let bytes = Array(path.utf8)
        for secret in secrets {
            let fingerprint = bytes.withUnsafeBufferPointer {
                Fingerprint.make(ruleID: ruleSet.rules[secret.rule].definition.id, path: "", content: UnsafeBufferPointer(rebasing: $0[secret.range]),
                                 normaliseWhitespace: false)
            }
            var finding = ruleSet.pathFinding(secret, in: bytes, reportedPath: reportedPath, fingerprint: fingerprint)
            finding.commit = commit
            findings.append(finding)
        }
    }

    /// Unicode scalars in valid UTF-8; each stray byte of invalid UTF-8 counts as one.
    static func scalarCount(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
        var n = 0
        for b in bytes where b & 0xC0 != 0x80 { n += 1 }
        return n
    }

    private struct ReportKey: Hashable {
        var rule: Int
        var line: Int
        var column: Int
    }
}

/// One secret value on one line, claimed by the finding that reports it.
struct SecretClaim {
    var line: Int
    var value: [UInt8]
    var rank: Int
    /// Index of the finding in the scanner's list.
    var finding: Int

    /// A rule for one provider's documented format outranks a provider name near a value, which
    /// outranks a generic assignment.
    static func rank(of rule: RuleDefinition) -> Int {
        if rule.generic != true { return 2 }
        return rule.context == nil ? 0 : 1
    }
}

/// Where a decoded rescan's findings are reported: the encoded segment of the line.
struct DecodedOrigin {
    /// Range of the decoded text in the rescanned subject.
    var region: Range<Int>
    /// The encoded text as the diff shows it: fingerprinted and redacted instead of the secret.
    var encoded: [UInt8]
    var column: Int
    var encoding: EncodedSegments.Encoding
}
