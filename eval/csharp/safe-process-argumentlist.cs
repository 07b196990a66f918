using System.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.Mvc;

public class NetworkToolsController : Controller
{
    [HttpPost]
    public IActionResult Ping(string host)
    {
        if (!IPAddress.TryParse(host, out var address)) return BadRequest();
        var psi = new ProcessStartInfo("ping") { RedirectStandardOutput = true, UseShellExecute = false };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add("2");
        psi.ArgumentList.Add(address.ToString());
        using var proc = Process.Start(psi);
        return Content(proc.StandardOutput.ReadToEnd());
    }
}
