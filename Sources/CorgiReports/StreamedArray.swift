import Foundation

/// Writes a pretty-printed JSON document whose one large array is streamed an entry at a time.
///
/// The document is encoded with that array empty; the empty slot is found in the text and the
/// entries, each encoded alone and indented to the array's depth, are written into it in chunks
/// of about 64 KiB. The bytes are those of encoding the whole document at once (Foundation's
/// pretty printer indents by two spaces and writes an empty array as `[` newline newline `]`),
/// and no more than one entry and one chunk exist in memory at a time.
enum StreamedArray {
    /// - Parameters:
    ///   - document: the whole document, pretty-printed, with the array empty.
    ///   - key: the array's key; `closingIndent`: the spaces before its closing bracket.
    ///   - entry: entry `i`, pretty-printed on its own.
    static func write(_ document: String, key: String, closingIndent: Int, count: Int,
                      entry: (Int) -> String, to write: (String) -> Void)
    {
        let close = String(repeating: " ", count: closingIndent)
        let open = "\"\(key)\" : [\n"
        guard count > 0, let slot = document.range(of: open + "\n" + close + "]") else {
            write(document + "\n")
            return
        }
        let indent = Array((close + "  ").utf8)
        write(String(document[..<slot.lowerBound]) + open)
        // Bytes, not characters: a line break is one byte in UTF-8 and never inside another
        // character's, and reading a string by grapheme was a tenth of a long history's scan.
        var chunk: [UInt8] = []
        chunk.reserveCapacity(80 << 10)
        for index in 0..<count {
            chunk += indent
            for byte in entry(index).utf8 {
                chunk.append(byte)
                if byte == UInt8(ascii: "\n") { chunk += indent }
            }
            if index < count - 1 { chunk.append(UInt8(ascii: ",")) }
            chunk.append(UInt8(ascii: "\n"))
            if chunk.count >= 64 << 10 {
                write(String(decoding: chunk, as: UTF8.self))
                chunk.removeAll(keepingCapacity: true)
            }
        }
        write(String(decoding: chunk, as: UTF8.self) + close + "]" + document[slot.upperBound...] + "\n")
    }
}
