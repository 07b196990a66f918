// corgi-expect: java-dataflow-path
package com.example.archive;

import java.io.FileInputStream;
import java.io.InputStream;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

public class ArchiveDownloadServlet extends javax.servlet.http.HttpServlet {
    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws java.io.IOException {
        String year = request.getParameter("year");
        String name = request.getParameter("name");
        String relative = year + "/" + name;
        String full = "/var/archive/" + relative;
        try (InputStream in = new FileInputStream(full)) {
            in.transferTo(response.getOutputStream());
        }
    }
}
