import urllib.request


def fetch_status(url="http://status.internal.example.net/health"):
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.status
