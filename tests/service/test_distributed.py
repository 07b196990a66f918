"""The distributed mode end to end: PostgreSQL, nats-server (JetStream) and an S3 server with
SigV4 enforced, `corgi migrate`, one gateway and several workers, against the GitHub double."""
import collections
import hashlib
import json
import os
import re
import signal
import subprocess
import threading
import time
import urllib.error
import urllib.request

import pytest

from corgi_service import corgi_binary
from distributed import Cluster, NatsServer, Postgres, require_servers, servers_available
from gitea_double import GiteaDouble, pull_request_event, send_gitea_webhook
from gitlab_double import GitLabDouble, merge_request_hook, send_gitlab_webhook
from test_serve_e2e import (FIRST_DIFF, INSTALLATION, NUMBER, REPO, SECOND_DIFF, completed_runs, new_file, pr_event,
                            rerequested_event)

pytestmark = pytest.mark.skipif(not servers_available() and not require_servers(),
                                reason="PostgreSQL, S3 and nats-server come from scripts/test")


@pytest.fixture
def postgres():
    database = Postgres().create()
    yield database
    database.drop()


@pytest.fixture
def nats(tmp_path):
    server = NatsServer(tmp_path / "nats").start()
    yield server
    server.stop()


@pytest.fixture
def cluster(tmp_path, github, postgres, nats):
    c = Cluster(tmp_path / "cluster", github, postgres, nats, ack_wait=5)
    migrated = c.migrate()
    assert migrated.returncode == 0, migrated.stderr
    yield c
    c.stop()


@pytest.fixture
def mixed_cluster(tmp_path, github, postgres, nats):
    """A cluster that serves GitHub, a GitLab instance and a Gitea instance at once."""
    gitlab, gitea = GitLabDouble(), GiteaDouble("forgejo")
    gitlab.start()
    gitea.start()
    c = Cluster(tmp_path / "cluster", github, postgres, nats, ack_wait=5, gitlab=gitlab, gitea=gitea)
    c.gitlab_double, c.gitea_double = gitlab, gitea
    migrated = c.migrate()
    assert migrated.returncode == 0, migrated.stderr
    try:
        yield c
    finally:
        c.stop()
        gitlab.stop()
        gitea.stop()
    for double in (gitlab, gitea):
        assert not double.violations, double.violations


def listening_ports(pid: int) -> set[int]:
    """TCP ports a process listens on, from /proc: its socket inodes against the LISTEN rows."""
    inodes = set()
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    ports = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in open(table).read().splitlines()[1:]:
            fields = line.split()
            if fields[3] == "0A" and fields[9] in inodes:
                ports.add(int(fields[1].rsplit(":", 1)[1], 16))
    return ports


def octo_org_opened(number: int, sha: str, repository_id: int) -> bytes:
    """A pull request opened in Octo-Org/api, the second installation (INSTALLATION + 1)."""
    event = json.loads(pr_event("opened", sha).decode().replace(REPO, "Octo-Org/api").replace("Codertocat", "Octo-Org"))
    event["number"], event["pull_request"]["number"] = number, number
    event["installation"]["id"], event["repository"]["id"] = INSTALLATION + 1, repository_id
    return json.dumps(event).encode()


def opened(number: int, sha: str, action: str = "opened") -> bytes:
    payload = json.loads(pr_event(action, sha))
    payload["number"] = number
    payload["pull_request"]["number"] = number
    return json.dumps(payload).encode()


