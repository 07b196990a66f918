MAILJET_TOKEN = "your-mailjet-token-here"
