using System.Net.Http;
using System.Net.Security;

public static class PartnerClientFactory
{
    private const string PinnedThumbprint = "3F1A9C5E2B7D4A6F8E0C1B2D3E4F5A6B7C8D9E0F";

    public static HttpClient Create()
    {
        var handler = new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (message, cert, chain, errors) =>
                errors == SslPolicyErrors.None && cert?.Thumbprint == PinnedThumbprint,
        };
        return new HttpClient(handler) { BaseAddress = new Uri("https://partner.example.net/") };
    }
}
