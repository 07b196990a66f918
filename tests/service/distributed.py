"""The distributed mode as an operator runs it: PostgreSQL, nats-server and an S3 server, then
`corgi migrate`, one `corgi gateway` and `corgi worker` processes, each with its own settings
file and a secrets directory holding only what that process needs.

PostgreSQL and the S3 server come from scripts/test (CORGI_TEST_POSTGRES_*, CORGI_TEST_S3_*);
nats-server is started here, because tests restart it. Synchronisation is on observable events:
log lines, readiness endpoints, the GitHub double's records.
"""
import base64
import json
import os
import pathlib
import secrets
import shutil
import subprocess
import time
import urllib.request

from corgi_service import CorgiService, corgi_binary, free_port, github_settings, launch, terminate


def require_servers() -> bool:
    return os.environ.get("CORGI_REQUIRE_SERVERS") == "1"


def servers_available() -> bool:
    return bool(os.environ.get("CORGI_TEST_POSTGRES_HOST") and os.environ.get("CORGI_TEST_S3_ENDPOINT")
                and (shutil.which("nats-server") or os.path.exists("/usr/sbin/nats-server")))


class Postgres:
    """A database and two roles of our own on the shared test server: the migration role owns the
    schema, the application role gets only the grants the migrations give it."""

    def __init__(self):
        env = os.environ
        self.host = env["CORGI_TEST_POSTGRES_HOST"]
        self.port = int(env["CORGI_TEST_POSTGRES_PORT"])
        self.ca = env.get("CORGI_TEST_POSTGRES_CA")
        self._admin = (env["CORGI_TEST_POSTGRES_USER"], env["CORGI_TEST_POSTGRES_PASSWORD"])
        suffix = secrets.token_hex(4)
        self.database = f"corgi_{suffix}"
        self.owner, self.owner_password = f"corgi_owner_{suffix}", secrets.token_urlsafe(18)
        self.app, self.app_password = f"corgi_app_{suffix}", secrets.token_urlsafe(18)

    def psql(self, sql: str, *, database: str = "postgres", user: str | None = None, password: str | None = None) -> str:
        user = user or self._admin[0]
        password = password or self._admin[1]
        result = subprocess.run(
            ["psql", "-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1", "-h", self.host, "-p", str(self.port), "-U", user,
             "-d", database, "-c", sql],
            capture_output=True, text=True, env=dict(os.environ, PGPASSWORD=password, PGSSLMODE="require"))
        if result.returncode != 0:
            raise RuntimeError(f"psql failed: {result.stderr.strip()}")
        return result.stdout.strip()

    def create(self) -> "Postgres":
        self.psql(f"CREATE ROLE {self.owner} LOGIN PASSWORD '{self.owner_password}'")
        self.psql(f"CREATE ROLE {self.app} LOGIN PASSWORD '{self.app_password}'")
        self.psql(f"CREATE DATABASE {self.database} OWNER {self.owner}")
        return self

    def drop(self):
        self.psql(f"DROP DATABASE IF EXISTS {self.database} WITH (FORCE)")
        self.psql(f"DROP ROLE IF EXISTS {self.app}")
        self.psql(f"DROP ROLE IF EXISTS {self.owner}")

    def query(self, sql: str) -> list[list[str]]:
        """As the migration role, which may read everything."""
        out = self.psql(sql, database=self.database, user=self.owner, password=self.owner_password)
        return [line.split("|") for line in out.splitlines() if line]


# The nkey pair of the NATS documentation's example user (the Swift client's tests check the pair).
NKEY_SEED = "SUACSSL3UAHUDXKFSNVUZRF5UHPMWZ6BFDTJ7M6USDXIEDNPPQYYYCU3VY"
NKEY_PUBLIC = "UDXU4RCSJNZOIQHZNWXHXORDPRTGNJAHAHFRGZNEEJCPQTT2M7NLCNF4"