def test_migrations_are_idempotent_and_the_application_role_cannot_rewrite_the_audit_log(cluster, postgres):
    again = cluster.migrate()
    assert again.returncode == 0, again.stderr
    versions = postgres.query("SELECT count(*) FROM schema_migrations")
    assert int(versions[0][0]) >= 1
    postgres.psql("INSERT INTO audit_events (id, occurred_at, actor, action, target, organisation, metadata, prev_hash, hash) "
                  "SELECT 1, now()::text, 'a', 'x', 't', NULL, '{}', repeat('0', 64), repeat('0', 64) "
                  "WHERE NOT EXISTS (SELECT 1 FROM audit_events)",
                  database=postgres.database, user=postgres.app, password=postgres.app_password)
    for statement in ("UPDATE audit_events SET actor = 'mallory'", "DELETE FROM audit_events", "TRUNCATE audit_events",
                      "DROP TABLE audit_events", "CREATE TABLE sneaky (id int)"):
        with pytest.raises(RuntimeError, match="permission denied|must be owner"):
            postgres.psql(statement, database=postgres.database, user=postgres.app, password=postgres.app_password)


def test_each_process_refuses_to_start_without_its_own_secrets_or_with_one_in_the_environment(cluster):
    environment = {k: v for k, v in os.environ.items() if not k.startswith("CORGI_")}

    def start(command, settings, env=None):
        return subprocess.run([corgi_binary(), command, "--config", str(settings)], capture_output=True, text=True,
                              env=dict(environment, **(env or {})), timeout=60)

    (cluster.gateway_secrets / "postgres-password").unlink()
    refused = start("gateway", cluster.gateway_settings)
    assert refused.returncode == 2
    assert refused.stderr.strip() == f"corgi: missing secret: {cluster.gateway_secrets}/postgres-password"
    (cluster.worker_secrets / "s3-secret-access-key").unlink()
    refused = start("worker", cluster.worker_settings)
    assert refused.returncode == 2 and "missing secret" in refused.stderr and "s3-secret-access-key" in refused.stderr
    refused = start("worker", cluster.worker_settings, {"CORGI_POSTGRES_PASSWORD": "hunter2"})
    assert refused.returncode == 2 and "CORGI_POSTGRES_PASSWORD" in refused.stderr and "hunter2" not in refused.stderr


def test_a_review_through_gateway_jetstream_and_a_worker(cluster, github, nats, postgres):
    github.add_installation(INSTALLATION, "Codertocat", repos=[REPO])
    sha = "1" * 40
    github.set_pull(REPO, 7, sha, "master", FIRST_DIFF)
    cluster.start_gateway()
    worker = cluster.start_worker()
    client = cluster.client

    # Workers listen on nothing; the gateway is the only listener.
    assert listening_ports(worker.pid) == set()
    assert listening_ports(cluster.gateway.pid) == {cluster.port}

    status, body = client.deliver("pull_request", opened(7, sha), delivery="d-1")
    assert (status, body["status"]) == (202, "queued")
    run = github.wait_for(lambda d: completed_runs(d, sha), timeout=60)[0]
    assert run["conclusion"] == "failure"
    status, body = client.deliver("pull_request", opened(7, sha), delivery="d-1")
    assert (status, body["status"]) == (202, "duplicate")
    assert len(github.issue_comments) == 1 and len(github.reviews) == 1

    # Findings in PostgreSQL, the diff sealed in S3 and recorded, the chain intact.
    assert int(postgres.query("SELECT count(*) FROM findings")[0][0]) == len(github.review_comments) == 3
    assert int(postgres.query("SELECT count(*) FROM diffs")[0][0]) == 1
    verified = cluster.audit_verify()
    assert verified.returncode == 0, verified.stdout + verified.stderr

    # Readiness shows the queue and the live worker.
    ready = json.loads(client.get("/readyz")[1])
    assert ready["status"] == "ready" and ready["workers"] == "1"
    assert (ready["queued"], ready["running"]) == ("0", "0")
    metrics = dict(line.rsplit(" ", 1) for line in client.get("/metrics")[1].splitlines() if line and not line.startswith("#"))
    assert {name: float(metrics[name]) for name in ("corgi_workers_alive", "corgi_queue_pending", "corgi_queue_in_flight",
                                                    "corgi_webhooks_accepted_total", "corgi_webhooks_redelivered_total")} == {
        "corgi_workers_alive": 1, "corgi_queue_pending": 0, "corgi_queue_in_flight": 0,
        "corgi_webhooks_accepted_total": 1, "corgi_webhooks_redelivered_total": 1}
    assert nats.stream(cluster.stream)["state"]["messages"] == 0
    logs = "\n".join(cluster.all_logs())
    assert "STRIPE_KEY" not in logs and "sk_live" not in logs


