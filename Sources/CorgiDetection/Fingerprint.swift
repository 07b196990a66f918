internal import Crypto

/// A finding's identity across line moves, rebases and squashes: the rule, the path and the
/// matched content with its white space normalised. Never the line number.
enum Fingerprint {
    static func make(ruleID: String, path: String, content: UnsafeBufferPointer<UInt8>, normaliseWhitespace: Bool) -> String {
        var hasher = SHA256()
        hasher.update(data: Array("corgi/v1\0\(ruleID)\0\(path)\0".utf8))
        if normaliseWhitespace {
            var normalised: [UInt8] = []
            normalised.reserveCapacity(content.count)
            var pendingSpace = false
            for b in content {
                if b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D {
                    pendingSpace = !normalised.isEmpty
                } else {
                    if pendingSpace { normalised.append(0x20) }
                    pendingSpace = false
                    normalised.append(b)
                }
            }
            hasher.update(data: normalised)
        } else {
            hasher.update(bufferPointer: UnsafeRawBufferPointer(content))
        }
        let digest = hasher.finalize()
        let hex = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for byte in digest.prefix(16) {
            out.append(hex[Int(byte >> 4)])
            out.append(hex[Int(byte & 0xF)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
