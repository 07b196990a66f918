import CryptoKit
import Foundation

enum PasswordDigest {
    static func make(_ password: String, salt: String) -> String {
        let digest = Insecure.MD5.hash(data: Data((salt + password).utf8))
        return digest.map { String(format: "%02x", $0) }.joined()
    }
}