class NatsServer:
    """nats-server with JetStream, restartable on the same port and store: a user/password, or
    with `secure` TLS required (a certificate for 127.0.0.1 made by openssl) and an nkey user."""

    def __init__(self, workdir: pathlib.Path, *, secure: bool = False):
        self.workdir = workdir
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.port, self.monitor_port = free_port(), free_port()
        self.secure = secure
        self.user, self.password = "corgi", secrets.token_urlsafe(18)
        self.config = workdir / "nats.conf"
        if secure:
            self.ca = workdir / "cert.pem"
            subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                            "-keyout", str(workdir / "key.pem"), "-out", str(self.ca), "-days", "1", "-subj", "/CN=127.0.0.1",
                            "-addext", "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True)
            access = (f'tls {{ cert_file: "{self.ca}", key_file: "{workdir / "key.pem"}" }}\n'
                      f'authorization {{ users = [ {{ nkey: "{NKEY_PUBLIC}" }} ] }}')
        else:
            access = f'authorization {{ users = [ {{ user: "{self.user}", password: "{self.password}" }} ] }}'
        self.config.write_text(f"""
listen: 127.0.0.1:{self.port}
http: 127.0.0.1:{self.monitor_port}
jetstream {{ store_dir: "{workdir / 'js'}" }}
{access}
""")
        self.process = None

    def start(self) -> "NatsServer":
        log = open(self.workdir / "nats.log", "ab")
        self.process = subprocess.Popen([shutil.which("nats-server") or "/usr/sbin/nats-server", "-c", str(self.config)],
                                        stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.monitor_port}/healthz?js-enabled-only=true", timeout=1).read()
                return self
            except Exception:
                assert self.process.poll() is None, (self.workdir / "nats.log").read_text()[-2000:]
                time.sleep(0.02)  # polling a starting server, bounded by the deadline
        raise AssertionError("nats-server did not become ready")

    def stop(self):
        terminate(self.process)

    def stream(self, name: str) -> dict:
        """The stream's state from the monitoring endpoint."""
        with urllib.request.urlopen(f"http://127.0.0.1:{self.monitor_port}/jsz?streams=true&consumers=true", timeout=5) as r:
            data = json.loads(r.read())
        for account in data.get("account_details", []):
            for stream in account.get("stream_detail", []):
                if stream["name"] == name:
                    return stream
        return {}


