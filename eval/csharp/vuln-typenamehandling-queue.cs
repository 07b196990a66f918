using Newtonsoft.Json;

public class MessageSerializer
{
    private static readonly JsonSerializerSettings Settings = new()
    {
        TypeNameHandling = TypeNameHandling.All,
        NullValueHandling = NullValueHandling.Ignore,
    };

    public object Deserialize(string body) => JsonConvert.DeserializeObject(body, Settings);
}
