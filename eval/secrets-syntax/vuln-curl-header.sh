curl -H "X-SparkPost-Server-Token: nexcNDpE88NeZgNegzLuoqNUiNPJfyPu" https://api.sparkpostapp.example/email
