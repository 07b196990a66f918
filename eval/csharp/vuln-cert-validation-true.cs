using System.Net.Http;

public static class PartnerClientFactory
{
    public static HttpClient Create()
    {
        var handler = new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (message, cert, chain, errors) => true,
        };
        return new HttpClient(handler) { BaseAddress = new Uri("https://partner.example.net/") };
    }
}
