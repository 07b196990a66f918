import Foundation
import Testing

@testable import CorgiDetection

/// The decoders' shortcuts: giving up on a run as soon as it cannot decode to text must keep
/// exactly the segments decoding it whole would.
@Suite("Encoded segments")
struct EncodedSegmentTests {
    @Test("decoding that gives up early on non-text keeps exactly the segments whole decoding keeps")
    func earlyNonTextExit() {
        // Runs as the scanner meets them: identifiers, random keys, hex, and base64 of text with
        // some non-ASCII (up to the tenth that text may hold) and of text with a control byte.
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        func base64(_ bytes: [UInt8]) -> [UInt8] { Array(Data(bytes).base64EncodedString().utf8) }
        var runs: [[UInt8]] = ["processed_items_count", "AuthorizationHeaderProvider", "deadbeefcafebabe0123456789abcdef"].map { Array($0.utf8) }
        for length in [8, 12, 16, 24, 40, 64, 200] {
            runs.append((0..<length).map { _ in alphabet.randomElement(using: &generator)! })
            let text = (0..<length).map { _ in UInt8.random(in: 0x20..<0x7F, using: &generator) }
            runs.append(base64(text))
            // Text may hold a tenth of non-ASCII bytes: "é" (two bytes) at the limit and past it.
            for pairs in [length / 20, length / 20 + 1] where pairs > 0 {
                var mixed = text
                for k in 0..<pairs { mixed[4 * k] = 0xC3; mixed[4 * k + 1] = 0xA9 }
                runs.append(base64(mixed))
            }
            var controlled = text
            controlled[length / 2] = 0x01
            runs.append(base64(controlled))
            runs.append(Array(text.map { String(format: "%02x", $0) }.joined().utf8))
            // Both alphabets in one run (never base64), and a byte outside both.
            var mixedAlphabets = base64(text)
            if let slash = mixedAlphabets.firstIndex(where: { $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "/") }) {
                mixedAlphabets[slash == 0 ? 1 : 0] = UInt8(ascii: "_")
                runs.append(mixedAlphabets)
            }
            var invalid = base64(text)
            invalid[invalid.count / 2] = UInt8(ascii: "*")
            runs.append(invalid)
        }
        runs.append(Array("c2VjcmV0OiBodW50ZXIy_w-".utf8))
        for run in runs {
            run.withUnsafeBufferPointer { run in
                let whole = (EncodedSegments.decodeBase64(run)).map(EncodedSegments.isText) ?? false
                let early = (EncodedSegments.decodeBase64(run, asText: true)).map(EncodedSegments.isText) ?? false
                #expect(whole == early, "\(String(decoding: run, as: UTF8.self))")
                let wholeHex = (EncodedSegments.decodeHex(run)).map(EncodedSegments.isText) ?? false
                let earlyHex = (EncodedSegments.decodeHex(run, asText: true)).map(EncodedSegments.isText) ?? false
                #expect(wholeHex == earlyHex, "\(String(decoding: run, as: UTF8.self))")
            }
        }
    }

    @Test("percent-encoding and escaped quotes are found wherever the line holds them, and only there")
    func escapesAnywhereOnTheLine() {
        let plain = String(repeating: "a plain stretch of text ", count: 50)
        for (line, encoding, decodedPart) in [
            (plain + "auth=user%3Asecret%40host%2Fdb", EncodedSegments.Encoding.percent, "user:secret@host/db"),
            ("auth=user%3Asecret%40host%2Fdb " + plain, .percent, "user:secret@host/db"),
            (plain + #"cfg="{\"password\": \"hunter22hunter\"}""#, .escaped, #""password": "hunter22hunter""#),
            (#"cfg="{\"password\": \"hunter22hunter\"}" "# + plain, .escaped, #""password": "hunter22hunter""#),
        ] as [(String, EncodedSegments.Encoding, String)] {
            let segments = Array(line.utf8).withUnsafeBufferPointer { EncodedSegments.find(in: $0) }
            let segment = segments.first { $0.encoding == encoding }
            #expect(segment.map { String(decoding: $0.decoded, as: UTF8.self).contains(decodedPart) } == true, "\(line.suffix(60))")
        }
        for line in [plain, plain + "100% sure", plain + #"C:\path\to"#, ""] {
            let segments = Array(line.utf8).withUnsafeBufferPointer { EncodedSegments.find(in: $0) }
            #expect(!segments.contains { $0.encoding == .percent || $0.encoding == .escaped }, "\(line.suffix(30))")
        }
    }

    /// The runs the search must try, found the plain way: every maximal run of the alphabets
    /// with up to two `=` after it, byte by byte.
    static func referenceRuns(_ line: [UInt8]) -> [Range<Int>] {
        var runs: [Range<Int>] = []
        var i = 0
        while i < line.count {
            guard EncodedSegments.isBase64(line[i]) else { i += 1; continue }
            var j = i
            while j < line.count, EncodedSegments.isBase64(line[j]) { j += 1 }
            var end = j
            while end < line.count, end - j < 2, line[end] == UInt8(ascii: "=") { end += 1 }
            if end - i >= EncodedSegments.minimumSegment { runs.append(i..<end) }
            i = end
        }
        return runs
    }

    @Test("skipping ahead finds every base64 and hex segment the byte-by-byte search finds")
    func skipSearchIsComplete() {
        var generator = SystemRandomNumberGenerator()
        func base64(_ text: String) -> String { Data(text.utf8).base64EncodedString() }
        // Pieces as lines hold them: words and delimiters of every length around the skip
        // distance, padding, and encoded text of lengths about the shortest decodable segment.
        var pieces = ["a", "ab", "abc", "config", "processedItems", "x_y-z", " ", "  ", ".", "=", "==", "===", "(", "\"", ":", "/", "+", "\t", "é"]
        for length in 6...14 {
            let text = String((0..<length).map { _ in Character(UnicodeScalar(UInt8.random(in: 0x61...0x7A, using: &generator))) })
            pieces += [base64(text), base64(text).replacingOccurrences(of: "=", with: ""), text.utf8.map { String(format: "%02x", $0) }.joined()]
        }
        var expectedSegments = 0
        for _ in 0..<4_000 {
            let line = Array((0..<Int.random(in: 0...24, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }.joined().utf8)
            let reference = Self.referenceRuns(line).compactMap { run -> EncodedSegments.Segment? in
                let bytes = Array(line[run])
                return bytes.withUnsafeBufferPointer { run2 in
                    let isHex = run2.count % 2 == 0 && EncodedSegments.isAllHex(run2)
                    guard let decoded = isHex ? EncodedSegments.decodeHex(run2) : EncodedSegments.decodeBase64(run2),
                          EncodedSegments.isText(decoded) else { return nil }
                    return EncodedSegments.Segment(encoding: EncodedSegments.isAllHex(run2) ? .hex : .base64, range: run, decoded: decoded)
                }
            }
            let found = line.withUnsafeBufferPointer { EncodedSegments.find(in: $0) }.filter { $0.encoding == .base64 || $0.encoding == .hex }
            #expect(found == Array(reference.prefix(EncodedSegments.maximumSegments)), "\(String(decoding: line, as: UTF8.self))")
            expectedSegments += reference.count
        }
        // The lines held segments to find, not only noise.
        #expect(expectedSegments > 1_000)
    }
}
