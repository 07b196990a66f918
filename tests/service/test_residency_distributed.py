"""Residency in the distributed mode: two regions, each with its own PostgreSQL database (own roles
and passwords), its own S3 bucket and its own JetStream stream; one gateway that holds both
regions' databases, and one worker per region whose settings name only that region's stores.
Octo-Org is placed in the EU, Codertocat stays in the home region (US). Read back from both
databases (as their owners), both buckets and the NATS server: each organisation's rows, diffs and
jobs are in its region only.
"""
import json
import os
import secrets
import subprocess
import urllib.error
import urllib.request

import pytest

from corgi_service import corgi_binary, launch
from distributed import Cluster, NatsServer, Postgres, require_servers, servers_available
from test_distributed import octo_org_opened, opened
from test_serve_e2e import FIRST_DIFF, INSTALLATION, REPO, completed_runs

pytestmark = pytest.mark.skipif(not servers_available() and not require_servers(),
                                reason="PostgreSQL, S3 and nats-server come from scripts/test")

REVIEW_TABLES = ("pull_requests", "scans", "findings", "diffs")


def s3_client():
    import boto3
    from botocore.config import Config
    credentials = json.loads(open(os.environ["CORGI_TEST_S3_CREDENTIALS_FILE"]).read())
    return boto3.client("s3", endpoint_url=os.environ["CORGI_TEST_S3_ENDPOINT"], region_name=os.environ.get("CORGI_TEST_S3_REGION", "us-east-1"),
                        aws_access_key_id=credentials["access_key_id"], aws_secret_access_key=credentials["secret_access_key"],
                        config=Config(s3={"addressing_style": "path"}))


def bucket_keys(bucket: str) -> set[str]:
    pages = s3_client().get_paginator("list_objects_v2").paginate(Bucket=bucket)
    return {item["Key"] for page in pages for item in page.get("Contents", [])}


@pytest.fixture
def regions(tmp_path, github):
    us, eu = Postgres().create(), Postgres().create()
    nats = NatsServer(tmp_path / "nats").start()
    eu_bucket = f"corgi-diffs-eu-{secrets.token_hex(3)}"
    s3_client().create_bucket(Bucket=eu_bucket)
    cluster = Cluster(tmp_path / "cluster", github, us, nats, ack_wait=5)
    # The EU region's own credentials, each in the secrets directory of the process that needs it.
    eu_gateway = cluster._secrets("eu-gateway-secrets", {"postgres-password": eu.app_password})
    eu_migrate = cluster._secrets("eu-migrate-secrets", {"postgres-migration-password": eu.owner_password})
    worker_files = {p.name: p.read_text() for p in cluster.worker_secrets.iterdir()}
    eu_worker = cluster._secrets("eu-worker-secrets", worker_files | {"postgres-password": eu.app_password})

    def residency(secrets_dir) -> str:
        return (f'residency:\n  organisations: ["github/Octo-Org=eu"]\n  regions:\n    eu:\n      database:\n'
                f"        host: {eu.host}\n        port: {eu.port}\n        name: {eu.database}\n        user: {eu.app}\n"
                f"        migration_user: {eu.owner}\n        tls: {'verify-full' if eu.ca else 'require'}\n"
                + (f"        ca_file: {eu.ca}\n" if eu.ca else "")
                + f"      secrets:\n        directory: {secrets_dir}\n")
    for settings, secrets_dir in ((cluster.gateway_settings, eu_gateway), (cluster.migrate_settings, eu_migrate)):
        settings.write_text(settings.read_text() + residency(secrets_dir))
    # An EU worker is a worker whose settings name the EU's database, bucket, stream and secrets.
    text = cluster.worker_settings.read_text()
    for old, new in ((f"name: {us.database}", f"name: {eu.database}"), (f"user: {us.app}", f"user: {eu.app}"),
                     (f"migration_user: {us.owner}", f"migration_user: {eu.owner}"),
                     (f"stream: {cluster.stream}", f"stream: {cluster.stream}_EU"), (f"subject: {cluster.subject}", f"subject: {cluster.subject}.eu"),
                     (f"consumer: {cluster.consumer}", f"consumer: {cluster.consumer}-eu"),
                     (f"bucket: {os.environ.get('CORGI_TEST_S3_BUCKET', 'corgi-diffs')}", f"bucket: {eu_bucket}"),
                     (f"directory: {cluster.worker_secrets}", f"directory: {eu_worker}")):
        assert old in text, old
        text = text.replace(old, new)
    eu_worker_settings = cluster.workdir / "worker-eu.yml"
    eu_worker_settings.write_text(text)
    cluster.eu, cluster.eu_bucket, cluster.eu_worker_settings = eu, eu_bucket, eu_worker_settings
    try:
        yield cluster
    finally:
        cluster.stop()
        nats.stop()
        us.drop()
        eu.drop()


