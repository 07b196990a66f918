package com.example.auth;

import javax.servlet.http.*;

public class RememberMeService {
    public void remember(HttpServletResponse response, String token) {
        Cookie cookie = new Cookie("remember_me", token);
        cookie.setMaxAge(60 * 60 * 24 * 30);
        cookie.setPath("/");
        cookie.setHttpOnly(false);
        response.addCookie(cookie);
    }
}
