"""What the forge API doubles (github_double, gitlab_double, gitea_double) have in common.

Each double answers one forge's REST API the way that forge does; what does not depend on the forge
lives here, once:

* `ApiDouble`, the base class: the threaded HTTP/1.1 server on 127.0.0.1 and its lifecycle (stop,
  context manager), request recording (`requests`, `calls`), fault injection (`fail_next`,
  `drop_next`), violation bookkeeping (`violations`, `take_violations`) and `wait_for`. A double
  subclass supplies its `_Handler`, `start()`, `_dispatch()` (which builds the request's record and
  hands it to `_answer`), `_injected()`, `_internal_error()` and `_write()`.
* `DoubleHandler`/`DoubleServer`, the request handler and server the doubles subclass or use.
* `BaseRecordedRequest`, the fields every double records about a request.
* `BaseResult`, what a double answers a request with.
* HTTP helpers: `request_target`, `first_values`, `read_body`, `encode_payload`, `override_headers`,
  `send`, `status_phrase`; `post` and `BaseWebhookDelivery` for the doubles' webhook senders.
* Routing: `template_regex`, `match_route`.
* The API descriptions: `Spec`/`NoSpec` (operation table, validator cache), `openapi_operations`,
  `load_spec`.
* `OwnerAndName` (a repository's `owner` and `name` from its `full_name`), `iso`, `parse_iso`,
  `stable_id` and `SHARED_DIR` (where the third-party descriptions live).

Stdlib only.
"""
from __future__ import annotations

import hashlib
import http.client
import json
import os
import re
import socket
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping
from urllib.parse import parse_qsl, unquote, urlsplit

# The forges' API descriptions and webhook fixtures are third-party: in ../shared beside the
# repository, or where CORGI_SHARED_DIR says.
SHARED_DIR = Path(os.environ.get("CORGI_SHARED_DIR") or Path(__file__).resolve().parents[3] / "shared")


