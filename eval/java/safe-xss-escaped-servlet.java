package com.example.web;

import org.owasp.encoder.Encode;
import javax.servlet.http.*;
import java.io.*;

public class SearchServlet extends HttpServlet {
    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        resp.setContentType("text/html");
        PrintWriter out = resp.getWriter();
        out.println("<html><body>");
        out.println("<h2>No results for " + Encode.forHtml(req.getParameter("q")) + "</h2>");
        out.println("</body></html>");
    }
}
