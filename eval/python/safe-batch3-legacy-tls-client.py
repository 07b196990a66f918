import socket
import ssl


def open_legacy_feed(host: str, port: int) -> ssl.SSLSocket:
    context = ssl.create_default_context()
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    raw = socket.create_connection((host, port), timeout=10)
    return context.wrap_socket(raw, server_hostname=host)
