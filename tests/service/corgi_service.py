"""Runs `corgi serve` as a user would: a settings file, a secrets directory, a real HTTP port.

Synchronisation is on observable events only: the server's "listening" log line, the GitHub
double's recorded requests (wait_for), and the service's readiness endpoint. No sleeps.
"""
import base64
import hashlib
import hmac
import json
import os
import pathlib
import secrets
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parents[2]
FIXTURES = ROOT.parent / "shared" / "fixtures"


def corgi_binary() -> str:
    return os.environ.get("CORGI_BIN") or str(ROOT / ".build" / "debug" / "corgi")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class CorgiService:
    def __init__(self, workdir: pathlib.Path, github, *, extra_settings: str = "", webhook_secret: str | None = None,
                 env: dict | None = None):
        self.workdir = workdir
        self.github = github
        self.port = free_port()
        self.secrets_dir = workdir / "secrets"
        self.secrets_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.webhook_secret = webhook_secret or secrets.token_hex(32)
        (self.secrets_dir / "github-webhook-secret").write_text(self.webhook_secret)
        (self.secrets_dir / "github-private-key").write_bytes(github.private_key_pem)
        (self.secrets_dir / "storage-encryption-key").write_text(base64.b64encode(os.urandom(32)).decode())
        self.database = workdir / "corgi.sqlite"
        self.settings = workdir / "serve.yml"
        self.settings.write_text(f"""
server:
  host: 127.0.0.1
  port: {self.port}
github:
  app_id: "{github.app_id}"
  api_url: {github.base_url}
  timeout_seconds: 5
  retry_attempts: 4
  retry_initial_backoff_ms: 20
storage:
  database: {self.database}
  objects: {workdir / "objects"}
secrets:
  directory: {self.secrets_dir}
worker:
  lease_seconds: 30
  retry_base_seconds: 1
retention:
  sweep_interval_seconds: 1
logging:
  level: debug
{extra_settings}
""")
        self.env = env
        self.process: subprocess.Popen | None = None
        self.log_lines: list[str] = []
        self._listening = threading.Event()
        self._reader: threading.Thread | None = None

    def start(self, timeout: float = 60) -> "CorgiService":
        environment = {k: v for k, v in os.environ.items() if not k.startswith("CORGI_")}
        environment.update(self.env or {})
        self.process = subprocess.Popen([corgi_binary(), "serve", "--config", str(self.settings)],
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=environment)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        threading.Thread(target=self._drain_stdout, daemon=True).start()
        if not self._listening.wait(timeout):
            self.stop()
            raise AssertionError("corgi serve did not start:\n" + "\n".join(self.log_lines[-20:]))
        return self

    def _read(self):
        for raw in self.process.stderr:
            line = raw.decode("utf-8", "replace").rstrip("\n")
            self.log_lines.append(line)
            if '"corgi serve listening"' in line:
                self._listening.set()
        self._listening.set()

    def _drain_stdout(self):
        for raw in self.process.stdout:
            self.log_lines.append(raw.decode("utf-8", "replace").rstrip("\n"))

    def stop(self) -> int:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self._reader:
            self._reader.join(timeout=5)
        return self.process.returncode if self.process else 0

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def post(self, path: str, body: bytes, headers: dict) -> tuple[int, dict]:
        request = urllib.request.Request(self.url + path, data=body, method="POST", headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            payload = error.read()
            try:
                return error.code, json.loads(payload or b"{}")
            except json.JSONDecodeError:
                return error.code, {"raw": payload.decode("utf-8", "replace")}

    def get(self, path: str) -> tuple[int, str]:
        try:
            with urllib.request.urlopen(self.url + path, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def sign(self, body: bytes, secret: str | None = None) -> str:
        key = (secret or self.webhook_secret).encode()
        return "sha256=" + hmac.new(key, body, hashlib.sha256).hexdigest()

    def deliver(self, event: str, body: bytes, delivery: str | None = None, *, signature: str | None = "auto",
                secret: str | None = None) -> tuple[int, dict]:
        headers = {"Content-Type": "application/json", "X-GitHub-Event": event,
                   "X-GitHub-Delivery": delivery or secrets.token_hex(16), "User-Agent": "GitHub-Hookshot/test"}
        if signature == "auto":
            headers["X-Hub-Signature-256"] = self.sign(body, secret)
        elif signature is not None:
            headers["X-Hub-Signature-256"] = signature
        return self.post("/webhooks/github", body, headers)

    def ready(self) -> dict:
        status, body = self.get("/readyz")
        assert status == 200, body
        return json.loads(body)

    def wait_idle(self, timeout: float = 60):
        """Until the queue has nothing queued or running (readiness reports it)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            state = self.ready()
            if state["queued"] == "0" and state["running"] == "0":
                return state
            time.sleep(0.05)  # polling a readiness endpoint; the condition, not the delay, decides
        raise AssertionError(f"queue not idle: {self.ready()}")


def fixture_payload(event: str, name: str) -> dict:
    return json.loads((FIXTURES / "github" / "webhooks" / event / name).read_text())
