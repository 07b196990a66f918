import CommonCrypto
import Foundation

func legacyEncrypt(_ data: Data, key: Data) -> Data? {
    var out = Data(count: data.count + kCCBlockSizeDES)
    var moved = 0
    let status = out.withUnsafeMutableBytes { outPtr in
        data.withUnsafeBytes { inPtr in
            key.withUnsafeBytes { keyPtr in
                CCCrypt(CCOperation(kCCEncrypt), CCAlgorithm(kCCAlgorithmDES), CCOptions(kCCOptionPKCS7Padding),
                        keyPtr.baseAddress, kCCKeySizeDES, nil, inPtr.baseAddress, data.count,
                        outPtr.baseAddress, out.count, &moved)
            }
        }
    }
    return status == kCCSuccess ? out.prefix(moved) : nil
}
