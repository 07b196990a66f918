package com.example.session;

import javax.servlet.http.Cookie;
import javax.servlet.http.HttpServletResponse;

public class SessionCookies {
    void issue(HttpServletResponse response, String sessionId) {
        Cookie cookie = new Cookie("SESSION", sessionId);
        cookie.setSecure(true);
        cookie.setHttpOnly(true);
        cookie.setPath("/");
        response.addCookie(cookie);
    }
}
