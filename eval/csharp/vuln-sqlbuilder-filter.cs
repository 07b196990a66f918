using System.Data.SqlClient;
using System.Text;

public class TicketQuery
{
    public int Count(SqlConnection conn, string team, string state)
    {
        var sql = new StringBuilder("SELECT COUNT(*) FROM Tickets WHERE 1 = 1");
        if (team != null) sql.Append(" AND Team = '").Append(team).Append("'");
        if (state != null) sql.Append(" AND State = '").Append(state).Append("'");
        using var cmd = conn.CreateCommand();
        cmd.CommandText = sql.ToString();
        return (int)cmd.ExecuteScalar();
    }
}
