import CryptoKit
import Foundation

func requestSignature(body: Data, secret: String) -> String {
    let key = SymmetricKey(data: Data(secret.utf8))
    let mac = HMAC<SHA256>.authenticationCode(for: body, using: key)
    return Data(mac).base64EncodedString()
}
