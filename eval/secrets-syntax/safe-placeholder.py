MAILGUN_TOKEN = "your-mailgun-token-here"
