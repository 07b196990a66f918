package com.example.archive;

import java.io.FileInputStream;
import java.io.InputStream;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import org.apache.commons.io.FilenameUtils;

public class ArchiveDownloadServlet extends javax.servlet.http.HttpServlet {
    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws java.io.IOException {
        int year = Integer.parseInt(request.getParameter("year"));
        String name = FilenameUtils.getName(request.getParameter("name"));
        try (InputStream in = new FileInputStream("/var/archive/" + year + "/" + name)) {
            in.transferTo(response.getOutputStream());
        }
    }
}
