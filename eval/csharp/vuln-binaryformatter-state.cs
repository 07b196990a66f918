using System.IO;
using System.Runtime.Serialization.Formatters.Binary;

public static class WizardState
{
    public static object Restore(string base64)
    {
        var formatter = new BinaryFormatter();
        using var stream = new MemoryStream(Convert.FromBase64String(base64));
        return formatter.Deserialize(stream);
    }
}
