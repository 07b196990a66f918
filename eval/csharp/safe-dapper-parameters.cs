using Dapper;
using Npgsql;

public class InvoiceRepository
{
    private readonly NpgsqlDataSource _ds;
    public InvoiceRepository(NpgsqlDataSource ds) => _ds = ds;

    public async Task<IEnumerable<Invoice>> ForCustomerAsync(string customerRef)
    {
        await using var conn = await _ds.OpenConnectionAsync();
        return await conn.QueryAsync<Invoice>("SELECT * FROM invoices WHERE customer_ref = @customerRef", new { customerRef });
    }
}
