import CryptoKit
import Foundation

func requestSignature(body: Data, secret: String) -> String {
    let digest = Insecure.SHA1.hash(data: body + Data(secret.utf8))
    return Data(digest).base64EncodedString()
}
