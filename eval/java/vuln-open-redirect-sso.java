package com.example.sso;

import javax.servlet.http.*;
import java.io.IOException;

public class SsoCallbackServlet extends HttpServlet {
    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String ticket = request.getParameter("ticket");
        request.getSession().setAttribute("user", TicketValidator.validate(ticket));
        response.sendRedirect(request.getParameter("RelayState"));
    }
}
