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
        }
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
}
