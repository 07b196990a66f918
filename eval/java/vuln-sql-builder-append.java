// corgi-expect: java-sql-string-extended
package com.example.audit;

import java.sql.*;

public class AuditLog {
    ResultSet byActor(Connection conn, String actor) throws SQLException {
        StringBuilder sql = new StringBuilder("SELECT * FROM audit_log WHERE actor = '");
        sql.append(actor);
        sql.append("' ORDER BY created_at DESC");
        return conn.createStatement().executeQuery(sql.toString());
    }
}
