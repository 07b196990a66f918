"""Promise 10 (docs/security.md): safe defaults. The TLS listener never negotiates TLS 1.0 or
1.1; the GitHub API is reached over plain http only on loopback; the database, its journal files,
the audit checkpoint and the objects are the owner's alone; a webhook secret short enough to guess
is refused with the reason; and the action of an ignored event is logged only when it is a token."""
import json
import os
import ssl
import socket
import stat
import subprocess
import threading

import pytest

from adversarial import CorgiService, run_corgi
from corgi_service import launch


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def self_signed(tmp_path):
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
                    "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True)
    return cert, key


def legacy_client(version: ssl.TLSVersion) -> ssl.SSLContext:
    """A client that offers exactly `version` (security level 0, so the local OpenSSL allows it)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    context.set_ciphers("DEFAULT:@SECLEVEL=0")
    context.minimum_version = version
    context.maximum_version = version
    return context


def handshake(port: int, context: ssl.SSLContext) -> str:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
        with context.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
            return tls.version()


def client_can_speak(version: ssl.TLSVersion, cert, key) -> bool:
    """Whether this machine's OpenSSL can negotiate `version` at all (else the check proves nothing)."""
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.set_ciphers("DEFAULT:@SECLEVEL=0")
    server.minimum_version = version
    server.maximum_version = version
    server.load_cert_chain(str(cert), str(key))
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]

    def accept():
        connection, _ = listener.accept()
        try:
            server.wrap_socket(connection, server_side=True).close()
        except (ssl.SSLError, OSError):
            connection.close()
    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        return handshake(port, legacy_client(version)) is not None
    except (ssl.SSLError, OSError):
        return False
    finally:
        thread.join(10)
        listener.close()


def test_the_tls_listener_never_negotiates_tls_1_0_or_1_1(github, tmp_path):
    cert, key = self_signed(tmp_path)
    legacy = [v for v in (ssl.TLSVersion.TLSv1, ssl.TLSVersion.TLSv1_1) if client_can_speak(v, cert, key)]
    if not legacy:
        pytest.skip("this machine's OpenSSL cannot offer TLS 1.0 or 1.1 even at security level 0: nothing to try")
    service = CorgiService(tmp_path / "svc", github)
    service.settings.write_text(service.settings.read_text().replace(
        "server:\n", f"server:\n  tls:\n    certificate: {cert}\n    key: {key}\n"))
    with service:
        for version in legacy:
            with pytest.raises((ssl.SSLError, ConnectionResetError)):
                handshake(service.port, legacy_client(version))
        assert handshake(service.port, legacy_client(ssl.TLSVersion.TLSv1_2)) == "TLSv1.2"


@pytest.mark.parametrize("url", ["http://api.github.com", "http://ghe.internal/api/v3", "http://10.0.0.5:8080",
                                 "http://127.0.0.1.nip.io/api"])
def test_plain_http_to_the_github_api_is_refused_outside_loopback(github, tmp_path, url):
    service = CorgiService(tmp_path, github)
    service.settings.write_text(service.settings.read_text().replace(f"api_url: {github.base_url}", f"api_url: {url}"))
    result = run_corgi("serve", "--config", service.settings)
    assert result.returncode != 0
    assert b"github.api_url must be https://" in result.stderr, result.stderr


def test_database_checkpoint_and_object_files_are_the_owners_alone(github, tmp_path):
    service = CorgiService(tmp_path, github)
    data = tmp_path / "data"
    service.database = data / "corgi.sqlite"
    service.settings.write_text(service.settings.read_text().replace(f"database: {tmp_path / 'corgi.sqlite'}",
                                                                     f"database: {service.database}"))
    with service:
        status, _ = service.deliver("ping", json.dumps({"zen": "z", "hook_id": 1}).encode())
        assert status == 202
        files = [p for p in data.iterdir()]
        names = {p.name for p in files}
        assert {"corgi.sqlite", "corgi.sqlite-wal", "corgi.sqlite-shm", "corgi.sqlite.audit-checkpoint"} <= names, names
        for path in files:
            assert mode(path) == 0o600, f"{path.name} is {oct(mode(path))}"
        assert mode(data) == 0o700
        assert mode(tmp_path / "objects") == 0o700


@pytest.mark.parametrize("secret", ["x", "0123456789abcde"])
def test_a_webhook_secret_short_enough_to_guess_is_refused_with_the_reason(github, tmp_path, secret):
    service = CorgiService(tmp_path, github, webhook_secret=secret)
    result = run_corgi("serve", "--config", service.settings)
    assert result.returncode != 0
    message = result.stderr.decode()
    assert "github-webhook-secret" in message and "at least 16" in message and "sign webhooks" in message, message
    if len(secret) > 4:  # a one-letter secret is in any sentence
        assert secret not in message


def test_the_action_of_an_ignored_event_is_logged_only_as_a_token(github, tmp_path):
    hostile = "opened\u001b[2J\u001b[31m\n{\"level\":\"critical\",\"msg\":\"forged\"}"
    with CorgiService(tmp_path, github) as service:
        status, body = service.deliver("issues", json.dumps({"action": hostile, "issue": {"number": 1}}).encode())
        assert status == 202 and body.get("status") == "ignored"
        status, body = service.deliver("issues", json.dumps({"action": "labeled"}).encode())
        assert status == 202
    ignored = [json.loads(line) for line in service.log_lines if '"webhook ignored"' in line]
    assert [entry["action"] for entry in ignored] == ["(not a token)", "labeled"]
    assert not any("\u001b" in line or "forged" in line for line in service.log_lines)