def api_get(port: int, path: str, key: str) -> tuple[int, dict]:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Authorization": f"Bearer {key}"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_the_gateway_serves_the_api_from_postgresql_scoped_to_the_key_organisation(cluster, github, postgres):
    """Distributed mode: the operator's first key comes from `corgi api-key create` against
    PostgreSQL (as the application role), the gateway answers the API, a key of another
    organisation sees nothing of this one, and the audit chain records the key's creation and use."""
    github.add_installation(INSTALLATION, "Codertocat", repos=[REPO])
    sha = "2" * 40
    github.set_pull(REPO, 9, sha, "master", FIRST_DIFF)
    cluster.start_gateway()
    cluster.start_worker()
    assert cluster.client.deliver("pull_request", opened(9, sha), delivery="d-api")[0] == 202
    github.wait_for(lambda d: completed_runs(d, sha), timeout=60)

    environment = {k: v for k, v in os.environ.items() if not k.startswith("CORGI_")}

    def create_key(organisation: str, role: str) -> str:
        created = subprocess.run([corgi_binary(), "api-key", "create", "--config", str(cluster.gateway_settings), "--organisation",
                                  organisation, "--role", role, "--name", "ci"], capture_output=True, text=True, env=environment, timeout=60)
        assert created.returncode == 0, created.stderr
        return created.stdout.strip()

    owner = create_key("github/Codertocat", "owner")
    stranger = create_key("github/someone-else", "owner")
    assert postgres.query(f"SELECT count(*) FROM api_keys WHERE key_hash = '{hashlib.sha256(owner.encode()).hexdigest()}'") == [["1"]]
    assert postgres.query(f"SELECT count(*) FROM api_keys WHERE name LIKE '%{owner[6:16]}%' OR display_prefix = '{owner}'") == [["0"]]

    status, body = api_get(cluster.port, "/api/v1/orgs/github/Codertocat/findings", owner)
    assert status == 200
    assert len(body["items"]) == int(postgres.query("SELECT count(*) FROM findings")[0][0]) == 3
    assert all(item["repository"] == REPO and item["state"] == "open" for item in body["items"])
    # Evidence is redacted: the secrets of the diff are not in the answer.
    assert "sk_live" not in json.dumps(body)
    status, summary = api_get(cluster.port, "/api/v1/orgs/github/Codertocat", owner)
    assert status == 200 and summary["pull_requests"] == 1 and summary["findings_by_state"] == {"open": 3}

    for path in ["/api/v1/orgs/github/Codertocat", "/api/v1/orgs/github/Codertocat/findings",
                 f"/api/v1/orgs/github/Codertocat/findings/{body['items'][0]['id']}"]:
        assert api_get(cluster.port, path, stranger)[0] == 404
    status, theirs = api_get(cluster.port, "/api/v1/orgs/github/someone-else/findings", stranger)
    assert (status, theirs["items"]) == (200, [])

    verified = cluster.audit_verify()
    assert verified.returncode == 0, verified.stdout + verified.stderr
    actions = [row[0] for row in postgres.query("SELECT action FROM audit_events WHERE action LIKE 'api_key.%' ORDER BY id")]
    assert actions.count("api_key.created") == 2 and "api_key.used" in actions
    logs = "\n".join(cluster.all_logs())
    assert owner not in logs and stranger not in logs

    # The dashboard is the gateway's too: without a sign-in method configured, its pages send
    # people to a sign-in page that says how to configure one; its assets are its own.
    page = urllib.request.Request(f"http://127.0.0.1:{cluster.port}/findings", method="GET")
    opener = urllib.request.build_opener(NoRedirects())
    with pytest.raises(urllib.error.HTTPError) as redirected:
        opener.open(page, timeout=30)
    assert redirected.value.code == 303 and redirected.value.headers["Location"] == "/sign-in"
    with urllib.request.urlopen(f"http://127.0.0.1:{cluster.port}/sign-in", timeout=30) as answer:
        assert "frame-ancestors 'none'" in answer.headers["Content-Security-Policy"]
        assert b"Sign-in is not configured on this server" in answer.read()
    with urllib.request.urlopen(f"http://127.0.0.1:{cluster.port}/assets/corgi.css", timeout=30) as answer:
        assert answer.headers["Content-Type"].startswith("text/css")


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def s3_keys(prefix: str) -> list[str]:
    """Object keys under `prefix` in the test bucket, read from the S3 server itself."""
    import boto3
    from botocore.config import Config
    credentials = json.loads(open(os.environ["CORGI_TEST_S3_CREDENTIALS_FILE"]).read())
    client = boto3.client("s3", endpoint_url=os.environ["CORGI_TEST_S3_ENDPOINT"], region_name=os.environ.get("CORGI_TEST_S3_REGION", "us-east-1"),
                          aws_access_key_id=credentials["access_key_id"], aws_secret_access_key=credentials["secret_access_key"],
                          config=Config(s3={"addressing_style": "path"}))
    bucket = os.environ.get("CORGI_TEST_S3_BUCKET", "corgi-diffs")
    # Listed whole and filtered here: moto miscomputes the signature of a listing with a prefix.
    keys = [item["Key"] for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket) for item in page.get("Contents", [])]
    return [key for key in keys if key.startswith(prefix)]


