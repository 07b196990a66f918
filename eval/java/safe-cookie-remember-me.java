package com.example.auth;

import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseCookie;
import javax.servlet.http.HttpServletResponse;
import java.time.Duration;

public class RememberMeService {
    public void remember(HttpServletResponse response, String token) {
        ResponseCookie cookie = ResponseCookie.from("remember_me", token)
            .maxAge(Duration.ofDays(30)).path("/").httpOnly(true).secure(true).sameSite("Lax").build();
        response.addHeader(HttpHeaders.SET_COOKIE, cookie.toString());
    }
}
