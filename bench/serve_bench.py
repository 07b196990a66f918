#!/usr/bin/env python3
"""Benchmark of corgi serve (not a test): run with scripts/bench-serve.

1. Webhook acceptance: wrk POSTs signed pull_request webhooks (each with its own delivery id)
   to /webhooks/github, and GETs the trivial /ping route of the same server, same run:
   requests/s and latency percentiles, and the ratio between them.
2. Review latency: time from a webhook to the completed check run for a 1,000-line diff,
   against the local GitHub double (median of 7).
"""
import json
import os
import pathlib
import re
import statistics
import subprocess
import sys
import tempfile
import time

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests" / "service"))

from corgi_service import CorgiService, fixture_payload  # noqa: E402
from github_double import GitHubDouble  # noqa: E402

DURATION = "10s"
THREADS, CONNECTIONS = 2, 32


def wrk(url: str, script: pathlib.Path | None, headers: dict | None = None) -> dict:
    args = ["wrk", "-t", str(THREADS), "-c", str(CONNECTIONS), "-d", DURATION, "--latency"]
    if script:
        args += ["-s", str(script)]
    for name, value in (headers or {}).items():
        args += ["-H", f"{name}: {value}"]
    out = subprocess.run(args + [url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    lat = {p: m.group(1) for p in ("50%", "99%") if (m := re.search(rf"\s{re.escape(p)}\s+([\d.]+\w+)", out))}
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": rps, "p50": lat.get("50%"), "p99": lat.get("99%"), "errors": int(non2xx.group(1)) if non2xx else 0}


def webhook_script(workdir: pathlib.Path, body: bytes, signature: str) -> pathlib.Path:
    """A wrk script POSTing the signed body, each request with its own delivery id."""
    body_file = workdir / "webhook.json"
    body_file.write_bytes(body)
    script = workdir / "webhook.lua"
    script.write_text(f"""
wrk.method = "POST"
local f = io.open("{body_file}", "rb")
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-GitHub-Event"] = "pull_request"
wrk.headers["X-Hub-Signature-256"] = "{signature}"
local counter = 0
request = function()
  counter = counter + 1
  -- wrk.format replaces wrk.headers with the table it is given: copy them in.
  local headers = {{}}
  for name, value in pairs(wrk.headers) do headers[name] = value end
  headers["X-GitHub-Delivery"] = string.format("bench-%d-%d-%d", math.random(1e9), os.time(), counter)
  return wrk.format(nil, nil, headers)
end
""")
    return script


def main():
    workdir = pathlib.Path(tempfile.mkdtemp(prefix="corgi-bench-"))
    with GitHubDouble() as github:
        repo, number = "Codertocat/Hello-World", 2
        github.add_installation(1, "Codertocat", repos=[repo])
        lines = []
        for i in range(1000):
            lines.append(f"    total_{i} = compute(order_{i}, rate={i % 7}, region='eu-west-{i % 3}')" if i % 50 else "    cursor.execute(f\"SELECT * FROM t WHERE id = {user_id}\")")
        diff = f"diff --git a/app/big.py b/app/big.py\nnew file mode 100644\n--- /dev/null\n+++ b/app/big.py\n@@ -0,0 +1,1000 @@\n" + "".join(f"+{l}\n" for l in lines)

        service = CorgiService(workdir, github)
        service.settings.write_text(service.settings.read_text().replace("level: debug", "level: notice"))
        with service:
            # 1. Acceptance throughput: pull_request webhooks for a repository the double does not know,
            #    so the queued jobs end quickly and do not compete for the 2 cores for long.
            payload = fixture_payload("pull_request", "opened.json")
            payload["repository"]["full_name"] = "bench/unknown"
            body = json.dumps(payload).encode()
            signature = service.sign(body)
            script = webhook_script(workdir, body, signature)
            ping = wrk(service.url + "/ping", None)
            hooks = wrk(service.url + "/webhooks/github", script)
            service.wait_idle(timeout=600)

            # 2. Webhook → completed check run, 1,000-line diff.
            timings = []
            for i in range(7):
                sha = f"{i:040x}"
                github.set_pull(repo, number, sha, "master", diff)
                event = fixture_payload("pull_request", "opened.json")
                event["pull_request"]["head"]["sha"] = sha
                start = time.monotonic()
                status, _ = service.deliver("pull_request", json.dumps(event).encode())
                assert status == 202
                github.wait_for(lambda d: any(r["head_sha"] == sha and r.get("status") == "completed" for r in d.check_runs.values()), timeout=120)
                timings.append(time.monotonic() - start)
                service.wait_idle()
            github.take_violations()

            # 3. The API: an owner key (from the CLI, as an operator makes the first one) reads the
            #    organisation's findings, a page of 50 with redacted evidence, authenticated and
            #    tenant-scoped on every request; /ping again beside it.
            environment = {k: v for k, v in os.environ.items() if not k.startswith("CORGI_")}
            created = subprocess.run([os.environ["CORGI_BIN"], "api-key", "create", "--config", str(service.settings),
                                      "--organisation", "github/Codertocat", "--role", "owner", "--name", "bench"],
                                     capture_output=True, text=True, env=environment, check=True)
            key = created.stdout.strip()
            api_ping = wrk(service.url + "/ping", None)
            api = wrk(service.url + "/api/v1/orgs/github/Codertocat/findings?limit=50", None, headers={"Authorization": f"Bearer {key}"})

    print(f"wrk -t{THREADS} -c{CONNECTIONS} -d{DURATION}, same server, same run:")
    print("| route | requests/s | p50 | p99 | non-2xx |")
    print("|---|---:|---:|---:|---:|")
    print(f"| GET /ping (trivial) | {ping['rps']:.0f} | {ping['p50']} | {ping['p99']} | {ping['errors']} |")
    print(f"| POST /webhooks/github (signed, queued) | {hooks['rps']:.0f} | {hooks['p50']} | {hooks['p99']} | {hooks['errors']} |")
    print(f"ratio webhook/trivial: {hooks['rps'] / ping['rps']:.2f}")
    print()
    print("| route | requests/s | p50 | p99 | non-2xx |")
    print("|---|---:|---:|---:|---:|")
    print(f"| GET /ping (trivial) | {api_ping['rps']:.0f} | {api_ping['p50']} | {api_ping['p99']} | {api_ping['errors']} |")
    print(f"| GET /api/v1/orgs/github/Codertocat/findings?limit=50 (API key) | {api['rps']:.0f} | {api['p50']} | {api['p99']} | {api['errors']} |")
    print(f"ratio API/trivial: {api['rps'] / api_ping['rps']:.2f}")
    print(f"webhook → completed check run, 1,000-line diff (20 findings), 7 runs: median {statistics.median(timings) * 1000:.0f} ms, "
          f"min {min(timings) * 1000:.0f} ms, max {max(timings) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