def test_export_then_delete_an_organisation_through_the_gateway_leaves_nothing_in_postgresql_or_s3(tmp_path, github, postgres, nats):
    """Data rights in distributed mode: the gateway's exporter builds the archive from PostgreSQL;
    deleting the organisation runs the owner's delete_organisation() as the application role;
    the worker's sweeper deletes the sealed diffs from S3, then their rows. Read back from the
    database (as its owner) and the bucket, with another organisation's data untouched."""
    cluster = Cluster(tmp_path / "cluster", github, postgres, nats, ack_wait=5, sweep_interval=1)
    assert cluster.migrate().returncode == 0
    try:
        github.add_installation(INSTALLATION, "Codertocat", repos=[REPO])
        github.add_installation(INSTALLATION + 1, "Octo-Org", repos=["Octo-Org/api"])
        sha, theirs = "3" * 40, "4" * 40
        github.set_pull(REPO, 11, sha, "master", FIRST_DIFF)
        github.set_pull("Octo-Org/api", 12, theirs, "main", FIRST_DIFF)
        cluster.start_gateway()
        cluster.start_worker()
        other = octo_org_opened(12, theirs, repository_id=777)
        assert cluster.client.deliver("pull_request", opened(11, sha), delivery="d-a")[0] == 202
        assert cluster.client.deliver("pull_request", other, delivery="d-b")[0] == 202
        github.wait_for(lambda d: completed_runs(d, sha), timeout=60)
        github.wait_for(lambda d: completed_runs(d, theirs), timeout=60)
        ours = [row[0] for row in postgres.query("SELECT object_key FROM diffs WHERE organisation = 'Codertocat'")]
        kept = [row[0] for row in postgres.query("SELECT object_key FROM diffs WHERE organisation = 'Octo-Org'")]
        assert len(ours) == len(kept) == 1 and set(s3_keys("diffs/github/")) >= set(ours + kept)

        environment = {k: v for k, v in os.environ.items() if not k.startswith("CORGI_")}
        created = subprocess.run([corgi_binary(), "api-key", "create", "--config", str(cluster.gateway_settings), "--organisation",
                                  "github/Codertocat", "--role", "owner", "--name", "ci"], capture_output=True, text=True, env=environment,
                                 timeout=60)
        assert created.returncode == 0, created.stderr
        owner = created.stdout.strip()

        def call(method: str, path: str) -> tuple[int, bytes]:
            request = urllib.request.Request(f"http://127.0.0.1:{cluster.port}{path}", method=method, headers={"Authorization": f"Bearer {owner}"})
            try:
                with urllib.request.urlopen(request, timeout=30) as response:
                    return response.status, response.read()
            except urllib.error.HTTPError as error:
                return error.code, error.read()

        status, body = call("POST", "/api/v1/orgs/github/Codertocat/exports")
        assert status == 202, body
        export = json.loads(body)
        deadline = time.monotonic() + 30
        while json.loads(call("GET", f"/api/v1/orgs/github/Codertocat/exports/{export['id']}")[1])["state"] != "ready":
            assert time.monotonic() < deadline, "the gateway's exporter did not build the export"
            time.sleep(0.2)
        status, archive = call("GET", f"/api/v1/orgs/github/Codertocat/exports/{export['id']}/archive")
        assert status == 200 and archive[257:262] == b"ustar" and b"Octo-Org" not in archive and b"sk_live" not in archive

        status, body = call("DELETE", "/api/v1/orgs/github/Codertocat")
        assert status == 200, body
        assert json.loads(body)["removed"]["findings"] == 3
        assert call("GET", "/api/v1/me")[0] == 401
        deadline = time.monotonic() + 30
        while postgres.query("SELECT count(*) FROM diffs WHERE organisation = 'Codertocat'") != [["0"]]:
            assert time.monotonic() < deadline, "the worker's sweeper did not delete the diff"
            time.sleep(0.2)
        for table in ("pull_requests", "api_keys", "exports", "findings", "scans"):
            assert postgres.query(f"SELECT count(*) FROM {table} WHERE organisation = 'Codertocat'") == [["0"]], table
        assert postgres.query("SELECT count(*) FROM organisations WHERE login = 'Codertocat'") == [["0"]]
        assert not set(ours) & set(s3_keys("diffs/github/")), "the deleted organisation's diff is still in S3"
        assert set(kept) <= set(s3_keys("diffs/github/"))
        assert postgres.query("SELECT count(*) FROM findings WHERE organisation = 'Octo-Org'") == [["3"]]
        verified = cluster.audit_verify()
        assert verified.returncode == 0, verified.stdout + verified.stderr
        assert postgres.query("SELECT count(*) FROM audit_events WHERE action = 'organisation.deleted'") == [["1"]]
    finally:
        cluster.stop()


