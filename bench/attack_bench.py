#!/usr/bin/env python3
"""Benchmark of corgi serve under the unauthenticated-client attack of issue 13, hole 4 (not a
test): run with scripts/bench-webhook-attack.

While six clients keep sending 24 MiB bodies with a bogus signature (reconnecting as soon as they
are refused) and three keep opening connections that send half a request head, wrk POSTs signed
webhooks for the same duration. Reported: wrk's requests/s, p50 and p99 and non-2xx answers, with
and without the attack, and the server's resident memory (baseline and peak, sampled every 20 ms).
"""
import json
import os
import pathlib
import socket
import sys
import tempfile
import threading
import time

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests" / "service"))
sys.path.insert(0, str(HERE))

from corgi_service import CorgiService, fixture_payload  # noqa: E402
from github_double import GitHubDouble  # noqa: E402
from serve_bench import wrk, webhook_script  # noqa: E402

FLOODS, SLOW = 6, 3
FLOOD_BYTES = 24 << 20


def rss(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        return next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmRSS:"))


def flood(port: int, stop: threading.Event, counts: dict):
    chunk = b" " * (1 << 20)
    while not stop.is_set():
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=60) as sock:
                sock.sendall((f"POST /webhooks/github HTTP/1.1\r\nHost: corgi\r\nX-GitHub-Event: pull_request\r\n"
                              f"X-GitHub-Delivery: flood\r\nX-Hub-Signature-256: sha256={'0' * 64}\r\n"
                              f"Content-Length: {FLOOD_BYTES}\r\n\r\n").encode())
                for _ in range(FLOOD_BYTES // len(chunk)):
                    if stop.is_set():
                        break
                    sock.sendall(chunk)
                sock.recv(4096)
        except OSError:
            pass
        counts["floods"] += 1


def slow_header(port: int, stop: threading.Event, counts: dict):
    while not stop.is_set():
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=120) as sock:
                sock.sendall(b"POST /webhooks/github HTTP/1.1\r\nHost: corgi\r\n")
                while not stop.is_set() and sock.recv(4096):
                    pass
        except OSError:
            pass
        counts["slow"] += 1


def main():
    workdir = pathlib.Path(tempfile.mkdtemp(prefix="corgi-attack-bench-"))
    with GitHubDouble() as github:
        service = CorgiService(workdir, github)
        # wrk's 32 connections and the 9 attackers all come from 127.0.0.1, which GitHub's deliveries never
        # share with an attacker: the per-client cap is raised above their sum for this run.
        service.settings.write_text(service.settings.read_text().replace("level: debug", "level: notice")
                                    .replace("server:\n", "server:\n  max_connections_per_client: 64\n", 1))
        with service:
            pid = service.process.pid
            payload = fixture_payload("pull_request", "opened.json")
            payload["repository"]["full_name"] = "bench/unknown"
            body = json.dumps(payload).encode()
            script = webhook_script(workdir, body, service.sign(body))
            quiet = wrk(service.url + "/webhooks/github", script)
            service.wait_idle(timeout=600)
            baseline = rss(pid)

            stop, counts = threading.Event(), {"floods": 0, "slow": 0}
            threads = [threading.Thread(target=flood, args=(service.port, stop, counts), daemon=True) for _ in range(FLOODS)]
            threads += [threading.Thread(target=slow_header, args=(service.port, stop, counts), daemon=True) for _ in range(SLOW)]
            peak = [baseline]

            def sample():
                while not stop.is_set():
                    peak[0] = max(peak[0], rss(pid))
                    time.sleep(0.02)
            sampler = threading.Thread(target=sample, daemon=True)
            for thread in threads + [sampler]:
                thread.start()
            time.sleep(2)  # the attack is under way before wrk starts
            attacked = wrk(service.url + "/webhooks/github", script)
            stop.set()
            for thread in threads + [sampler]:
                thread.join(60)
            service.wait_idle(timeout=600)
            github.take_violations()

    print(f"binary: {os.environ.get('CORGI_BIN', 'debug')}")
    print("| run | requests/s | p50 | p99 | non-2xx |")
    print("|---|---:|---:|---:|---:|")
    print(f"| signed webhooks alone | {quiet['rps']:.0f} | {quiet['p50']} | {quiet['p99']} | {quiet['errors']} |")
    print(f"| signed webhooks during the attack | {attacked['rps']:.0f} | {attacked['p50']} | {attacked['p99']} | {attacked['errors']} |")
    print(f"RSS: baseline {baseline / 1e6:.0f} MB, peak under attack {peak[0] / 1e6:.0f} MB "
          f"(+{(peak[0] - baseline) / 1e6:.0f} MB); attack connections made: {counts['floods']} floods, {counts['slow']} slow heads")


if __name__ == "__main__":
    main()
