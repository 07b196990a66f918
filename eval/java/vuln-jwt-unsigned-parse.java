package com.example.auth;

import io.jsonwebtoken.Claims;
import io.jsonwebtoken.Jwts;

public class TokenReader {
    public String userId(String bearer) {
        String token = bearer.replace("Bearer ", "");
        Claims claims = Jwts.parser().parseClaimsJwt(token).getBody();
        return claims.getSubject();
    }
}
