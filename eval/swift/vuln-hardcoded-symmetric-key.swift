import CryptoKit
import Foundation

struct NotesCipher {
    private let key = SymmetricKey(data: Data("n0t3s-app-master-key-2024-xyz!!!".utf8))

    func seal(_ text: String) throws -> Data {
        try AES.GCM.seal(Data(text.utf8), using: key).combined!
    }
}
