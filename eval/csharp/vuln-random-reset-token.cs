public class PasswordResetService
{
    private static readonly Random Rng = new Random();
    private const string Chars = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

    public string CreateResetToken(User user)
    {
        var token = new string(Enumerable.Range(0, 24).Select(_ => Chars[Rng.Next(Chars.Length)]).ToArray());
        user.ResetToken = token;
        user.ResetTokenExpires = DateTime.UtcNow.AddHours(1);
        return token;
    }
}