def test_gateway_and_workers_reach_nats_over_tls_with_an_nkey(tmp_path, github, postgres):
    nats = NatsServer(tmp_path / "nats-tls", secure=True).start()
    cluster = Cluster(tmp_path / "cluster", github, postgres, nats)
    try:
        assert cluster.migrate().returncode == 0
        github.add_installation(INSTALLATION, "Codertocat", repos=[REPO])
        sha = "7" * 40
        github.set_pull(REPO, 11, sha, "master", FIRST_DIFF)
        cluster.start_gateway()
        cluster.start_worker()
        assert cluster.client.deliver("pull_request", opened(11, sha))[0] == 202
        github.wait_for(lambda d: completed_runs(d, sha), timeout=60)
        assert json.loads(cluster.client.get("/readyz")[1])["workers"] == "1"
    finally:
        cluster.stop()
        nats.stop()


def test_webhooks_during_a_nats_outage_wait_in_the_ledger_and_are_queued_when_it_is_back(cluster, github, nats, postgres):
    github.add_installation(INSTALLATION, "Codertocat", repos=[REPO])
    sha = "2" * 40
    github.set_pull(REPO, 8, sha, "master", FIRST_DIFF)
    cluster.start_gateway()
    cluster.start_worker()
    client = cluster.client
    nats.stop()
    # GitHub does not redeliver on its own: the webhook is accepted, its job kept in PostgreSQL.
    status, body = client.deliver("pull_request", opened(8, sha), delivery="outage-1")
    assert (status, body["status"]) == (202, "deferred")
    assert postgres.query("SELECT count(*) FROM deliveries WHERE queued_at IS NULL")[0][0] == "1"
    nats.start()
    # The gateway reconnects and its relay queues the job; the worker reconnects and reviews it.
    github.wait_for(lambda d: completed_runs(d, sha), timeout=60)
    assert len(github.check_runs) == 1
    assert postgres.query("SELECT count(*) FROM deliveries WHERE queued_at IS NULL")[0][0] == "0"
    status, body = client.deliver("pull_request", opened(8, sha), delivery="outage-1")
    assert (status, body["status"]) == (202, "duplicate")


