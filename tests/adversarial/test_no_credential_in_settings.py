"""Promise 7 (docs/security.md): no credential lives in a setting. A password (or a user, or a
token) written into any URL setting — NATS servers, the PostgreSQL host, the S3 endpoint, the
GitHub API URL — is refused at start-up like a secret in the environment: the error names the
setting and never repeats the value, and nothing is contacted with it."""
import base64
import os
import secrets

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from adversarial import run_corgi

PASSWORD = "Sup3rS3cretPassw0rd"

BASE = """github:
  app_id: "12345"
  api_url: {api_url}
secrets:
  directory: {secrets}
"""

DISTRIBUTED = """database:
  host: {db_host}
  tls: disable
queue:
  servers: ["{nats}"]
objects:
  s3:
    endpoint: {s3}
"""

CASES = {
    # name: (command, setting named in the error, overrides)
    "nats_user_password": ("gateway", "queue.servers", {"nats": f"nats://corgi:{PASSWORD}@127.0.0.1:4222"}),
    "nats_token": ("worker", "queue.servers", {"nats": f"tls://{PASSWORD}@nats.internal:4222"}),
    "postgres_url_as_host": ("gateway", "database.host", {"db_host": f"postgres://corgi:{PASSWORD}@db.internal/corgi"}),
    "s3_endpoint": ("worker", "objects.s3.endpoint", {"s3": f"https://AKIAEXAMPLE:{PASSWORD}@s3.internal"}),
    "github_api_url_serve": ("serve", "github.api_url", {"api_url": f"https://x-access-token:{PASSWORD}@api.github.com"}),
    "github_api_url_gateway": ("gateway", "github.api_url", {"api_url": f"https://octo:{PASSWORD}@ghe.internal/api/v3"}),
}


def write_every_secret(directory):
    """Every secret the commands read, so that a credential in a setting is the only thing wrong:
    a build that does not check for it goes on and uses it."""
    directory.mkdir(mode=0o700)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    (directory / "github-private-key").write_bytes(pem)
    for name in ("storage-encryption-key", "fingerprint-key", "audit-checkpoint-key"):
        (directory / name).write_text(base64.b64encode(os.urandom(32)).decode())
    for name in ("github-webhook-secret", "postgres-password", "s3-access-key-id", "s3-secret-access-key"):
        (directory / name).write_text(secrets.token_hex(24))


@pytest.mark.parametrize("case", sorted(CASES))
def test_credentials_in_a_url_setting_are_refused_without_echoing_them(tmp_path, case):
    command, setting, overrides = CASES[case]
    write_every_secret(tmp_path / "secrets")
    values = {"api_url": "https://api.github.com", "secrets": tmp_path / "secrets", "db_host": "127.0.0.1",
              "nats": "nats://127.0.0.1:4222", "s3": "https://s3.internal", **overrides}
    text = BASE.format(**values)
    if command == "serve":
        text += f"storage:\n  database: {tmp_path / 'corgi.sqlite'}\n  objects: {tmp_path / 'objects'}\n"
    else:
        text += DISTRIBUTED.format(**values)
    settings = tmp_path / "settings.yml"
    settings.write_text(text)
    result = run_corgi(command, "--config", settings)
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert setting.encode() in result.stderr, output
    assert b"credentials" in result.stderr, output
    assert PASSWORD.encode() not in output
    assert not (tmp_path / "corgi.sqlite").exists()  # refused before anything was opened
