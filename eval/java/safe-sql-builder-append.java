package com.example.audit;

import java.sql.*;

public class AuditLog {
    ResultSet byActor(Connection conn, String actor) throws SQLException {
        StringBuilder sql = new StringBuilder("SELECT * FROM audit_log WHERE actor = ?");
        sql.append(" ORDER BY created_at DESC");
        PreparedStatement ps = conn.prepareStatement(sql.toString());
        ps.setString(1, actor);
        return ps.executeQuery();
    }
}
