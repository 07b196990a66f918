using Newtonsoft.Json;

public class MessageSerializer
{
    private static readonly JsonSerializerSettings Settings = new()
    {
        TypeNameHandling = TypeNameHandling.None,
        NullValueHandling = NullValueHandling.Ignore,
    };

    public OrderMessage Deserialize(string body) => JsonConvert.DeserializeObject<OrderMessage>(body, Settings);
}