class Cluster:
    """Settings and secrets for gateway and workers, and the processes."""

    def __init__(self, workdir: pathlib.Path, github, postgres: Postgres, nats: NatsServer, *, ack_wait: int = 30,
                 worker_concurrency: int = 1, gitlab=None, gitea=None, sweep_interval: int = 3600):
        """`gitlab` and `gitea` (doubles) add those forges: their settings sections, the gateway's
        webhook secrets and the workers' access tokens."""
        self.workdir = workdir
        self.github = github
        self.gitlab_token = secrets.token_hex(32) if gitlab else None
        self.gitea_secret = secrets.token_hex(32) if gitea else None
        forge_settings = (f"gitlab:\n  api_url: {gitlab.api_url}\n" if gitlab else "") + (f"gitea:\n  api_url: {gitea.api_url}\n" if gitea else "")
        # Least privilege: the gateway verifies webhooks and never holds a forge's access token.
        gateway_forges = ({"gitlab-webhook-token": self.gitlab_token} if gitlab else {}) | \
            ({"gitea-webhook-secret": self.gitea_secret} if gitea else {})
        worker_forges = ({"gitlab-token": gitlab.token} if gitlab else {}) | ({"gitea-token": gitea.token} if gitea else {})
        self.postgres = postgres
        self.nats = nats
        suffix = secrets.token_hex(3).upper()
        self.stream, self.subject, self.consumer = f"CORGI_SCANS_{suffix}", f"corgi.scans.{suffix.lower()}", f"workers-{suffix.lower()}"
        self.port = free_port()
        self.webhook_secret = secrets.token_hex(32)
        s3 = json.loads(pathlib.Path(os.environ["CORGI_TEST_S3_CREDENTIALS_FILE"]).read_text())
        nats_secret = {"nats-nkey-seed": NKEY_SEED} if nats.secure else {"nats-password": nats.password}
        nats_access = (f"  nkey: true\n  ca_file: {nats.ca}\n" if nats.secure else f"  user: {nats.user}\n")
        # One audit key for the deployment: the gateway seals its rows, workers seal theirs and anchor the head.
        self.audit_key = base64.b64encode(os.urandom(32)).decode()
        self.gateway_secrets = self._secrets("gateway-secrets", {
            "github-webhook-secret": self.webhook_secret,
            "postgres-password": postgres.app_password,
            "audit-checkpoint-key": self.audit_key,
            **nats_secret,
            **gateway_forges,
        })
        self.worker_secrets = self._secrets("worker-secrets", {
            "github-private-key": github.private_key_pem.decode(),
            "storage-encryption-key": base64.b64encode(os.urandom(32)).decode(),
            "fingerprint-key": base64.b64encode(os.urandom(32)).decode(),
            "audit-checkpoint-key": self.audit_key,
            "postgres-password": postgres.app_password,
            **nats_secret,
            "s3-access-key-id": s3["access_key_id"],
            "s3-secret-access-key": s3["secret_access_key"],
            **worker_forges,
        })
        self.migrate_secrets = self._secrets("migrate-secrets", {"postgres-migration-password": postgres.owner_password})
        common = f"""
{github_settings(github)}{forge_settings}database:
  host: {postgres.host}
  port: {postgres.port}
  name: {postgres.database}
  user: {postgres.app}
  migration_user: {postgres.owner}
  tls: {"verify-full" if postgres.ca else "require"}
{f"  ca_file: {postgres.ca}" if postgres.ca else ""}
queue:
  servers: ["nats://127.0.0.1:{nats.port}"]
{nats_access}  stream: {self.stream}
  subject: {self.subject}
  consumer: {self.consumer}
  ack_wait_seconds: {ack_wait}
objects:
  s3:
    endpoint: {os.environ["CORGI_TEST_S3_ENDPOINT"]}
    region: {os.environ.get("CORGI_TEST_S3_REGION", "us-east-1")}
    bucket: {os.environ.get("CORGI_TEST_S3_BUCKET", "corgi-diffs")}
worker:
  concurrency: {worker_concurrency}
  lease_seconds: {max(5, ack_wait)}
  retry_base_seconds: 1
retention:
  sweep_interval_seconds: {sweep_interval}
logging:
  level: info
"""
        self.gateway_settings = self._settings("gateway.yml", common, self.gateway_secrets,
                                               f"server:\n  host: 127.0.0.1\n  port: {self.port}\n")
        self.worker_settings = self._settings("worker.yml", common, self.worker_secrets, "")
        self.migrate_settings = self._settings("migrate.yml", common, self.migrate_secrets, "")
        self.gateway = None
        self.gateway_logs: list[str] = []
        self.workers: list = []

    def _secrets(self, name: str, files: dict) -> pathlib.Path:
        directory = self.workdir / name
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        for file, value in files.items():
            (directory / file).write_text(value)
        return directory

    def _settings(self, name: str, common: str, secrets_dir: pathlib.Path, extra: str) -> pathlib.Path:
        path = self.workdir / name
        path.write_text(common + f"secrets:\n  directory: {secrets_dir}\n" + extra)
        return path

    def migrate(self) -> subprocess.CompletedProcess:
        environment = {k: v for k, v in os.environ.items() if not k.startswith("CORGI_")}
        return subprocess.run([corgi_binary(), "migrate", "--config", str(self.migrate_settings)],
                              capture_output=True, text=True, env=environment, timeout=120)

    def audit_verify(self, settings: pathlib.Path | None = None) -> subprocess.CompletedProcess:
        """`corgi audit verify` over the PostgreSQL log, as the application role, against the checkpoint
        the workers keep in S3 (the worker's settings and secrets reach both; another region's
        worker settings verify that region)."""
        environment = {k: v for k, v in os.environ.items() if not k.startswith("CORGI_")}
        # Workers anchor the log in S3 about once a second after it moves (docs/audit-log.md): on a
        # loaded machine the newest events may not be anchored yet, so wait for the anchor to
        # catch up (30 s at most) and judge the last answer. Any other break is final at once.
        deadline = time.monotonic() + 30
        while True:
            result = subprocess.run([corgi_binary(), "audit", "verify", "--config", str(settings or self.worker_settings)],
                                    capture_output=True, text=True, env=environment, timeout=120)
            if result.returncode == 0 or "checkpoint" not in result.stdout + result.stderr or time.monotonic() > deadline:
                return result
            time.sleep(0.5)

    def start_gateway(self):
        self.gateway, self.gateway_logs, _ = launch([corgi_binary(), "gateway", "--config", str(self.gateway_settings)],
                                                    '"corgi gateway listening"', 60)
        return self.gateway

    def start_worker(self):
        process, logs, _ = launch([corgi_binary(), "worker", "--config", str(self.worker_settings)], '"corgi worker ready"', 60)
        self.workers.append((process, logs))
        return process

    def stop(self):
        for process, _ in self.workers:
            terminate(process)
        terminate(self.gateway)

    # The gateway speaks the same HTTP as `corgi serve`: reuse its client helpers.
    @property
    def client(self) -> CorgiService:
        client = CorgiService.__new__(CorgiService)
        client.port = self.port
        client.webhook_secret = self.webhook_secret
        return client

    def all_logs(self) -> list[str]:
        return self.gateway_logs + [line for _, logs in self.workers for line in logs]
