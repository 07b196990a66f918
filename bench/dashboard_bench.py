#!/usr/bin/env python3
"""Benchmark of the dashboard (not a test): run with scripts/bench-dashboard.

An organisation with 10,000 findings, made as users make them: 50 pull requests of 200 findings
each, reviewed through signed webhooks by `corgi serve` (embedded SQLite) against the GitHub
double. A person signs in through the OpenID provider; then each page is fetched RUNS times and
its time to the last byte on loopback is reported (median and 95th percentile: an upper bound of
the server's time), beside the API call the page is built on, measured in the same run (the
page's overhead over its data), and the page's weight with its assets.
"""
import os
import pathlib
import secrets
import statistics
import string
import sys
import tempfile
import time
import warnings

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests" / "service"))

os.environ["AUTHLIB_INSECURE_TRANSPORT"] = "1"
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from github_double import GitHubDouble  # noqa: E402
    from test_api import pull_request_event  # noqa: E402
    from test_serve_e2e import completed_runs, new_file  # noqa: E402
    from test_sign_in import SignInService, call, provider_running  # noqa: E402

PULL_REQUESTS = int(os.environ.get("BENCH_PULL_REQUESTS", "50"))
PER_PULL_REQUEST = int(os.environ.get("BENCH_FINDINGS_PER_PR", "200"))
RUNS = int(os.environ.get("BENCH_RUNS", "30"))
REPOSITORIES = ["acme/api", "acme/web", "acme/billing", "acme/infra", "acme/mobile"]


def stripe_key(rng) -> str:
    return "sk_live_" + "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(24))


def seed(sign: SignInService, github: GitHubDouble):
    rng = secrets.SystemRandom()
    github.add_installation(1, "acme", repos=REPOSITORIES)
    started = time.monotonic()
    for n in range(1, PULL_REQUESTS + 1):
        repo = REPOSITORIES[n % len(REPOSITORIES)]
        sha = f"{n:040x}"
        lines = [f'STRIPE_KEY_{i} = "{stripe_key(rng)}"' for i in range(PER_PULL_REQUEST)]
        github.set_pull(repo, n, sha, "main", new_file(f"config/keys_{n}.py", lines))
        status, body = sign.service.deliver("pull_request", pull_request_event("opened", repo, 9000 + REPOSITORIES.index(repo), n, sha, 1))
        assert status == 202, body
        github.wait_for(lambda d, sha=sha: completed_runs(d, sha), timeout=120)
    sign.service.wait_idle(timeout=300)
    return time.monotonic() - started


def timed(url: str, cookie: str) -> tuple[float, int, int]:
    started = time.perf_counter()
    answer = call("GET", url, headers={"Cookie": cookie})
    return (time.perf_counter() - started) * 1000, answer.status, len(answer.body)


def main():
    with tempfile.TemporaryDirectory() as tmp, provider_running() as provider:
        github = GitHubDouble(app_id=12345).start()
        sign = SignInService(pathlib.Path(tmp), github, provider)
        with sign:
            seconds = seed(sign, github)
            session = sign.sign_in("alice")
            cookie = session.cookie_header
            base = sign.url
            org = "/api/v1/orgs/github/acme"
            total = call("GET", base + org, headers={"Cookie": cookie}).json()["findings_by_state"]
            finding = call("GET", base + org + "/findings?limit=1", headers={"Cookie": cookie}).json()["items"][0]["id"]
            pages = [
                ("overview", "/", org + "/statistics?weeks=12"),
                ("findings (first page)", "/findings", org + "/findings"),
                ("findings, filtered", "/findings?state=open&severity=critical&repository=acme/web", org + "/findings?state=open&severity=critical&repository=acme/web"),
                ("pull requests", "/pull-requests", org + "/pull-requests"),
                ("a pull request (200 findings)", "/pull-requests/acme/web/1", org + "/findings?repository=acme/web&pull_request=1&limit=200"),
                ("a finding", f"/findings/{finding}", org + f"/findings/{finding}"),
                ("repositories", "/repositories", org + "/repositories"),
                ("audit log", "/audit", org + "/audit-events"),
            ]
            assets = sum(len(call("GET", base + path).body) for path in ("/assets/corgi.css", "/assets/corgi.js", "/assets/corgi.svg"))
            print(f"organisation: {sum(total.values()):,} findings {total} from {PULL_REQUESTS} reviews, seeded in {seconds:.0f} s")
            print(f"assets (CSS, script, icon): {assets / 1024:.1f} KiB, fetched once per browser")
            print(f"{RUNS} requests each, after one warm-up; time to last byte on loopback, ms")
            print("| page | median | p95 | API call median | page / API | page weight with assets |")
            print("|---|---:|---:|---:|---:|---:|")
            for name, page, api in pages:
                for url in (base + page, base + api):
                    timed(url, cookie)
                page_times, api_times, size = [], [], 0
                for _ in range(RUNS):
                    ms, status, size = timed(base + page, cookie)
                    assert status == 200, (page, status)
                    page_times.append(ms)
                    ms, status, _ = timed(base + api, cookie)
                    assert status == 200, (api, status)
                    api_times.append(ms)
                p50, a50 = statistics.median(page_times), statistics.median(api_times)
                p95 = sorted(page_times)[int(0.95 * (len(page_times) - 1))]
                print(f"| {name} | {p50:.1f} | {p95:.1f} | {a50:.1f} | {p50 / a50:.2f} | {(size + assets) / 1024:.1f} KiB |")
        github.stop()


if __name__ == "__main__":
    main()
