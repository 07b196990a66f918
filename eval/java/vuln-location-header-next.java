// corgi-expect: java-open-redirect
package com.example.auth;

import javax.servlet.http.*;

public class LogoutServlet extends HttpServlet {
    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) {
        req.getSession().invalidate();
        String next = req.getParameter("next");
        resp.setStatus(302);
        resp.addHeader("Location", next);
    }
}
