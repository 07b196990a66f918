curl -H "X-Postmark-Server-Token: nexcNDpE88NeZgNegzLuoqNUiNPJfyPu" https://api.postmarkapp.example/email
