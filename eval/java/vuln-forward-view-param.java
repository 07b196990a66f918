// corgi-expect: java-dataflow-forward
package com.example.help;

import javax.servlet.http.*;

public class HelpServlet extends HttpServlet {
    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws java.io.IOException, javax.servlet.ServletException {
        String topic = req.getParameter("topic");
        req.getRequestDispatcher("/WEB-INF/help/" + topic).forward(req, resp);
    }
}
