using Microsoft.AspNetCore.Mvc;

public class DocumentsController : Controller
{
    private const string Root = "/srv/app/documents";

    [HttpGet]
    public IActionResult Download(string name)
    {
        var path = Path.Combine(Root, name);
        return PhysicalFile(path, "application/octet-stream", name);
    }
}
