package com.example.sso;

import javax.servlet.http.*;
import java.io.IOException;
import java.util.Map;

public class SsoCallbackServlet extends HttpServlet {
    private static final Map<String, String> TARGETS = Map.of("billing", "/billing", "admin", "/admin");

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String ticket = request.getParameter("ticket");
        request.getSession().setAttribute("user", TicketValidator.validate(ticket));
        String target = TARGETS.getOrDefault(request.getParameter("RelayState"), "/");
        response.sendRedirect(request.getContextPath() + target);
    }
}