def iso(ts: float) -> str:
    """A UTC timestamp with whole seconds, e.g. 2011-01-26T19:01:12Z."""
    return datetime.fromtimestamp(ts, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(value: str) -> float:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()


def stable_id(text: str) -> int:
    """A small positive id derived from `text` (the same text always gives the same id)."""
    return int(hashlib.sha1(text.encode()).hexdigest()[:7], 16)


class OwnerAndName:
    """`owner` and `name` of something with a `full_name` "owner/name" (a repository)."""

    full_name: str

    @property
    def owner(self) -> str:
        return self.full_name.split("/", 1)[0]

    @property
    def name(self) -> str:
        return self.full_name.split("/", 1)[1]


# --------------------------------------------------------------------------------------------
# HTTP plumbing


class DoubleServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64

    def __init__(self, double: "ApiDouble", handler: type[BaseHTTPRequestHandler]):
        self.double = double
        super().__init__(("127.0.0.1", 0), handler)


class DoubleHandler(BaseHTTPRequestHandler):
    """Hands every request to the double's `_dispatch`; the double tracks the open connections so that
    stop() can close idle keep-alive ones. `server_version` is the Server header."""

    protocol_version = "HTTP/1.1"
    sys_version = ""
    timeout = 60  # idle keep-alive connections are closed after this

    def setup(self):
        super().setup()
        self.server.double._track(self.connection, True)

    def finish(self):
        try:
            super().finish()
        except OSError:
            pass
        finally:
            self.server.double._track(self.connection, False)

    def version_string(self) -> str:
        return self.server_version

    def log_message(self, format, *args):  # noqa: A002 - silence the default stderr log
        pass

    def _dispatch(self):
        self.server.double._dispatch(self)

    do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = do_HEAD = _dispatch


def request_target(h: BaseHTTPRequestHandler) -> tuple[str, str, list[tuple[str, str]]]:
    """The request's method (upper case), path (as sent, still URL-encoded) and query pairs, in order."""
    split = urlsplit(h.path)
    return h.command.upper(), split.path or "/", parse_qsl(split.query, keep_blank_values=True)


def first_values(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Query pairs as a dict in which a repeated name keeps its first value."""
    query: dict[str, str] = {}
    for key, value in pairs:
        query.setdefault(key, value)
    return query


def _read_body(handler: BaseHTTPRequestHandler) -> bytes:
    if "chunked" in (handler.headers.get("Transfer-Encoding") or "").lower():
        chunks = []
        while True:
            size_line = handler.rfile.readline(65537)
            if not size_line:
                raise ValueError("truncated chunked body")
            size = int(size_line.split(b";")[0].strip(), 16)
            if size == 0:
                while handler.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                    pass
                return b"".join(chunks)
            chunks.append(handler.rfile.read(size))
            handler.rfile.readline(3)
    length = int(handler.headers.get("Content-Length") or 0)
    return handler.rfile.read(length) if length > 0 else b""


def read_body(handler: BaseHTTPRequestHandler) -> tuple[bytes, str | None]:
    """The request body (Content-Length or chunked) and None, or b"" and why it could not be read."""
    try:
        return _read_body(handler), None
    except (ValueError, OSError) as exc:
        return b"", f"unreadable body: {exc}"


def encode_payload(body: Any, to_json: Callable[[Any], bytes]) -> bytes:
    """A response body as bytes: dict/list -> to_json(body), str -> UTF-8, bytes as they are, None -> b""."""
    if isinstance(body, (dict, list)):
        return to_json(body)
    if isinstance(body, str):
        return body.encode("utf-8")
    return body or b""


def override_headers(headers: dict[str, str], overrides: Mapping[str, Any]) -> dict[str, str]:
    """`headers` with each of `overrides` replacing the header of the same name, whatever its case."""
    lowered = {k.lower(): k for k in headers}
    for key, value in overrides.items():
        headers.pop(lowered.get(key.lower(), key), None)
        headers[key] = str(value)
    return headers


def send(h: BaseHTTPRequestHandler, status: int, headers: Mapping[str, str], payload: bytes) -> None:
    """Write a response with Content-Length (no body for HEAD); a client gone away closes the connection."""
    try:
        h.send_response(status)
        for key, value in headers.items():
            h.send_header(key, value)
        h.send_header("Content-Length", str(len(payload)))
        h.end_headers()
        if h.command != "HEAD":
            h.wfile.write(payload)
        h.wfile.flush()
    except OSError:
        h.close_connection = True


def status_phrase(status: int) -> str:
    """HTTP's reason phrase for `status` ("Error" for a code it does not know)."""
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


@dataclass
class BaseWebhookDelivery:
    """The reply to a webhook a double's sender posted; each double's WebhookDelivery adds what was sent."""

    status: int
    headers: dict[str, str]  # response headers, lower-case names
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def post(url: str, body: bytes, headers: Mapping[str, str], timeout: float) -> tuple[int, dict[str, str], bytes]:
    """POST `body` to `url` (http, or https verified against the system's CAs) and return the reply's
    status, headers (lower-case names) and body."""
    parts = urlsplit(url)
    if parts.scheme == "https":
        conn: http.client.HTTPConnection = http.client.HTTPSConnection(parts.hostname, parts.port or 443,
                                                                       timeout=timeout)
    else:
        conn = http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=timeout)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        conn.request("POST", target, body=body, headers=dict(headers))
        response = conn.getresponse()
        data = response.read()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, data
    finally:
        conn.close()


# --------------------------------------------------------------------------------------------
# Routing


def template_regex(template: str, patterns: Mapping[str, str] | None = None) -> re.Pattern:
    """The regex of a route template such as /repos/{owner}/{repo}: each {name} is a named group of one
    path segment ([^/]+), or of patterns[name] where given."""
    patterns = patterns or {}
    pattern = ""
    for part in re.split(r"(\{[A-Za-z_]+\})", template):
        if part.startswith("{"):
            name = part[1:-1]
            pattern += f"(?P<{name}>{patterns.get(name, '[^/]+')})"
        else:
            pattern += re.escape(part)
    return re.compile(pattern)


def match_route(routes: Iterable[Any], method: str, path: str) -> tuple[Any, dict[str, str] | None, list[str]]:
    """The first route (with `.method` and `.regex`) for `method` and `path` (a GET route serves HEAD),
    its path parameters (URL-decoded), and the methods of the routes passed over that match the path
    with another method (for a 405). (None, None, methods) when no route serves the request."""
    allowed: list[str] = []
    for route in routes:
        match = route.regex.fullmatch(path)
        if not match:
            continue
        if route.method == method or (method == "HEAD" and route.method == "GET"):
            return route, {k: unquote(v) for k, v in match.groupdict().items()}, allowed
        allowed.append(route.method)
    return None, None, allowed


# --------------------------------------------------------------------------------------------
# The API descriptions (OpenAPI 3 / Swagger 2.0)


def openapi_operations(doc: dict) -> dict[tuple[str, str], dict]:
    """(METHOD, path template) -> operation, each with its path item's shared parameters first."""
    operations: dict[tuple[str, str], dict] = {}
    for template, item in doc.get("paths", {}).items():
        shared = item.get("parameters", [])
        for method, op in item.items():
            if method == "parameters":
                continue
            op = dict(op)
            op["parameters"] = list(shared) + list(op.get("parameters", []))
            operations[(method.upper(), template)] = op
    return operations


class Spec:
    """A loaded API description: its operations by (METHOD, template) and the validators built from it,
    each built once (`_cached`)."""

    def __init__(self, operations: dict[tuple[str, str], dict]):
        self.operations = operations
        self._validators: dict[tuple, Any] = {}
        self._lock = threading.Lock()

    def operation(self, method: str, template: str) -> dict | None:
        return self.operations.get((method, template))

    def _cached(self, key: tuple, build: Callable[[], Any]) -> Any:
        with self._lock:
            validator = self._validators.get(key)
            if validator is None:
                validator = build()
                self._validators[key] = validator
            return validator


class NoSpec:
    """Stands in when the description is absent: nothing to validate against."""

    def operation(self, method: str, template: str) -> dict | None:
        return None

    def body_validator(self, method: str, template: str):
        return None

    def param_validator(self, method: str, template: str, param: dict):
        return None

    def response_validator(self, method: str, template: str, status: int):
        return None


_SPECS: dict[tuple[Any, str], Any] = {}
_SPECS_LOCK = threading.Lock()


def load_spec(path: Path | str | None, load: Callable[[Path], Any], absent: Callable[[], Any]) -> Any:
    """load(path), once per loader and file (descriptions are large), or absent() without the file."""
    if path is None or not Path(path).exists():
        return absent()
    key = (load, str(Path(path).resolve()))
    with _SPECS_LOCK:
        if key not in _SPECS:
            _SPECS[key] = load(Path(path))
        return _SPECS[key]


# --------------------------------------------------------------------------------------------
# Requests, faults and the double


@dataclass
class BaseResult:
    """What a double answers a request with. A double's own result class may give `content_type` the
    forge's default (a redefined field keeps its place) and add fields after `headers`."""

    status: int
    body: Any = None  # dict/list -> JSON, bytes/str -> raw, None -> empty
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class BaseRecordedRequest:
    """What every double records about a request; each double's RecordedRequest adds its own fields."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str | None]
    body: Any
    status: int | None = None
    injected: str | None = None  # "fail", "delay" or "drop" when fault injection answered it
    response: Any = None  # the parsed JSON response body, if any
    at: float = 0.0

    def __getitem__(self, key: str) -> Any:
        return getattr(self, key)

    def __str__(self) -> str:
        tag = f" [{self.injected}]" if self.injected else ""
        return f"{self.method} {self.path} -> {self.status}{tag}"


@dataclass
class Fault:
    kind: str  # "fail" or "drop"
    method: str | None
    regex: re.Pattern
    times: int
    status: int | None = None
    headers: dict[str, str] | None = None
    body: Any = None
    delay: float = 0.0


class ApiDouble:
    """Base class of the forge doubles (see the module docstring for what a subclass supplies).

    Everything the server threads and the test share is guarded by `_cond` (a Condition over an RLock),
    which is notified whenever a request has been recorded, so wait_for re-checks its predicate."""

    _handler_class: type[DoubleHandler] = DoubleHandler  # each double sets its own

    def __init__(self) -> None:
        self.clock: Callable[[], float] = time.time
        self._cond = threading.Condition(threading.RLock())
        self._requests: list[Any] = []
        self._violations: list[str] = []
        self._faults: list[Fault] = []
        self._server: DoubleServer | None = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self._connections: set[socket.socket] = set()
        self._conn_lock = threading.Lock()
        self.base_url = ""

    # ---- lifecycle -----------------------------------------------------------------------

    def _bind(self) -> None:
        """Listen on a free port of 127.0.0.1 and set base_url ("http://127.0.0.1:PORT")."""
        self._server = DoubleServer(self, self._handler_class)
        host, port = self._server.server_address[:2]
        self.base_url = f"http://{host}:{port}"

    def _serve(self, name: str, poll_interval: float) -> None:
        """Start answering requests on a daemon thread called `name`."""
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": poll_interval},
                                        name=name, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        self._stopping.set()
        if self._thread is not None:
            server.shutdown()
        with self._conn_lock:
            connections = list(self._connections)
        for conn in connections:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        with self._cond:
            self._cond.notify_all()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def _track(self, conn: socket.socket, add: bool) -> None:
        with self._conn_lock:
            (self._connections.add if add else self._connections.discard)(conn)

    def _next_id(self, kind: str) -> int:
        self._ids[kind] += 1
        return self._ids[kind]

    # ---- fault injection -----------------------------------------------------------------

    def fail_next(
        self,
        method: str | None,
        path_regex: str,
        status: int | None,
        times: int = 1,
        headers: dict | None = None,
        body: Any = None,
        delay: float = 0.0,
    ) -> None:
        """The next `times` requests whose method matches (None or "*" = any) and whose path matches
        `path_regex` (re.search on the path as sent) get `status` with `headers` and `body` (dict/list ->
        JSON, str/bytes raw; None -> the forge's own error body, see the class docstring) after waiting
        `delay` seconds. status=None only delays, then answers normally. Faults are consumed in the
        order they were added."""
        with self._cond:
            self._faults.append(
                Fault("fail", method, re.compile(path_regex), int(times), status, dict(headers or {}), body, delay)
            )

    def clear_faults(self) -> None:
        """Forgets every fault not yet consumed: the forge answers normally again."""
        with self._cond:
            self._faults.clear()

    def drop_next(self, method: str | None, path_regex: str, times: int = 1) -> None:
        """The next `times` matching requests are read, then the connection is closed with no response."""
        with self._cond:
            self._faults.append(Fault("drop", method, re.compile(path_regex), int(times)))

    def _take_fault(self, method: str, path: str) -> Fault | None:
        with self._cond:
            for fault in self._faults:
                if fault.times <= 0:
                    continue
                if fault.method not in (None, "*") and fault.method.upper() != method:
                    continue
                if fault.regex.search(path):
                    fault.times -= 1
                    return fault
        return None

    # ---- inspection ----------------------------------------------------------------------

    @property
    def requests(self) -> list:
        with self._cond:
            return list(self._requests)

    def calls(self, method: str | None, path_regex: str) -> list:
        regex = re.compile(path_regex)
        with self._cond:
            return [r for r in self._requests
                    if (method in (None, "*") or r.method == method.upper()) and regex.search(r.path)]

    @property
    def violations(self) -> list[str]:
        with self._cond:
            return list(self._violations)

    def take_violations(self) -> list[str]:
        """Return the violations recorded so far and clear them (for tests that provoke them)."""
        with self._cond:
            taken, self._violations = self._violations, []
            return taken

    def wait_for(self, predicate: Callable[[Any], Any], timeout: float = 30.0) -> Any:
        """Block until predicate(self) is truthy (re-checked after every request) and return its value;
        raise TimeoutError with a summary of the traffic otherwise."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                result = predicate(self)
                if result:
                    return result
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(self._summary(f"condition not met within {timeout:g}s"))
                self._cond.wait(min(remaining, 0.5))

    def _summary(self, headline: str) -> str:
        lines = [f"{headline}; {len(self._requests)} request(s) received"]
        lines += [f"  {r}" for r in self._requests[-25:]]
        if self._violations:
            lines.append("violations:")
            lines += [f"  {v}" for v in self._violations[-10:]]
        return "\n".join(lines)

    def _violate(self, text: str) -> None:
        with self._cond:
            self._violations.append(text)
            self._cond.notify_all()

    # ---- request handling ----------------------------------------------------------------

    def _answer(self, h: BaseHTTPRequestHandler, record: Any, process: Callable[[], Any]) -> None:
        """Answer a request whose `record` is built and whose body is read: with the first fault that
        matches it, else with process(); then record it and write the result (see `_finish`)."""
        fault = self._take_fault(record.method, record.path)
        if fault is not None:
            if fault.kind == "drop":
                record.injected = "drop"
                self._record(record)
                h.close_connection = True
                return
            if fault.delay:
                self._stopping.wait(fault.delay)
            if fault.status is not None:
                record.injected = "fail"
                self._finish(h, record, self._injected(fault, record))
                return
            record.injected = "delay"
        try:
            result = process()
        except Exception as exc:  # a bug in the double must fail the test, not look like a network error
            self._violate(f"double: internal error on {record.method} {record.path}: {exc!r}")
            result = self._internal_error(exc)
        self._finish(h, record, result)

    def _finish(self, h: BaseHTTPRequestHandler, record: Any, result: Any) -> None:
        record.status = result.status
        record.response = result.body if isinstance(result.body, (dict, list)) else None
        self._record(record)
        self._write(h, result, record)

    def _record(self, record: Any) -> None:
        with self._cond:
            self._requests.append(record)
            self._cond.notify_all()

    def _operate(self, handler: str, ctx: Any) -> Any:
        """Run the operation `_op_<handler>(ctx)` under the lock, then wake wait_for."""
        with self._cond:
            result = getattr(self, "_op_" + handler)(ctx)
            self._cond.notify_all()
        return result

    # Supplied by each double:

    def start(self):
        raise NotImplementedError

    def _dispatch(self, h: BaseHTTPRequestHandler) -> None:
        raise NotImplementedError

    def _injected(self, fault: Fault, record: Any) -> Any:
        """The result that answers a `fail_next` fault."""
        raise NotImplementedError

    def _internal_error(self, exc: Exception) -> Any:
        """The result that answers a request the double itself failed on."""
        raise NotImplementedError

    def _write(self, h: BaseHTTPRequestHandler, result: Any, record: Any) -> None:
        raise NotImplementedError
