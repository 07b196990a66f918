using System.Data.SqlClient;

public class UserStore
{
    private readonly string _connectionString;

    public UserStore(string connectionString) => _connectionString = connectionString;

    public int? FindUserId(string userName)
    {
        using var conn = new SqlConnection(_connectionString);
        conn.Open();
        using var cmd = new SqlCommand("SELECT Id FROM Users WHERE UserName = @name", conn);
        cmd.Parameters.AddWithValue("@name", userName);
        return cmd.ExecuteScalar() as int?;
    }
}
