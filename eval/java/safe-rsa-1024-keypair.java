package com.example.keys;

import java.security.KeyPair;
import java.security.KeyPairGenerator;

public class DeviceKeys {
    KeyPair create() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(3072);
        return generator.generateKeyPair();
    }
}
