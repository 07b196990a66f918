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
}
