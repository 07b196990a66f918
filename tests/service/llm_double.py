"""A deterministic model behind the Anthropic Messages API, for the AI review's end-to-end tests.

Every request is checked against the published example in `../shared/fixtures/llm/`
(`anthropic-messages.request.json`: the same keys with the same JSON types, when the file is
there) and against the API reference for what the example does not show: `x-api-key`,
`anthropic-version: 2023-06-01`, a JSON body, one forced tool (`tool_choice: {type: tool}`).
A request that breaks the contract is recorded in `violations` and answered 400.

The model is a rule of thumb: a handler that deletes a record it looked up by id, with no check
of who owns it, is reported at the delete's line (read from the prompt's `+N:` numbering); any
other prompt gets an empty list. `status_script` can make the next answers fail (429, 500).
"""
import contextlib
import json
import pathlib
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

FIXTURE = pathlib.Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "llm" / "anthropic-messages.request.json"


def shape(value, path="$"):
    if isinstance(value, dict):
        out = {path: "object"}
        for k, v in value.items():
            out.update(shape(v, f"{path}.{k}"))
        return out
    if isinstance(value, list):
        out = {path: "array"}
        if value:
            out.update(shape(value[0], path + "[]"))
        return out
    return {path: {str: "string", bool: "bool", int: "number", float: "number", type(None): "null"}[type(value)]}


class LLMDouble:
    def __init__(self, api_key: str):
        self.api_key = api_key
        self.requests: list[dict] = []
        self.raw_bodies: list[bytes] = []
        self.violations: list[str] = []
        self.status_script: list[int] = []
        # Tokens each answer reports as used (None: a quarter of the prompt's characters, plus 40).
        self.usage_tokens: int | None = None
        # What the model says of each finding (None: a plain sentence); an author can steer it.
        self.message: str | None = None
        self._lock = threading.Lock()
        published = json.loads(FIXTURE.read_text()) if FIXTURE.exists() else {
            "model": "m", "max_tokens": 1, "messages": [{"role": "user", "content": "x"}]}
        self.contract = shape(published)
        double = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                status, answer = double.handle(self.path, dict(self.headers), body)
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                if status == 429:
                    self.send_header("retry-after", "1")
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.base_url = f"http://127.0.0.1:{self.port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()

    def handle(self, path: str, headers: dict, body: bytes):
        headers = {k.lower(): v for k, v in headers.items()}
        problems = []
        if path != "/v1/messages":
            problems.append(f"path {path}")
        if headers.get("x-api-key") != self.api_key:
            problems.append("x-api-key")
        if headers.get("anthropic-version") != "2023-06-01":
            problems.append("anthropic-version")
        if not headers.get("content-type", "").startswith("application/json"):
            problems.append("content-type")
        try:
            request = json.loads(body)
        except ValueError:
            request = None
            problems.append("body is not JSON")
        if request is not None:
            ours = shape(request)
            problems += [f"{p}: {t}" for p, t in self.contract.items() if ours.get(p) != t]
            tools = request.get("tools") or []
            choice = request.get("tool_choice") or {}
            if len(tools) != 1 or not isinstance(tools[0].get("input_schema"), dict) or choice != {"type": "tool", "name": tools[0].get("name")}:
                problems.append("one forced tool")
            if not isinstance(request.get("system"), str):
                problems.append("system")
        with self._lock:
            self.raw_bodies.append(body)
            if problems:
                self.violations.append("; ".join(problems))
                return 400, {"type": "error", "error": {"type": "invalid_request_error", "message": "contract"}}
            self.requests.append(request)
            if self.status_script:
                status = self.status_script.pop(0)
                return status, {"type": "error", "error": {"type": "rate_limit_error" if status == 429 else "api_error"}}
        prompt = request["messages"][0]["content"]
        findings = []
        current = None
        for line in prompt.splitlines():
            if line.startswith("### "):
                current = line[4:]
            m = re.match(r"\+(\d+): .*\.delete\((\w+)\)", line)
            if m and current and "owner" not in prompt:
                findings.append({"file": current, "line": int(m.group(1)), "severity": "high", "category": "missing-authorization",
                                 "cwe": "CWE-862", "message": self.message or "Any signed-in user can delete any record by its id.",
                                 "fix": "Load the record through the current user's own records."})
        return 200, {"id": "msg_1", "type": "message", "role": "assistant", "stop_reason": "tool_use",
                     "content": [{"type": "tool_use", "id": "toolu_1", "name": request["tools"][0]["name"], "input": {"findings": findings}}],
                     "usage": {"input_tokens": self.usage_tokens if self.usage_tokens is not None else len(prompt) // 4,
                               "output_tokens": 40}}


@contextlib.contextmanager
def running_double(api_key: str):
    """The double, serving; on leaving, stopped and checked: no request broke the contract."""
    double = LLMDouble(api_key=api_key)
    try:
        yield double
    finally:
        double.stop()
    assert not double.violations, double.violations
