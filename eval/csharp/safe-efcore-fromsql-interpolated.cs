using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

[ApiController]
[Route("api/[controller]")]
public class CustomersController : ControllerBase
{
    private readonly ShopContext _db;
    public CustomersController(ShopContext db) => _db = db;

    [HttpGet("search")]
    public async Task<IActionResult> Search(string country)
    {
        var customers = await _db.Customers
            .FromSqlInterpolated($"SELECT * FROM Customers WHERE Country = {country}")
            .ToListAsync();
        return Ok(customers);
    }
}