def test_each_region_keeps_its_organisations_rows_diffs_and_jobs(regions, github):
    cluster, us, eu = regions, regions.postgres, regions.eu
    migrated = cluster.migrate()
    assert migrated.returncode == 0, migrated.stderr
    for database in (us, eu):
        assert database.query("SELECT max(version) FROM schema_migrations") == us.query("SELECT max(version) FROM schema_migrations")

    github.add_installation(INSTALLATION, "Codertocat", repos=[REPO])
    github.add_installation(INSTALLATION + 1, "Octo-Org", repos=["Octo-Org/api"])
    sha, theirs = "5" * 40, "6" * 40
    github.set_pull(REPO, 21, sha, "master", FIRST_DIFF)
    github.set_pull("Octo-Org/api", 22, theirs, "main", FIRST_DIFF)
    cluster.start_gateway()
    cluster.start_worker()
    eu_worker, _, _ = launch([corgi_binary(), "worker", "--config", str(cluster.eu_worker_settings)], '"corgi worker ready"', 60)
    cluster.workers.append((eu_worker, []))
    assert cluster.client.deliver("pull_request", opened(21, sha), delivery="r-us")[0] == 202
    assert cluster.client.deliver("pull_request", octo_org_opened(22, theirs, repository_id=778), delivery="r-eu")[0] == 202
    github.wait_for(lambda d: completed_runs(d, sha), timeout=60)
    github.wait_for(lambda d: completed_runs(d, theirs), timeout=60)

    def count(database: Postgres, table: str, org: str) -> int:
        return int(database.query(f"SELECT count(*) FROM {table} WHERE organisation = '{org}'")[0][0])
    for table in REVIEW_TABLES:
        assert count(us, table, "Codertocat") > 0 and count(eu, table, "Octo-Org") > 0, table
        assert count(us, table, "Octo-Org") == 0, f"Octo-Org's {table} in the US database"
        assert count(eu, table, "Codertocat") == 0, f"Codertocat's {table} in the EU database"
    # The delivery ledger and the audit trail too; the home database keeps only the directory's record.
    assert us.query("SELECT count(*) FROM deliveries WHERE delivery_id = 'r-eu'") == [["0"]]
    assert eu.query("SELECT count(*) FROM deliveries WHERE delivery_id = 'r-eu'") == [["1"]]
    assert us.query("SELECT action FROM audit_events WHERE organisation = 'Octo-Org'") == [["organisation.region_assigned"]]
    assert sorted(us.query("SELECT organisation, region FROM organisation_regions")) == [["Codertocat", "us"], ["Octo-Org", "eu"]]
    assert eu.query("SELECT count(*) FROM organisation_regions") == [["0"]]
    # Diffs: each sealed object in its region's bucket only.
    us_keys = {row[0] for row in us.query("SELECT object_key FROM diffs")}
    eu_keys = {row[0] for row in eu.query("SELECT object_key FROM diffs")}
    us_bucket = bucket_keys(os.environ.get("CORGI_TEST_S3_BUCKET", "corgi-diffs"))
    assert eu_keys and eu_keys <= bucket_keys(cluster.eu_bucket) and not eu_keys & us_bucket
    assert us_keys and us_keys <= us_bucket and not us_keys & bucket_keys(cluster.eu_bucket)
    # Each region's jobs went through its own stream.
    assert cluster.nats.stream(f"{cluster.stream}_EU")["state"]["messages"] == 0
    assert cluster.nats.stream(f"{cluster.stream}_EU")["consumer_detail"][0]["delivered"]["stream_seq"] >= 1

    # The API on the gateway reaches both; a key made from the gateway's settings lands in the EU.
    environment = {k: v for k, v in os.environ.items() if not k.startswith("CORGI_")}
    created = subprocess.run([corgi_binary(), "api-key", "create", "--config", str(cluster.gateway_settings), "--organisation",
                              "github/Octo-Org", "--role", "owner", "--name", "ci"], capture_output=True, text=True, env=environment, timeout=60)
    assert created.returncode == 0, created.stderr
    assert count(eu, "api_keys", "Octo-Org") == 1 and count(us, "api_keys", "Octo-Org") == 0
    request = urllib.request.Request(f"http://127.0.0.1:{cluster.port}/api/v1/orgs/github/Octo-Org",
                                     headers={"Authorization": f"Bearer {created.stdout.strip()}"})
    with urllib.request.urlopen(request, timeout=30) as response:
        summary = json.loads(response.read())
    assert summary["region"] == "eu" and summary["pull_requests"] == 1
    # Each region's audit chain verifies against its own checkpoint in its own bucket.
    verified = cluster.audit_verify()
    assert verified.returncode == 0, verified.stdout + verified.stderr
    verified = cluster.audit_verify(cluster.eu_worker_settings)
    assert verified.returncode == 0, verified.stdout + verified.stderr
