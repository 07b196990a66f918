package com.example.auth;

import io.jsonwebtoken.Claims;
import io.jsonwebtoken.Jwts;
import java.security.PublicKey;

public class TokenReader {
    private final PublicKey key;

    public TokenReader(PublicKey key) { this.key = key; }

    public String userId(String bearer) {
        String token = bearer.replace("Bearer ", "");
        Claims claims = Jwts.parser().setSigningKey(key).parseClaimsJws(token).getBody();
        return claims.getSubject();
    }
}
