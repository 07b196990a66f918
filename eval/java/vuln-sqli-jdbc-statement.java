package com.example.accounts;

import javax.servlet.http.*;
import java.sql.*;

public class AccountLookupServlet extends HttpServlet {
    private DataSource dataSource;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String iban = request.getParameter("iban");
        try (Connection conn = dataSource.getConnection();
             Statement st = conn.createStatement()) {
            ResultSet rs = st.executeQuery("SELECT owner, balance FROM accounts WHERE iban = '" + iban + "'");
            if (rs.next()) {
                response.getWriter().printf("%s: %s%n", rs.getString(1), rs.getBigDecimal(2));
            }
        } catch (SQLException e) {
            throw new IOException(e);
        }
    }
}
