SETTINGS = {
    "sparkpost_server_token": "mtvPBJHFJogiHeAqrXSkuto8QMi83rJh",
}