def test_two_reviews_of_one_pull_request_on_two_workers_share_one_summary_comment(cluster, github):
    github.add_installation(INSTALLATION, "Codertocat", repos=[REPO])
    sha = "3" * 40
    github.set_pull(REPO, NUMBER, sha, "master", FIRST_DIFF)
    # The first summary takes GitHub 2 s to create: without the per-PR lock the other worker
    # would find no summary yet and create a second one.
    github.fail_next("POST", r"/issues/\d+/comments$", None, delay=2.0)
    cluster.start_gateway()
    cluster.start_worker()
    cluster.start_worker()
    client = cluster.client
    assert client.deliver("pull_request", opened(NUMBER, sha), delivery="twice-1")[0] == 202
    assert client.deliver("check_run", rerequested_event(sha), delivery="twice-2")[0] == 202
    github.wait_for(lambda d: len(completed_runs(d, sha)) == 2, timeout=60)
    assert len(github.issue_comments) == 1
    comments = collections.Counter((c["path"], c.get("line")) for c in github.review_comments.values())
    assert len(comments) == 3 and set(comments.values()) == {1}


def test_a_review_overtaken_by_a_newer_push_is_superseded(cluster, github, postgres):
    github.add_installation(INSTALLATION, "Codertocat", repos=[REPO])
    sha1, sha2 = "5" * 40, "6" * 40
    github.set_pull(REPO, 9, sha1, "master", FIRST_DIFF)
    github.set_pull(REPO, 9, sha2, "master", SECOND_DIFF)  # pushed before the first review ran
    cluster.start_gateway()
    cluster.start_worker()
    client = cluster.client
    assert client.deliver("pull_request", opened(9, sha1), delivery="old-push")[0] == 202
    assert client.deliver("pull_request", opened(9, sha2, "synchronize"), delivery="new-push")[0] == 202
    github.wait_for(lambda d: completed_runs(d, sha2), timeout=60)
    deadline = time.monotonic() + 30
    while not postgres.query("SELECT 1 FROM audit_events WHERE action = 'review.superseded'"):
        assert time.monotonic() < deadline, "the older review was not superseded"
        time.sleep(0.05)  # polling the audit log; the row, not the delay, decides
    assert not completed_runs(github, sha1)  # nothing reviewed against the wrong diff
    assert len(github.issue_comments) == 1
    assert {c["commit_id"] for c in github.review_comments.values()} == {sha2}


