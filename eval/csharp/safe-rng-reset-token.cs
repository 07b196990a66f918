using System.Security.Cryptography;

public class PasswordResetService
{
    public string CreateResetToken(User user)
    {
        var token = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        user.ResetTokenHash = Convert.ToHexString(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(token)));
        user.ResetTokenExpires = DateTime.UtcNow.AddHours(1);
        return token;
    }
}
