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
# The project's own payloads (tests/fixtures/README.md); third-party ones live in ../shared, or
# where CORGI_SHARED_DIR says, and only extra conformance checks read them.
FIXTURES = ROOT / "tests" / "fixtures"
SHARED_DIR = pathlib.Path(os.environ.get("CORGI_SHARED_DIR") or ROOT.parent / "shared")


def corgi_binary() -> str:
    return os.environ.get("CORGI_BIN") or str(ROOT / ".build" / "debug" / "corgi")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def launch(argv: list[str], ready_marker: str, timeout: float, env: dict | None = None):
    """Starts a corgi process with a clean environment (no CORGI_* variables: secrets come from
    files) and waits for its readiness log line. Returns (process, log lines, ready event)."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("CORGI_")}
    environment.update(env or {})
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=environment)
    lines: list[str] = []
    ready = threading.Event()

    def read(stream, marker):
        for raw in stream:
            line = raw.decode("utf-8", "replace").rstrip("\n")
            lines.append(line)
            if marker and marker in line:
                ready.set()
        ready.set()

    threading.Thread(target=read, args=(process.stderr, ready_marker), daemon=True).start()
    threading.Thread(target=read, args=(process.stdout, None), daemon=True).start()
    if not ready.wait(timeout) or process.poll() is not None:
        terminate(process)
        raise AssertionError(f"{' '.join(argv[1:2])} did not start:\n" + "\n".join(lines[-20:]))
    return process, lines, ready


def terminate(process: subprocess.Popen | None) -> int:
    if process and process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return process.returncode if process else 0


def github_settings(github) -> str:
    """The settings section pointing a corgi process at the GitHub double, with quick retries."""
    return f"""github:
  app_id: "{github.app_id}"
  api_url: {github.base_url}
  timeout_seconds: 5
  retry_attempts: 4
  retry_initial_backoff_ms: 20
"""


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
        (self.secrets_dir / "fingerprint-key").write_text(base64.b64encode(os.urandom(32)).decode())
        (self.secrets_dir / "audit-checkpoint-key").write_text(base64.b64encode(os.urandom(32)).decode())
        self.database = workdir / "corgi.sqlite"
        self.settings = workdir / "serve.yml"
        self.settings.write_text(f"""
server:
  host: 127.0.0.1
  port: {self.port}
{github_settings(github)}storage:
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

    def start(self, timeout: float = 60) -> "CorgiService":
        self.process, self.log_lines, self._listening = launch(
            [corgi_binary(), "serve", "--config", str(self.settings)], '"corgi serve listening"', timeout, self.env)
        return self

    def stop(self) -> int:
        return terminate(self.process)

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


def gitlab_service(workdir: pathlib.Path, github, gitlab) -> tuple["CorgiService", str]:
    """A `corgi serve` (not started) that reviews the GitLab double's merge requests: its settings
    section, webhook token and access token. Returns the service and the webhook token."""
    token = secrets.token_hex(32)
    service = CorgiService(workdir, github, extra_settings=f"gitlab:\n  api_url: {gitlab.api_url}\n")
    (service.secrets_dir / "gitlab-webhook-token").write_text(token)
    (service.secrets_dir / "gitlab-token").write_text(gitlab.token)
    return service, token


def gitea_service(workdir: pathlib.Path, github, gitea) -> tuple["CorgiService", str]:
    """A `corgi serve` (not started) that reviews the Gitea/Forgejo double's pull requests: its
    settings section, webhook secret and access token. Returns the service and the webhook secret."""
    secret = secrets.token_hex(32)
    service = CorgiService(workdir, github, extra_settings=f"gitea:\n  api_url: {gitea.api_url}\n")
    (service.secrets_dir / "gitea-webhook-secret").write_text(secret)
    (service.secrets_dir / "gitea-token").write_text(gitea.token)
    return service, secret
