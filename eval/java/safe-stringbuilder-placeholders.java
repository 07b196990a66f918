package com.example.reports;

import java.sql.*;
import java.util.ArrayList;
import java.util.List;

public class TicketReport {
    public int countTickets(Connection conn, String team, String state) throws SQLException {
        StringBuilder sql = new StringBuilder("SELECT count(*) FROM tickets WHERE 1=1");
        List<String> args = new ArrayList<>();
        if (team != null) { sql.append(" AND team = ?"); args.add(team); }
        if (state != null) { sql.append(" AND state = ?"); args.add(state); }
        try (PreparedStatement ps = conn.prepareStatement(sql.toString())) {
            for (int i = 0; i < args.size(); i++) ps.setString(i + 1, args.get(i));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }
}
