import CryptoKit
import Foundation

struct NotesCipher {
    private let key: SymmetricKey

    init(keychain: KeychainStore) throws {
        if let stored = try keychain.data(for: "notes-key") {
            key = SymmetricKey(data: stored)
        } else {
            key = SymmetricKey(size: .bits256)
            try keychain.set(key.withUnsafeBytes { Data($0) }, for: "notes-key")
        }
    }

    func seal(_ text: String) throws -> Data {
        try AES.GCM.seal(Data(text.utf8), using: key).combined!
    }
}
