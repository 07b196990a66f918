package com.example.profile;

import javax.servlet.http.*;

public class ProfileServlet extends HttpServlet {
    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response) {
        Profile profile = currentProfile(request);
        profile.setDisplayName(request.getParameter("displayName"));
        profile.setBio(request.getParameter("bio"));
        save(profile);
    }
}
