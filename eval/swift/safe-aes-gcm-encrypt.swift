import CryptoKit
import Foundation

func encrypt(_ data: Data, key: SymmetricKey) throws -> Data {
    let box = try AES.GCM.seal(data, using: key)
    return box.combined!
}
