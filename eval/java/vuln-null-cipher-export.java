// corgi-expect: java-null-cipher
package com.example.export;

import javax.crypto.Cipher;
import javax.crypto.NullCipher;

public class ExportEncryptor {
    Cipher cipherFor(String mode) throws Exception {
        if ("debug".equals(mode)) {
            return new NullCipher();
        }
        return Cipher.getInstance("AES/GCM/NoPadding");
    }
}
