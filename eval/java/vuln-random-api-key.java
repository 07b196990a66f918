package com.example.keys;

import java.util.Random;

public class ApiKeyService {
    private static final String ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    private final Random random = new Random();

    public String newApiKey() {
        StringBuilder sb = new StringBuilder("ak_");
        for (int i = 0; i < 32; i++) {
            sb.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
        }
        return sb.toString();
    }
}
