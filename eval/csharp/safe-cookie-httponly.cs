using Microsoft.AspNetCore.Http;

public class ThemeAndSessionCookies
{
    public void Write(HttpResponse response, string sessionId, string theme)
    {
        response.Cookies.Append("session_id", sessionId, new CookieOptions
        {
            HttpOnly = true,
            Secure = true,
            SameSite = SameSiteMode.Lax,
        });
        response.Cookies.Append("theme", theme, new CookieOptions { Secure = true, SameSite = SameSiteMode.Lax });
    }
}
