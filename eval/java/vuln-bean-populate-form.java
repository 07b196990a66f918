// corgi-expect: java-bean-populate-request
package com.example.profile;

import javax.servlet.http.*;
import org.apache.commons.beanutils.BeanUtils;

public class ProfileServlet extends HttpServlet {
    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response) {
        try {
            Profile profile = currentProfile(request);
            BeanUtils.populate(profile, request.getParameterMap());
            save(profile);
        } catch (Exception e) {
            response.setStatus(400);
        }
    }
}
