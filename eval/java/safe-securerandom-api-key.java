package com.example.keys;

import java.security.SecureRandom;
import java.util.Base64;

public class ApiKeyService {
    private final SecureRandom random = new SecureRandom();

    public String newApiKey() {
        byte[] bytes = new byte[24];
        random.nextBytes(bytes);
        return "ak_" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
