using Microsoft.AspNetCore.Mvc;

public class DocumentsController : Controller
{
    private const string Root = "/srv/app/documents";

    [HttpGet]
    public IActionResult Download(string name)
    {
        var safeName = Path.GetFileName(name);
        var path = Path.GetFullPath(Path.Combine(Root, safeName));
        if (!path.StartsWith(Root + Path.DirectorySeparatorChar)) return NotFound();
        return PhysicalFile(path, "application/octet-stream", safeName);
    }
}
