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
        let indent = close + "  "
        write(String(document[..<slot.lowerBound]) + open)
        var chunk = ""
        for index in 0..<count {
            chunk += indent + entry(index).split(separator: "\n", omittingEmptySubsequences: false).joined(separator: "\n" + indent)
            chunk += index == count - 1 ? "\n" : ",\n"
            if chunk.utf8.count >= 64 << 10 {
                write(chunk)
                chunk = ""
            }
        }
        write(chunk + close + "]" + document[slot.upperBound...] + "\n")
    }
}
