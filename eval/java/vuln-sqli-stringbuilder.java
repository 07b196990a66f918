package com.example.reports;

import java.sql.*;

public class TicketReport {
    public int countTickets(Connection conn, String team, String state) throws SQLException {
        StringBuilder sql = new StringBuilder("SELECT count(*) FROM tickets WHERE 1=1");
        if (team != null) sql.append(" AND team = '").append(team).append("'");
        if (state != null) sql.append(" AND state = '").append(state).append("'");
        try (Statement st = conn.createStatement(); ResultSet rs = st.executeQuery(sql.toString())) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