def test_crash_and_scale_300_pull_requests_3_workers_one_killed(mixed_cluster, github, nats, postgres):
    """300 GitHub PR events plus 30 GitLab merge requests and 30 Forgejo pull requests, 3 workers,
    one killed with SIGKILL mid-run: every PR ends with exactly one completed check (run or
    status) and one summary comment, no duplicate review comments or findings, and nothing is
    left in the stream."""
    cluster = mixed_cluster
    gitlab, gitea = cluster.gitlab_double, cluster.gitea_double
    others = 30
    gitlab_projects = [gitlab.add_project(100 + i, f"acme/lab-{i}") for i in range(3)]
    gitea.add_repo("acme/tea-0", repo_id=200)
    gitea.add_repo("acme/tea-1", repo_id=201)
    other_expected = {}
    for n in range(1, others + 1):
        findings = 1 + n % 3
        lines = [f'cursor.execute(f"SELECT * FROM t{i} WHERE id = {{uid}}")' for i in range(findings)]
        project = gitlab_projects[n % 3]
        gitlab.set_merge_request(project, n, head_sha=f"{n:040x}", base_sha="f" * 40, diff=new_file(f"app/q{n}.py", lines))
        gitea.set_pull(f"acme/tea-{n % 2}", n, head_sha=f"{n + 1000:040x}", base_sha="e" * 40, diff=new_file(f"app/q{n}.py", lines))
        other_expected[n] = findings
    total = 300
    repos = [f"Codertocat/service-{i}" for i in range(10)]
    github.add_installation(INSTALLATION, "Codertocat", repos=repos)
    expected = {}
    for n in range(1, total + 1):
        repo, sha = repos[n % len(repos)], f"{n:040x}"
        findings = 1 + n % 3
        lines = [f'cursor.execute(f"SELECT * FROM t{i} WHERE id = {{uid}}")' for i in range(findings)]
        github.set_pull(repo, n, sha, "main", new_file(f"app/q{n}.py", lines))
        expected[(repo.lower(), n)] = (sha, findings)

    cluster.start_gateway()
    for _ in range(3):
        cluster.start_worker()
    client = cluster.client

    def send(numbers):
        for n in numbers:
            repo = repos[n % len(repos)]
            payload = json.loads(opened(n, f"{n:040x}"))
            payload["repository"]["full_name"] = repo
            payload["repository"]["name"] = repo.split("/")[1]
            status, body = client.deliver("pull_request", json.dumps(payload).encode(), delivery=f"crash-{n}")
            assert status == 202, body

    def send_others(numbers):
        for n in numbers:
            project = gitlab_projects[n % 3]
            sent = send_gitlab_webhook(client.url + "/webhooks/gitlab", "Merge Request Hook",
                                       merge_request_hook(project, gitlab.merge_request(project, n), "open"),
                                       token=cluster.gitlab_token, idempotency_key=f"lab-{n}")
            assert sent.status == 202, sent.body
            repo = f"acme/tea-{n % 2}"
            payload = pull_request_event(gitea.repo_json(repo), gitea.pull_json(repo, n), "opened")
            sent = send_gitea_webhook(client.url + "/webhooks/gitea", "pull_request", payload, cluster.gitea_secret, flavour="forgejo",
                                      delivery=f"tea-{n}")
            assert sent.status == 202, sent.body

    senders = [threading.Thread(target=send, args=(range(k, total + 1, 4),)) for k in range(1, 5)]
    senders.append(threading.Thread(target=send_others, args=(range(1, others + 1),)))
    for t in senders:
        t.start()
    for t in senders:
        t.join()

    github.wait_for(lambda d: len([r for r in d.check_runs.values() if r.get("status") == "completed"]) >= total // 4,
                    timeout=180)
    # Kill the first worker the moment it has started a review, so a job dies with it.
    victim, victim_logs = cluster.workers[0]
    seen = len(victim_logs)
    deadline = time.monotonic() + 60
    while not any('"check run started"' in line for line in victim_logs[seen:]):
        assert time.monotonic() < deadline, "the first worker started no review"
        time.sleep(0.001)  # watching a log being written; the line, not the delay, decides
    os.kill(victim.pid, signal.SIGKILL)
    victim.wait()
    started = [json.loads(line) for line in victim_logs[seen:] if '"check run started"' in line][-1]
    interrupted = started["delivery"]

    def all_done(d):
        done = {r["head_sha"] for r in d.check_runs.values() if r.get("status") == "completed"}
        return len(done) >= total
    github.wait_for(all_done, timeout=420)

    # GitLab and Forgejo: one final status per head, one summary, a comment per finding, no duplicates.
    def lab_done(d):
        return sum(1 for s in d.statuses() if s["status"] in ("success", "failed")) >= others
    gitlab.wait_for(lab_done, timeout=300)
    gitea.wait_for(lambda d: len({s["sha"] for s in d.statuses if s["state"] in ("success", "failure")}) >= others, timeout=300)
    lab_final = collections.Counter(s["sha"] for s in gitlab.statuses(include_retried=True) if s["status"] in ("success", "failed"))
    assert len(lab_final) == others and set(lab_final.values()) == {1}
    for n, findings in other_expected.items():
        project = gitlab_projects[n % 3]
        notes = [x for x in gitlab.notes(project, n) if x["body"].startswith("<!-- corgi:summary -->")]
        assert len(notes) == 1, (project.path_with_namespace, n)
        diff_notes = [x for d in gitlab.discussions(project, n) for x in d["notes"] if x.get("type") == "DiffNote"]
        assert len(diff_notes) == findings, (project.path_with_namespace, n)
    tea_final = collections.Counter(s["sha"] for s in gitea.statuses if s["state"] in ("success", "failure"))
    assert len(tea_final) == others and set(tea_final.values()) == {1}
    tea_summaries = collections.Counter((c["repo"], c["index"]) for c in gitea.issue_comments.values()
                                        if c["body"].startswith("<!-- corgi:summary -->"))
    assert len(tea_summaries) == others and set(tea_summaries.values()) == {1}
    tea_comments = collections.Counter((c["repo"], c["index"]) for c in gitea.review_comments.values())
    for n, findings in other_expected.items():
        assert tea_comments[(f"acme/tea-{n % 2}", n)] == findings, n

    runs = collections.Counter(r["head_sha"] for r in github.check_runs.values() if r.get("status") == "completed")
    assert set(runs.values()) == {1}, "a PR got more than one completed check run"
    summaries = collections.Counter((c["repo"].lower(), c["issue_number"]) for c in github.issue_comments.values())
    assert len(summaries) == total and set(summaries.values()) == {1}
    comments = collections.Counter((c["repo"].lower(), c["pull_number"], c["path"], c.get("line"), c["body"])
                                   for c in github.review_comments.values())
    assert set(comments.values()) == {1}, "duplicate review comments"
    per_pr = collections.Counter((c["repo"].lower(), c["pull_number"]) for c in github.review_comments.values())
    for key, (_, findings) in expected.items():
        assert per_pr[key] == findings, key
    rows = postgres.query("SELECT p.forge, p.repository, p.number, count(*), count(DISTINCT f.fingerprint) FROM findings f "
                          "JOIN pull_requests p ON p.id = f.pull_request_id GROUP BY p.forge, p.repository, p.number")
    assert len(rows) == total + 2 * others
    for forge, repository, number, count, distinct in rows:
        wanted = expected[(repository.lower(), int(number))][1] if forge == "github" else other_expected[int(number)]
        assert int(count) == int(distinct) == wanted, (forge, repository, number)

    # Nothing left in the stream; the consumer has nothing pending or in flight.
    deadline = time.monotonic() + 30
    while True:
        stream = nats.stream(cluster.stream)
        consumer = (stream.get("consumer_detail") or [{}])[0]
        if stream["state"]["messages"] == 0 and consumer.get("num_ack_pending", 0) == 0 or time.monotonic() > deadline:
            break
        time.sleep(0.1)  # acks land after the last check run; poll the monitor until they have
    assert stream["state"]["messages"] == 0
    assert consumer.get("num_ack_pending", 0) == 0 and consumer.get("num_pending", 0) == 0
    # The interrupted job was redelivered to a surviving worker and finished there.
    survivors = [json.loads(line) for _, logs in cluster.workers[1:] for line in logs if line.startswith("{")]
    assert any(entry.get("delivery") == interrupted and entry.get("attempt") == "2" and entry.get("msg") == "review published"
               for entry in survivors), f"delivery {interrupted} was not redelivered"
    verified = cluster.audit_verify()
    assert verified.returncode == 0, verified.stdout + verified.stderr
