using System.Diagnostics;
using Microsoft.AspNetCore.Mvc;

public class NetworkToolsController : Controller
{
    [HttpPost]
    public IActionResult Ping(string host)
    {
        var psi = new ProcessStartInfo
        {
            FileName = "cmd.exe",
            Arguments = "/c ping -n 2 " + host,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        using var proc = Process.Start(psi);
        return Content(proc.StandardOutput.ReadToEnd());
    }
}
