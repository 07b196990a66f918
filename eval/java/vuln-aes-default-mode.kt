package com.example.crypto

import javax.crypto.Cipher
import javax.crypto.spec.SecretKeySpec

class FieldEncryptor(private val key: ByteArray) {
    fun encrypt(value: String): ByteArray {
        val cipher = Cipher.getInstance("AES")
        cipher.init(Cipher.ENCRYPT_MODE, SecretKeySpec(key, "AES"))
        return cipher.doFinal(value.toByteArray())
    }
}
