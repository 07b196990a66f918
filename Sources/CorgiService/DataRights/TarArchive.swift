import Foundation

/// A POSIX ustar archive of regular files, built in memory: what `tar -x` and Python's `tarfile`
/// read. Only what an export needs: short, plain file names (at most 100 bytes of ASCII, no
/// `..`, no leading `/`), mode 0600, no owners, no links.
struct TarArchive {
    enum Failure: Error, Equatable, CustomStringConvertible {
        case badName(String)
        var description: String {
            switch self {
            case .badName(let name): "tar: '\(name)' is not a plain file name of at most 100 ASCII bytes"
            }
        }
    }

    static let blockSize = 512
    private(set) var bytes: [UInt8] = []

    /// Appends one file.
    mutating func append(name: String, contents: [UInt8], modified: Date) throws(Failure) {
        let nameBytes = Array(name.utf8)
        guard !nameBytes.isEmpty, nameBytes.count <= 100, nameBytes.allSatisfy({ $0 > 0x20 && $0 < 0x7F }),
              !name.hasPrefix("/"), !name.split(separator: "/").contains("..")
        else { throw .badName(name) }
        var header = [UInt8](repeating: 0, count: Self.blockSize)
        func put(_ field: [UInt8], at offset: Int) { header.replaceSubrange(offset..<offset + field.count, with: field) }
        func octal(_ value: Int, width: Int) -> [UInt8] {
            // `width - 1` digits and a NUL, as ustar writes numeric fields.
            let digits = String(value, radix: 8)
            return Array((String(repeating: "0", count: max(0, width - 1 - digits.count)) + digits).utf8) + [0]
        }
        put(nameBytes, at: 0)
        put(octal(0o600, width: 8), at: 100)
        put(octal(0, width: 8), at: 108)
        put(octal(0, width: 8), at: 116)
        put(octal(contents.count, width: 12), at: 124)
        put(octal(max(0, Int(modified.timeIntervalSince1970)), width: 12), at: 136)
        put(Array(repeating: 0x20, count: 8), at: 148)  // the checksum counts its own field as spaces
        header[156] = UInt8(ascii: "0")
        put(Array("ustar".utf8) + [0], at: 257)
        put(Array("00".utf8), at: 263)
        let checksum = header.reduce(0) { $0 + Int($1) }
        put(octal(checksum, width: 7) + [0x20], at: 148)
        bytes += header
        bytes += contents
        bytes += [UInt8](repeating: 0, count: (Self.blockSize - contents.count % Self.blockSize) % Self.blockSize)
    }

    /// The archive with its end: two zero blocks.
    var finished: [UInt8] { bytes + [UInt8](repeating: 0, count: 2 * Self.blockSize) }
}
