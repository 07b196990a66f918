using System.Security.Cryptography;

public class CardVault
{
    private readonly byte[] _key;
    public CardVault(byte[] key) => _key = key;

    public byte[] Protect(byte[] pan)
    {
        var nonce = RandomNumberGenerator.GetBytes(AesGcm.NonceByteSizes.MaxSize);
        var cipher = new byte[pan.Length];
        var tag = new byte[16];
        using var gcm = new AesGcm(_key, 16);
        gcm.Encrypt(nonce, pan, cipher, tag);
        return nonce.Concat(tag).Concat(cipher).ToArray();
    }
}
