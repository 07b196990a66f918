using Microsoft.AspNetCore.Mvc;

[ApiController]
public class WeatherController : ControllerBase
{
    private readonly HttpClient _http;
    public WeatherController(IHttpClientFactory factory) => _http = factory.CreateClient("weather");

    [HttpGet("/api/weather")]
    public async Task<IActionResult> Get([FromQuery] string city)
    {
        var json = await _http.GetStringAsync($"v1/current?city={Uri.EscapeDataString(city)}");
        return Content(json, "application/json");
    }
}
