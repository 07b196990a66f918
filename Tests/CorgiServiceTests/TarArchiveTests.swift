@testable import CorgiService
import Foundation
import Testing

/// The export's tar writer: headers as POSIX ustar lays them out (the service test untars a real
/// export with Python's `tarfile`), and names that could escape an extraction folder refused.
@Suite("Tar archive")
struct TarArchiveTests {
    /// An ASCII octal field of `header` (NUL- or space-terminated).
    static func octal(_ header: ArraySlice<UInt8>) -> Int? {
        Int(String(decoding: header.prefix { $0 != 0 && $0 != 0x20 }, as: UTF8.self), radix: 8)
    }

    @Test("each file is a 512-byte header, its bytes padded to a block; the archive ends with two zero blocks")
    func layout() throws {
        var tar = TarArchive()
        let first = Array("{\"a\":1}".utf8), second = [UInt8](repeating: 0x41, count: 512)
        try tar.append(name: "manifest.json", contents: first, modified: Date(timeIntervalSince1970: 1_700_000_000))
        try tar.append(name: "findings.json", contents: second, modified: Date(timeIntervalSince1970: 1_700_000_000))
        let bytes = tar.finished
        #expect(bytes.count == 512 + 512 + 512 + 512 + 1024)
        for (offset, name, contents) in [(0, "manifest.json", first), (1024, "findings.json", second)] {
            let header = bytes[offset..<offset + 512]
            #expect(String(decoding: header.prefix(100).prefix { $0 != 0 }, as: UTF8.self) == name)
            #expect(Self.octal(header.dropFirst(124).prefix(12)) == contents.count)
            #expect(Self.octal(header.dropFirst(136).prefix(12)) == 1_700_000_000)
            #expect(Self.octal(header.dropFirst(100).prefix(8)) == 0o600)
            #expect(header[offset + 156] == UInt8(ascii: "0"))
            #expect(Array(header.dropFirst(257).prefix(8)) == Array("ustar\u{0}00".utf8))
            // The checksum: the header's bytes summed with its own field as eight spaces.
            var blanked = Array(header)
            blanked.replaceSubrange(148..<156, with: [UInt8](repeating: 0x20, count: 8))
            #expect(Self.octal(header.dropFirst(148).prefix(8)) == blanked.reduce(0) { $0 + Int($1) })
            #expect(Array(bytes[(offset + 512)..<(offset + 512 + contents.count)]) == contents)
        }
        #expect(bytes[(512 + first.count)..<1024].allSatisfy { $0 == 0 }, "padding")
        #expect(bytes.suffix(1024).allSatisfy { $0 == 0 })
    }

    @Test("names that are absolute, climb out, hold control or non-ASCII bytes, or pass 100 bytes are refused", arguments: [
        "", "/etc/passwd", "../x.json", "a/../../x", "tab\tname", "line\nbreak", "café.json", String(repeating: "n", count: 101), "with space",
    ])
    func refusedNames(_ name: String) {
        var tar = TarArchive()
        #expect(throws: TarArchive.Failure.badName(name)) { try tar.append(name: name, contents: [], modified: Date()) }
        #expect(tar.bytes.isEmpty)
    }
}
