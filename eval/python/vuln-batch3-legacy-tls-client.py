# corgi-expect: python-ssl-weak-protocol
import socket
import ssl


def open_legacy_feed(host: str, port: int) -> ssl.SSLSocket:
    context = ssl.SSLContext(ssl.PROTOCOL_TLSv1)
    context.load_default_certs()
    context.verify_mode = ssl.CERT_REQUIRED
    context.check_hostname = True
    raw = socket.create_connection((host, port), timeout=10)
    return context.wrap_socket(raw, server_hostname=host)
