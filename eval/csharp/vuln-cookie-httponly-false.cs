using Microsoft.AspNetCore.Http;

public class ThemeAndSessionCookies
{
    public void Write(HttpResponse response, string sessionId)
    {
        response.Cookies.Append("session_id", sessionId, new CookieOptions
        {
            HttpOnly = false,
            Secure = true,
            SameSite = SameSiteMode.Lax,
        });
    }
}
