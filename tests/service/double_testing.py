"""Helpers the self-tests of the forge doubles share (test_github_double.py, test_gitlab_double.py,
test_gitea_double.py, and the `github` fixture in conftest.py).

* `SAMPLE_DIFF`: a change touching a modified, a new, a deleted, a binary and a renamed file.
* `Reply` and `exchange`: one raw HTTP exchange with a double; each self-test's `call` adds its
  forge's credentials and defaults. `json_payload` and `with_headers` build the request.
* `checked`: the body of a fixture that yields a running double and fails the test if the double
  recorded violations.
* `WebhookReceiver`: a local server that keeps the webhook deliveries it is sent.
"""
from __future__ import annotations

import http.client
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Iterator, Mapping

import pytest

SAMPLE_DIFF = "\n".join([
    "diff --git a/app/config.py b/app/config.py",
    "index 83db48f..bf269f4 100644",
    "--- a/app/config.py",
    "+++ b/app/config.py",
    "@@ -1,5 +1,6 @@",
    " import os",
    "-DEBUG = True",
    "+DEBUG = False",
    '+API_KEY = "AKIAIOSFODNN7EXAMPLE"',
    " ",
    " def load():",
    "     return os.environ",
    "@@ -20,3 +21,4 @@ def helper():",
    "     a = 1",
    "     b = 2",
    "+    c = 3",
    "     return a + b",
    "diff --git a/docs/new.md b/docs/new.md",
    "new file mode 100644",
    "index 0000000..e69de29",
    "--- /dev/null",
    "+++ b/docs/new.md",
    "@@ -0,0 +1,2 @@",
    "+# New",
    "+hello",
    "\\ No newline at end of file",
    "diff --git a/old.txt b/old.txt",
    "deleted file mode 100644",
    "index e69de29..0000000",
    "--- a/old.txt",
    "+++ /dev/null",
    "@@ -1 +0,0 @@",
    "-bye",
    "diff --git a/logo.png b/logo.png",
    "new file mode 100644",
    "index 0000000..1234567",
    "Binary files /dev/null and b/logo.png differ",
    "diff --git a/src/a.py b/src/b.py",
    "similarity index 90%",
    "rename from src/a.py",
    "rename to src/b.py",
    "index 1111111..2222222 100644",
    "--- a/src/a.py",
    "+++ b/src/b.py",
    "@@ -1,2 +1,2 @@",
    "-x = 1",
    "+x = 2",
    " y = 2",
]) + "\n"


# ---- HTTP requests to a double ------------------------------------------------------------------


class Reply:
    def __init__(self, status: int, headers: dict, data: bytes):
        self.status = status
        self.headers = headers
        self.data = data

    def json(self):
        return json.loads(self.data)

    @property
    def links(self) -> dict:
        return {rel: url for url, rel in re.findall(r'<([^>]+)>; rel="(\w+)"', self.headers.get("link", ""))}


def json_payload(sent: dict[str, str], body: Any) -> bytes | None:
    """The payload for `body` (bytes as they are, anything else as JSON; None: no body), setting
    Content-Type: application/json in `sent` when there is one."""
    if body is None:
        return None
    sent["Content-Type"] = "application/json"
    return body if isinstance(body, bytes) else json.dumps(body).encode()


def with_headers(sent: dict[str, str], overrides: Mapping[str, str | None] | None) -> dict[str, str]:
    """`sent` with `overrides` applied: a value replaces or adds the header, None removes it."""
    for key, value in (overrides or {}).items():
        if value is None:
            sent.pop(key, None)
        else:
            sent[key] = value
    return sent


def exchange(double, method: str, path: str, headers: Mapping[str, str], payload: bytes | None = None, *,
             timeout: float = 10.0, conn: http.client.HTTPConnection | None = None, bare: bool = False) -> Reply:
    """Send one request to `double` on `conn` (default: a connection of its own, closed afterwards) and
    read the reply. bare=True sends `headers` and Content-Length only (http.client adds Accept-Encoding
    otherwise)."""
    own = conn is None
    if own:
        host, port = double.base_url.removeprefix("http://").split(":")
        conn = http.client.HTTPConnection(host, int(port), timeout=timeout)
    try:
        if bare:
            conn.putrequest(method, path, skip_accept_encoding=True)
            for key, value in headers.items():
                conn.putheader(key, value)
            conn.putheader("Content-Length", str(len(payload or b"")))
            conn.endheaders(payload)
        else:
            conn.request(method, path, body=payload, headers=dict(headers))
        response = conn.getresponse()
        return Reply(response.status, {k.lower(): v for k, v in response.getheaders()}, response.read())
    finally:
        if own:
            conn.close()


# ---- fixtures ----------------------------------------------------------------------------------


def checked(double, headline: str) -> Iterator:
    """For a fixture (`yield from checked(double, ...)`): yield the running `double`, stop it after the
    test, then fail the test if the double recorded violations, listing them under `headline`."""
    try:
        yield double
    finally:
        double.stop()
    if double.violations:
        pytest.fail(f"{headline}:\n  " + "\n  ".join(double.violations), pytrace=False)


class WebhookReceiver:
    """A server on 127.0.0.1 that answers every POST with 202 and `reply` (with `content_type`, if
    given) and keeps each delivery's (headers, body) in `deliveries`. `url` ends in `path`."""

    def __init__(self, path: str, reply: bytes = b"ok", content_type: str | None = None):
        self.deliveries: list[tuple[dict[str, str], bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                receiver.deliveries.append((dict(self.headers.items()), body))
                self.send_response(202)
                if content_type is not None:
                    self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}{path}"
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()
