using System.Data.SqlClient;
using System.Text;

public class TicketQuery
{
    public int Count(SqlConnection conn, string team, string state)
    {
        var sql = new StringBuilder("SELECT COUNT(*) FROM Tickets WHERE 1 = 1");
        using var cmd = conn.CreateCommand();
        if (team != null) { sql.Append(" AND Team = @team"); cmd.Parameters.AddWithValue("@team", team); }
        if (state != null) { sql.Append(" AND State = @state"); cmd.Parameters.AddWithValue("@state", state); }
        cmd.CommandText = sql.ToString();
        return (int)cmd.ExecuteScalar();
    }
}
