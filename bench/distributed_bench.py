#!/usr/bin/env python3
"""Benchmark of the distributed mode (not a test): run with scripts/bench-distributed.

1. Webhook acceptance, same run, same wrk load and signed payloads (each its own delivery id):
   `corgi serve` (SQLite queue, one transaction) against `corgi gateway` (PostgreSQL delivery
   ledger + JetStream publish with Nats-Msg-Id and publish ack).
2. Review throughput: N pull requests queued on JetStream first, then 1, 2 and 4 worker
   processes started; PRs reviewed per minute from the first worker's start to the last
   completed check run, against the GitHub double, PostgreSQL and the S3 server.
"""
import json
import os
import pathlib
import sys
import tempfile
import time

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests" / "service"))
sys.path.insert(0, str(HERE))

from corgi_service import CorgiService, fixture_payload  # noqa: E402
from distributed import Cluster, NatsServer, Postgres  # noqa: E402
from github_double import GitHubDouble  # noqa: E402
from serve_bench import webhook_script, wrk  # noqa: E402

PULL_REQUESTS = int(os.environ.get("BENCH_PULL_REQUESTS", "120"))
DIFF_LINES = 200


def diff_for(n: int) -> str:
    lines = [f"    total_{i} = compute(order_{i}, rate={i % 7})" if i % 40 else
             f"    cursor.execute(f\"SELECT * FROM t{n} WHERE id = {{user_id}}\")" for i in range(DIFF_LINES)]
    return (f"diff --git a/app/m{n}.py b/app/m{n}.py\nnew file mode 100644\n--- /dev/null\n+++ b/app/m{n}.py\n"
            f"@@ -0,0 +1,{DIFF_LINES} @@\n" + "".join(f"+{l}\n" for l in lines))


def acceptance(workdir: pathlib.Path, github) -> dict:
    payload = fixture_payload("pull_request", "opened.json")
    payload["repository"]["full_name"] = "bench/unknown"  # jobs end fast where workers run
    body = json.dumps(payload).encode()
    results = {}

    service = CorgiService(workdir / "serve", github)
    service.settings.write_text(service.settings.read_text().replace("level: debug", "level: notice"))
    with service:
        results["embedded"] = wrk(service.url + "/webhooks/github", webhook_script(workdir, body, service.sign(body)))
        results["embedded-ping"] = wrk(service.url + "/ping", None)

    postgres, nats = Postgres().create(), NatsServer(workdir / "nats-accept").start()
    cluster = Cluster(workdir / "gateway", github, postgres, nats)
    try:
        assert cluster.migrate().returncode == 0
        cluster.start_gateway()
        client = cluster.client
        results["jetstream"] = wrk(f"http://127.0.0.1:{cluster.port}/webhooks/github",
                                   webhook_script(workdir, body, client.sign(body)))
        results["jetstream-ping"] = wrk(f"http://127.0.0.1:{cluster.port}/ping", None)
    finally:
        cluster.stop()
        nats.stop()
        postgres.drop()
    return results


def throughput(workdir: pathlib.Path, github, workers: int) -> float:
    postgres, nats = Postgres().create(), NatsServer(workdir / f"nats-{workers}").start()
    cluster = Cluster(workdir / f"cluster-{workers}", github, postgres, nats)
    repo = f"Codertocat/bench-{workers}"
    github.add_installation(1, "Codertocat", repos=[f"Codertocat/bench-{w}" for w in (1, 2, 4)])
    try:
        assert cluster.migrate().returncode == 0
        cluster.start_gateway()
        client = cluster.client
        shas = []
        for n in range(1, PULL_REQUESTS + 1):
            sha = f"{workers:02d}{n:038x}"
            shas.append(sha)
            github.set_pull(repo, n, sha, "main", diff_for(n))
            event = fixture_payload("pull_request", "opened.json")
            event["number"] = event["pull_request"]["number"] = n
            event["pull_request"]["head"]["sha"] = sha
            event["repository"]["full_name"] = repo
            status, _ = client.deliver("pull_request", json.dumps(event).encode(), delivery=f"tp-{workers}-{n}")
            assert status == 202
        wanted = set(shas)
        start = time.monotonic()
        for _ in range(workers):
            cluster.start_worker()
        github.wait_for(lambda d: wanted <= {r["head_sha"] for r in d.check_runs.values() if r.get("status") == "completed"},
                        timeout=1200)
        return PULL_REQUESTS / ((time.monotonic() - start) / 60)
    finally:
        cluster.stop()
        nats.stop()
        postgres.drop()


def main():
    workdir = pathlib.Path(tempfile.mkdtemp(prefix="corgi-bench-dist-"))
    with GitHubDouble() as github:
        accepted = acceptance(workdir, github)
        per_minute = {w: throughput(workdir, github, w) for w in (1, 2, 4)}
        github.take_violations()

    print("Webhook acceptance, wrk -t2 -c32 -d10s, same run:")
    print("| intake | webhooks/s | p50 | p99 | non-2xx | GET /ping of the same process |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, label in (("embedded", "corgi serve: SQLite transaction"), ("jetstream", "corgi gateway: PostgreSQL + JetStream")):
        r, p = accepted[name], accepted[name + "-ping"]
        print(f"| {label} | {r['rps']:.0f} | {r['p50']} | {r['p99']} | {r['errors']} | {p['rps']:.0f} |")
    print(f"ratio JetStream/embedded: {accepted['jetstream']['rps'] / accepted['embedded']['rps']:.2f}")
    print(f"\nReview throughput, {PULL_REQUESTS} PRs of {DIFF_LINES} added lines queued first, worker processes started together:")
    print("| workers | PRs/min | × 1 worker |")
    print("|---:|---:|---:|")
    for w, rate in per_minute.items():
        print(f"| {w} | {rate:.0f} | {rate / per_minute[1]:.2f} |")


if __name__ == "__main__":
    main()
