using System.Security.Cryptography;

public class CardVault
{
    private readonly byte[] _key;
    public CardVault(byte[] key) => _key = key;

    public byte[] Protect(byte[] pan)
    {
        using var tdes = TripleDES.Create();
        tdes.Key = _key;
        tdes.GenerateIV();
        using var enc = tdes.CreateEncryptor();
        return tdes.IV.Concat(enc.TransformFinalBlock(pan, 0, pan.Length)).ToArray();
    }
}
