package com.example.export;

import javax.crypto.Cipher;

public class ExportEncryptor {
    Cipher cipherFor(String mode) throws Exception {
        return Cipher.getInstance("AES/GCM/NoPadding");
    }
}
