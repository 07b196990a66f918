public class OrderSearch
{
    private readonly SqlConnection _conn;
    public OrderSearch(SqlConnection conn) => _conn = conn;

    public SqlDataReader ByReference(string reference)
    {
        var cmd = _conn.CreateCommand();
        cmd.CommandText = "SELECT * FROM Orders WHERE Reference = @reference";
        cmd.Parameters.Add(new SqlParameter("@reference", reference));
        return cmd.ExecuteReader();
    }
}
