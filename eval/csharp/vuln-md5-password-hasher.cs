using System.Security.Cryptography;
using System.Text;

public class LegacyPasswordHasher
{
    public string Hash(string password, string salt)
    {
        using var md5 = MD5.Create();
        var bytes = md5.ComputeHash(Encoding.UTF8.GetBytes(salt + password));
        return Convert.ToHexString(bytes);
    }
}
