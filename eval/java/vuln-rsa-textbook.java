// corgi-expect: java-rsa-no-padding
package com.example.keys;

import java.security.PublicKey;
import javax.crypto.Cipher;

public class KeyWrapper {
    byte[] wrap(PublicKey recipient, byte[] sessionKey) throws Exception {
        Cipher rsa = Cipher.getInstance("RSA/NONE/NoPadding");
        rsa.init(Cipher.ENCRYPT_MODE, recipient);
        return rsa.doFinal(sessionKey);
    }
}
