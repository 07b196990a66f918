using Microsoft.AspNetCore.Mvc;

[ApiController]
public class LinkPreviewController : ControllerBase
{
    private readonly HttpClient _http;
    public LinkPreviewController(HttpClient http) => _http = http;

    [HttpGet("/api/preview")]
    public async Task<IActionResult> Get([FromQuery] string target)
    {
        var html = await _http.GetStringAsync(target);
        return Ok(new { length = html.Length, title = TitleParser.Extract(html) });
    }
}
