import CryptoKit
import Foundation

enum ContentDigest {
    static func make(_ body: Data) -> String {
        SHA256.hash(data: body).map { String(format: "%02x", $0) }.joined()
    }
}
