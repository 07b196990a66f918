package com.example.help;

import java.util.Map;
import javax.servlet.http.*;

public class HelpServlet extends HttpServlet {
    private static final Map<String, String> TOPICS = Map.of("billing", "/WEB-INF/help/billing.jsp", "account", "/WEB-INF/help/account.jsp");

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws java.io.IOException, javax.servlet.ServletException {
        String page = TOPICS.getOrDefault(req.getParameter("topic"), "/WEB-INF/help/index.jsp");
        req.getRequestDispatcher(page).forward(req, resp);
    }
}
