package com.example.users;

import org.hibernate.Session;
import java.util.List;

public class UserSearch {
    public List<User> byEmailDomain(Session session, String domain) {
        return session.createQuery("FROM User u WHERE u.email LIKE :pattern", User.class)
            .setParameter("pattern", "%@" + domain)
            .list();
    }
}
