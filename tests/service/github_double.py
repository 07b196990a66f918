"""A test double of the GitHub REST API for end-to-end tests of the Code Corgi service.

`GitHubDouble` runs a threaded HTTP/1.1 server on 127.0.0.1 that answers the part of the REST API
a GitHub App reviewer uses, the way GitHub documents it: app JWT -> installation token, pull
request (JSON or diff), its files, reviews with inline comments, check runs with annotations,
issue comments. Every request that maps to an operation of the official OpenAPI subset
(/work/shared/fixtures/github/rest-openapi-subset.json) is validated against it (path and query
parameters, JSON body); every JSON response the double builds is validated against the documented
response schema. Anything the documented API would not accept is answered as GitHub answers it
and also appended to `.violations`, which a test asserts is empty at the end.

Stdlib plus cryptography and openapi-schema-validator only. See the class docstring for the API.
"""
from __future__ import annotations

import base64
import copy
import hashlib
import json
import math
import re
import secrets
import string
import sys
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from openapi_schema_validator import OAS30ReadValidator, OAS30WriteValidator, oas30_format_checker

try:  # what the forge doubles share (same folder)
    from api_double import (
        SHARED_DIR, ApiDouble, BaseRecordedRequest, BaseResult, DoubleHandler, Fault, NoSpec, OwnerAndName, Spec,
        encode_payload, first_values, iso, load_spec, match_route, openapi_operations, override_headers,
        parse_iso, read_body, request_target, send, stable_id, status_phrase, template_regex,
    )
except ImportError:  # pragma: no cover - imported from outside tests/service
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from api_double import (
        SHARED_DIR, ApiDouble, BaseRecordedRequest, BaseResult, DoubleHandler, Fault, NoSpec, OwnerAndName, Spec,
        encode_payload, first_values, iso, load_spec, match_route, openapi_operations, override_headers,
        parse_iso, read_body, request_target, send, stable_id, status_phrase, template_regex,
    )

__all__ = ["GitHubDouble", "RecordedRequest", "parse_diff", "DEFAULT_SPEC_PATH"]

# GitHub's OpenAPI description is third-party: in ../shared beside the repository, or where
# CORGI_SHARED_DIR says. Without it the double answers the same way but checks nothing against it
# (`validates` is False; tests/service/conftest.py names the skipped conformance checks).
DEFAULT_SPEC_PATH = SHARED_DIR / "fixtures" / "github" / "rest-openapi-subset.json"
DOCS = "https://docs.github.com/rest"
RATE_LIMIT_DOCS = "https://docs.github.com/rest/overview/resources-in-the-rest-api#rate-limiting"
SUPPORTED_API_VERSIONS = ("2022-11-28", "2026-03-10")
DEFAULT_PERMISSIONS = {
    "checks": "write",
    "contents": "read",
    "issues": "write",
    "metadata": "read",
    "pull_requests": "write",
}
_LEVELS = {"read": 1, "write": 2, "admin": 3}
_TOKEN_ALPHABET = string.ascii_letters + string.digits
_MAX_COMMENT_BODY = 65536  # characters; GitHub: "Body is too long (maximum is 65536 characters)"


def _b64url_decode(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def _node_id(kind: str, ident: int) -> str:
    return base64.b64encode(f"0{len(kind)}:{kind}{ident}".encode()).decode()


def _rewrite(obj: Any, replacements: list[tuple[str, str]]) -> Any:
    """Deep copy of a published example with its sample names and hosts replaced."""
    if isinstance(obj, dict):
        return {k: _rewrite(v, replacements) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_rewrite(v, replacements) for v in obj]
    if isinstance(obj, str):
        for old, new in replacements:
            obj = obj.replace(old, new)
    return obj


def _allow_null_in_nullable_enums(node: Any) -> None:
    """The published description marks fields `nullable: true` with an `enum` that lacks null
    (e.g. check-run.conclusion); GitHub sends null there, so accept it (the README's known quirk)."""
    if isinstance(node, dict):
        enum = node.get("enum")
        if node.get("nullable") is True and isinstance(enum, list) and None not in enum:
            node["enum"] = enum + [None]
        for value in node.values():
            _allow_null_in_nullable_enums(value)
    elif isinstance(node, list):
        for value in node:
            _allow_null_in_nullable_enums(value)


def _format_errors(errors) -> list[str]:
    out = []
    for error in sorted(errors, key=lambda e: [str(p) for p in e.absolute_path]):
        where = "/".join(str(p) for p in error.absolute_path) or "(body)"
        message = error.message
        if error.validator in ("maxItems", "minItems", "maxLength", "minLength"):
            unit = "items" if error.validator.endswith("Items") else "characters"
            bound = "at most" if error.validator.startswith("max") else "at least"
            message = f"has {len(error.instance)} {unit}; {bound} {error.validator_value} allowed"
        if len(message) > 300:
            message = message[:300] + "…"
        if error.context:
            reasons = sorted({c.message[:200] for c in error.context})[:4]
            message += " (" + "; ".join(reasons) + ")"
        out.append(f"{where}: {message}")
    return out


# --------------------------------------------------------------------------------------------
# The OpenAPI subset


class _Spec(Spec):
    def __init__(self, path: Path):
        self.doc = json.loads(Path(path).read_text(encoding="utf-8"))
        super().__init__(openapi_operations(self.doc))

    def _validator(self, key: tuple, schema: dict, cls) -> Any:
        def build():
            relaxed = copy.deepcopy(schema)
            _allow_null_in_nullable_enums(relaxed)
            return cls(relaxed, format_checker=oas30_format_checker)

        return self._cached(key, build)

    def body_validator(self, method: str, template: str):
        op = self.operation(method, template)
        try:
            schema = op["requestBody"]["content"]["application/json"]["schema"]
        except (TypeError, KeyError):
            return None
        return self._validator(("body", method, template), schema, OAS30WriteValidator)

    def response_validator(self, method: str, template: str, status: int):
        op = self.operation(method, template)
        try:
            schema = op["responses"][str(status)]["content"]["application/json"]["schema"]
        except (TypeError, KeyError):
            return None
        return self._validator(("response", method, template, status), schema, OAS30ReadValidator)

    def param_validator(self, method: str, template: str, param: dict):
        return self._validator(
            ("param", method, template, param["in"], param["name"]), param.get("schema", {}), OAS30WriteValidator
        )

    def error_items_are_strings(self, method: str, template: str, status: int) -> bool:
        op = self.operation(method, template)
        try:
            schema = op["responses"][str(status)]["content"]["application/json"]["schema"]
            return schema["properties"]["errors"]["items"].get("type") == "string"
        except (TypeError, KeyError):
            return False

    def example(self, method: str, template: str, status: str, name: str = "default") -> Any:
        op = self.operation(method, template)
        return op["responses"][status]["content"]["application/json"]["examples"][name]["value"]


class _NoSpec(NoSpec):
    """Stands in when the OpenAPI description is absent: nothing to validate against."""

    def error_items_are_strings(self, method: str, template: str, status: int) -> bool:
        return False

    def example(self, method: str, template: str, status: str, name: str = "default") -> Any:
        # The repository object of a pull request's base, as GitHub documents it (the fields we build on).
        return {"base": {"repo": {"url": "https://api.github.com/repos/octocat/Hello-World",
                                  "html_url": "https://github.com/octocat/Hello-World",
                                  "pulls_url": "https://api.github.com/repos/octocat/Hello-World/pulls{/number}",
                                  "archived": False, "disabled": False, "has_issues": True}}}


# --------------------------------------------------------------------------------------------
# Unified diff parsing (line numbers and GitHub's "position" for review comments)


@dataclass
class DiffLine:
    kind: str  # ' ' context, '+' added, '-' removed, '\\' no-newline marker, '@' a later hunk header
    old: int | None
    new: int | None
    position: int
    text: str


@dataclass
class Hunk:
    header: str
    position: int  # position of the header line (0 for a file's first hunk)
    lines: list[DiffLine] = field(default_factory=list)


@dataclass
class FileDiff:
    old_path: str | None = None
    new_path: str | None = None
    status: str = "modified"
    binary: bool = False
    old_sha: str | None = None
    new_sha: str | None = None
    additions: int = 0
    deletions: int = 0
    hunks: list[Hunk] = field(default_factory=list)
    patch_lines: list[str] = field(default_factory=list)
    saw_old_header: bool = False  # a "--- " line was read for this file

    @property
    def path(self) -> str:
        if self.status == "removed":
            return self.old_path or self.new_path or ""
        return self.new_path or self.old_path or ""

    @property
    def patch(self) -> str | None:
        if self.binary or not self.patch_lines:
            return None
        return "\n".join(self.patch_lines)

    def all_lines(self):
        for hunk in self.hunks:
            for line in hunk.lines:
                yield hunk, line


_HUNK_RE = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")
_C_ESCAPES = {"a": 7, "b": 8, "t": 9, "n": 10, "v": 11, "f": 12, "r": 13, '"': 34, "\\": 92}


def _unquote_c(text: str) -> tuple[str, int]:
    """Git's C-style quoted path starting at text[0] == '"'. Returns (path, characters consumed)."""
    out = bytearray()
    i = 1
    while i < len(text):
        ch = text[i]
        if ch == '"':
            return out.decode("utf-8", "replace"), i + 1
        if ch == "\\" and i + 1 < len(text):
            nxt = text[i + 1]
            if nxt in "01234567" and re.match(r"[0-7]{3}", text[i + 1 : i + 4]):
                out.append(int(text[i + 1 : i + 4], 8))
                i += 4
                continue
            out.append(_C_ESCAPES.get(nxt, ord(nxt)))
            i += 2
            continue
        out.extend(ch.encode())
        i += 1
    return out.decode("utf-8", "replace"), len(text)


def _strip_prefix(path: str) -> str:
    return path[2:] if path[:2] in ("a/", "b/") else path


def _header_path(value: str) -> str | None:
    value = value.split("\t", 1)[0] if not value.startswith('"') else value
    if value.startswith('"'):
        value = _unquote_c(value)[0]
    value = value.rstrip("\r")
    if value == "/dev/null":
        return None
    return _strip_prefix(value)


def _git_line_paths(rest: str) -> tuple[str | None, str | None]:
    rest = rest.rstrip("\r")
    if rest.startswith('"'):
        first, used = _unquote_c(rest)
        second = rest[used:].lstrip(" ")
        second = _unquote_c(second)[0] if second.startswith('"') else second
        return _strip_prefix(first), _strip_prefix(second)
    if (len(rest) - 1) % 2 == 0:
        half = (len(rest) - 1) // 2
        a, b = rest[:half], rest[half + 1 :]
        if rest[half] == " " and _strip_prefix(a) == _strip_prefix(b):
            return _strip_prefix(a), _strip_prefix(b)
    idx = rest.find(" b/")
    if idx < 0:
        return None, None
    second = rest[idx + 1 :]
    second = _unquote_c(second)[0] if second.startswith('"') else second
    return _strip_prefix(rest[:idx]), _strip_prefix(second)


def parse_diff(text: str | bytes) -> list[FileDiff]:
    """Parse a unified (git) diff into files, hunks and line numbers. Raises ValueError when a
    hunk's line counts do not match its body."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    files: list[FileDiff] = []
    cur: FileDiff | None = None
    hunk: Hunk | None = None
    old_left = new_left = 0
    old_no = new_no = 0
    position = 0
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        if cur is not None and hunk is not None and (old_left > 0 or new_left > 0):
            kind = line[:1] if line else " "  # an empty line is a context line stripped of its space
            if kind == "\\":
                position += 1
                hunk.lines.append(DiffLine("\\", None, None, position, line))
                cur.patch_lines.append(line)
                continue
            if kind not in " +-":
                raise ValueError(f"malformed diff: hunk {hunk.header!r} ends early")
            position += 1
            if kind == " ":
                hunk.lines.append(DiffLine(" ", old_no, new_no, position, line))
                old_no += 1
                new_no += 1
                old_left -= 1
                new_left -= 1
            elif kind == "+":
                hunk.lines.append(DiffLine("+", None, new_no, position, line))
                new_no += 1
                new_left -= 1
                cur.additions += 1
            else:
                hunk.lines.append(DiffLine("-", old_no, None, position, line))
                old_no += 1
                old_left -= 1
                cur.deletions += 1
            if old_left < 0 or new_left < 0:
                raise ValueError(f"malformed diff: hunk {hunk.header!r} is longer than its header says")
            cur.patch_lines.append(line)
            continue
        if line.startswith("\\") and hunk is not None and cur is not None:
            position += 1
            hunk.lines.append(DiffLine("\\", None, None, position, line))
            cur.patch_lines.append(line)
            continue
        if line.startswith("diff --git "):
            cur = FileDiff()
            cur.old_path, cur.new_path = _git_line_paths(line[len("diff --git ") :])
            files.append(cur)
            hunk = None
            continue
        if (
            line.startswith("--- ")
            and i < len(lines)
            and lines[i].startswith("+++ ")
            and (cur is None or cur.hunks or cur.saw_old_header)
        ):
            cur = FileDiff()  # a plain (non-git) unified diff
            files.append(cur)
            hunk = None
        if cur is None:
            continue  # preamble (e.g. a commit message)
        match = _HUNK_RE.match(line)
        if match:
            old_start, old_count, new_start, new_count = match.groups()
            old_left = 1 if old_count is None else int(old_count)
            new_left = 1 if new_count is None else int(new_count)
            old_no, new_no = int(old_start), int(new_start)
            if cur.hunks:
                position += 1
                cur.hunks[-1].lines.append(DiffLine("@", None, None, position, line))
            else:
                position = 0
            hunk = Hunk(line, position)
            cur.hunks.append(hunk)
            cur.patch_lines.append(line)
            continue
        if cur.hunks:
            continue  # stray text after a complete file section
        if line.startswith("new file mode"):
            cur.status = "added"
        elif line.startswith("deleted file mode"):
            cur.status = "removed"
        elif line.startswith(("rename from ", "rename to ", "copy from ", "copy to ")):
            words = line.split(" ", 2)
            value = words[2].rstrip("\r")
            value = _unquote_c(value)[0] if value.startswith('"') else value
            if words[1] == "from":
                cur.old_path = value
            else:
                cur.new_path = value
            cur.status = "renamed" if words[0] == "rename" else "copied"
        elif line.startswith("index "):
            m = re.match(r"index ([0-9a-f]+)\.\.([0-9a-f]+)", line)
            if m:
                cur.old_sha, cur.new_sha = m.groups()
        elif line.startswith("--- "):
            cur.saw_old_header = True
            path = _header_path(line[4:])
            if path is None:
                cur.status = "added"
            else:
                cur.old_path = path
        elif line.startswith("+++ "):
            path = _header_path(line[4:])
            if path is None:
                cur.status = "removed"
            else:
                cur.new_path = path
        elif line.startswith("Binary files ") or line.startswith("GIT binary patch"):
            cur.binary = True
    if hunk is not None and (old_left > 0 or new_left > 0):
        raise ValueError(f"malformed diff: hunk {hunk.header!r} is shorter than its header says")
    return files


# --------------------------------------------------------------------------------------------
# State


@dataclass
class RecordedRequest(BaseRecordedRequest):
    """One request the double received. `headers` holds selected headers; Authorization is reduced
    to its scheme ("token", "Bearer", ...), never the credential."""

    credential: str | None = None  # "jwt", "installation_token", "invalid" or None
    installation_id: int | None = None
    request_id: str = ""


@dataclass
class _Installation:
    id: int
    account_login: str
    repos: set[str]
    permissions: dict[str, str]
    created_at: float


@dataclass
class _Token:
    value: str
    installation_id: int
    expires_at: float
    repos: set[str] | None
    permissions: dict[str, str]


@dataclass
class _Repo(OwnerAndName):
    id: int
    full_name: str


@dataclass
class _Pull:
    repo: str  # lowercase full name
    number: int
    id: int
    head_sha: str
    base_ref: str
    head_ref: str
    base_sha: str
    title: str
    state: str
    author: str
    diff_text: bytes
    files: list[dict] | None
    diff_too_large: bool | str
    created_at: float
    updated_at: float
    diffs: dict[str, list[FileDiff]]  # head sha -> parsed diff, for every head the pull has had


class _HTTPError(Exception):
    def __init__(
        self,
        status: int,
        message: str,
        *,
        errors: list | None = None,
        violation: str | None = None,
        documented: bool = True,
        doc_url: str | None = None,
        headers: dict | None = None,
    ):
        super().__init__(message)
        self.status = status
        self.message = message
        self.errors = errors
        self.violation = violation
        self.documented = documented
        self.doc_url = doc_url
        self.headers = headers or {}


@dataclass
class _Result(BaseResult):
    content_type: str = "application/json; charset=utf-8"
    documented: bool = True  # validate against the documented response schema


@dataclass
class _Ctx:
    handler: BaseHTTPRequestHandler
    method: str
    path: str
    params: dict[str, Any]
    query: dict[str, str]
    body: Any
    route: "_Route"
    token: _Token | dict | None = None  # a user token is a dict (login, scope, expires_at)
    repo: _Repo | None = None


@dataclass
class _Route:
    method: str
    template: str
    handler: str
    auth: str  # "jwt", "installation", "user" (a user access token), "oauth" (the OAuth web flow: none)
    permission: tuple[tuple[str, ...], str] | None
    doc: str
    regex: re.Pattern = field(init=False)

    def __post_init__(self):
        self.regex = template_regex(self.template, {"path": ".+"})


_PR_READ = (("pull_requests",), "read")
_PR_WRITE = (("pull_requests",), "write")
_ROUTES = [
    _Route("POST", "/app/installations/{installation_id}/access_tokens", "create_token", "jwt", None,
           "apps/apps#create-an-installation-access-token-for-an-app"),
    _Route("GET", "/app/installations/{installation_id}", "get_installation", "jwt", None,
           "apps/apps#get-an-installation-for-the-authenticated-app"),
    _Route("GET", "/repos/{owner}/{repo}/pulls/{pull_number}", "get_pull", "installation", _PR_READ,
           "pulls/pulls#get-a-pull-request"),
    _Route("GET", "/repos/{owner}/{repo}/pulls/{pull_number}/files", "list_files", "installation", _PR_READ,
           "pulls/pulls#list-pull-requests-files"),
    _Route("GET", "/repos/{owner}/{repo}/pulls/{pull_number}/comments", "list_review_comments", "installation",
           _PR_READ, "pulls/comments#list-review-comments-on-a-pull-request"),
    _Route("POST", "/repos/{owner}/{repo}/pulls/{pull_number}/reviews", "create_review", "installation", _PR_WRITE,
           "pulls/reviews#create-a-review-for-a-pull-request"),
    _Route("POST", "/repos/{owner}/{repo}/check-runs", "create_check_run", "installation", (("checks",), "write"),
           "checks/runs#create-a-check-run"),
    _Route("PATCH", "/repos/{owner}/{repo}/check-runs/{check_run_id}", "update_check_run", "installation",
           (("checks",), "write"), "checks/runs#update-a-check-run"),
    _Route("GET", "/repos/{owner}/{repo}/check-runs/{check_run_id}", "get_check_run", "installation",
           (("checks",), "read"), "checks/runs#get-a-check-run"),
    _Route("POST", "/repos/{owner}/{repo}/issues/{issue_number}/comments", "create_issue_comment", "installation",
           (("issues", "pull_requests"), "write"), "issues/comments#create-an-issue-comment"),
    _Route("GET", "/repos/{owner}/{repo}/issues/{issue_number}/comments", "list_issue_comments", "installation",
           (("issues", "pull_requests"), "read"), "issues/comments#list-issue-comments"),
    _Route("PATCH", "/repos/{owner}/{repo}/issues/comments/{comment_id}", "update_issue_comment", "installation",
           (("issues", "pull_requests"), "write"), "issues/comments#update-an-issue-comment"),
    _Route("GET", "/repos/{owner}/{repo}/contents/{path}", "get_content", "installation", (("contents",), "read"),
           "repos/contents#get-repository-content"),
    # Not in the OpenAPI subset: answered as the REST docs describe ("List check runs for a Git
    # reference": {total_count, check_runs}, filtered by check_name; the App needs checks: read).
    _Route("GET", "/repos/{owner}/{repo}/commits/{ref}/check-runs", "list_check_runs_for_ref", "installation",
           (("checks",), "read"), "checks/runs#list-check-runs-for-a-git-reference"),
    # Not in the OpenAPI subset: answered as the REST docs describe ("Get repository permissions
    # for a user": permission admin/write/read/none, role_name with maintain and triage too;
    # the App needs metadata: read).
    _Route("GET", "/repos/{owner}/{repo}/collaborators/{username}/permission", "get_permission", "installation",
           (("metadata",), "read"), "collaborators/collaborators#get-repository-permissions-for-a-user"),
    # The web application flow of user authorization (github.com, not the API; answered as
    # "Authorizing OAuth apps" and "Generating a user access token for a GitHub App" describe),
    # and what a user's own token reads (REST docs: "Get the authenticated user", "Get an
    # organization membership for the authenticated user", "List teams for the authenticated user").
    _Route("GET", "/login/oauth/authorize", "oauth_authorize", "oauth", None,
           "apps/oauth-apps/authorizing-oauth-apps#1-request-a-users-github-identity"),
    _Route("POST", "/login/oauth/access_token", "oauth_access_token", "oauth", None,
           "apps/oauth-apps/authorizing-oauth-apps#2-users-are-redirected-back-to-your-site-by-github"),
    _Route("GET", "/user", "get_authenticated_user", "user", None, "users/users#get-the-authenticated-user"),
    _Route("GET", "/user/memberships/orgs/{org}", "get_own_membership", "user", None,
           "orgs/members#get-an-organization-membership-for-the-authenticated-user"),
    _Route("GET", "/user/teams", "list_own_teams", "user", None, "teams/teams#list-teams-for-the-authenticated-user"),
]


# --------------------------------------------------------------------------------------------
# HTTP plumbing


class _Handler(DoubleHandler):
    server_version = "GitHub.com"


def _auth_header(value: str | None) -> tuple[str | None, str | None]:
    if not value:
        return None, None
    parts = value.strip().split(None, 1)
    if len(parts) != 2:
        return parts[0] if parts else None, None
    return parts[0], parts[1].strip()


def _media_types(accept: str | None) -> list[str]:
    return [part.split(";", 1)[0].strip().lower() for part in (accept or "").split(",") if part.strip()]


# --------------------------------------------------------------------------------------------


class GitHubDouble(ApiDouble):
    """In-process stand-in for api.github.com (or a GitHub Enterprise API base).

    GitHubDouble(app_id=12345, *, app_slug="code-corgi", client_id=None, token_ttl=3600,
                 spec_path=DEFAULT_SPEC_PATH, strict_jwt_lifetime=True)
    start() / stop() / context manager; base_url ("http://127.0.0.1:PORT", no trailing slash)
    private_key_pem (PKCS#1 PEM bytes), public_key, client_id (also accepted as JWT "iss")
    add_installation(id, account_login, repos=[...], permissions=None), remove_installation(id)
    set_pull(full_name, number, head_sha, base_ref, diff_text, files=None, diff_too_large=False, *,
             head_ref=None, base_sha=None, title=None, state="open", author="octocat")
    set_content(full_name, path, content, ref=None); expire_tokens()
    rename_repo(old, new) (also a transfer: same id), delete_repo(full_name) (the name can be taken again)
    fail_next(method, path_regex, status, times=1, headers=None, body=None, delay=0.0)
    drop_next(method, path_regex, times=1)
    requests, calls(method, path_regex), tokens_issued, check_runs, issue_comments, reviews,
    review_comments, violations, take_violations(), wait_for(predicate, timeout=30)
    clock: the time source used for tokens and JWT checks (replaceable in tests)
    """

    _handler_class = _Handler

    def __init__(
        self,
        app_id: int = 12345,
        *,
        app_slug: str = "code-corgi",
        client_id: str | None = None,
        token_ttl: float = 3600.0,
        spec_path: Path | str = DEFAULT_SPEC_PATH,
        strict_jwt_lifetime: bool = True,
    ):
        super().__init__()
        self.app_id = int(app_id)
        self.app_slug = app_slug
        self.client_id = client_id or f"Iv1.{hashlib.sha1(str(app_id).encode()).hexdigest()[:16]}"
        self.token_ttl = float(token_ttl)
        self.strict_jwt_lifetime = strict_jwt_lifetime
        self._spec = load_spec(Path(spec_path), _Spec, _NoSpec)
        # Whether requests and responses are checked against GitHub's OpenAPI description.
        self.validates = isinstance(self._spec, _Spec)

        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.private_key_pem: bytes = self._key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
        )
        self.public_key = self._key.public_key()

        self._installations: dict[int, _Installation] = {}
        self._repos: dict[str, _Repo] = {}
        self._tokens: dict[str, _Token] = {}
        self._tokens_issued = 0
        self._pulls: dict[tuple[str, int], _Pull] = {}
        self._check_runs: dict[int, dict] = {}
        self._issue_comments: dict[int, dict] = {}
        self._reviews: dict[int, dict] = {}
        self._review_comments: dict[int, dict] = {}
        self._contents: dict[tuple[str, str, str | None], bytes] = {}
        self._collaborators: dict[tuple[str, str], str] = {}
        # User authorization (sign-in with GitHub): people, who approves at the consent page,
        # codes issued and user tokens.
        self.oauth_client_secret = secrets.token_hex(20)
        self.oauth_callback: str | None = None
        self.oauth_approve_as: str | None = None
        self._people: dict[str, dict] = {}
        self._oauth_codes: dict[str, dict] = {}
        self._user_tokens: dict[str, dict] = {}
        self._rate_used: dict[str, int] = {}
        self._rate_reset = int(time.time()) + 3600
        self._ids = {"repo": 700000000, "pull": 900000000, "check_run": 4000000, "check_suite": 5000000,
                     "issue_comment": 1700000000, "review": 1800000000, "review_comment": 1900000000}

    # ---- lifecycle (stop, context manager: ApiDouble) ------------------------------------

    def start(self) -> "GitHubDouble":
        if self._server is not None:
            return self
        self._stopping.clear()
        self._bind()
        self._serve("github-double", 0.05)
        return self

    # ---- state setup ---------------------------------------------------------------------

    def _repo(self, full_name: str) -> _Repo:
        key = full_name.lower()
        if "/" not in key:
            raise ValueError(f"repository must be 'owner/name', got {full_name!r}")
        if key not in self._repos:
            self._repos[key] = _Repo(self._next_id("repo"), full_name)
        return self._repos[key]

    def add_installation(
        self, installation_id: int, account_login: str, repos: list[str] = (), permissions: dict | None = None
    ) -> None:
        """Install the app on `account_login` with access to `repos` (full names). Calling it again for
        the same id replaces the repository list (tokens already issued follow the new list)."""
        with self._cond:
            keys = set()
            for full_name in repos:
                keys.add(self._repo(full_name).full_name.lower())
            self._installations[int(installation_id)] = _Installation(
                int(installation_id), account_login, keys, dict(permissions or DEFAULT_PERMISSIONS), self.clock()
            )
            self._cond.notify_all()

    def remove_installation(self, installation_id: int) -> None:
        """Uninstall: the installation's tokens stop working (401) and its JWT calls get 404."""
        with self._cond:
            self._installations.pop(int(installation_id), None)
            self._cond.notify_all()

    def set_pull(
        self,
        full_name: str,
        number: int,
        head_sha: str,
        base_ref: str,
        diff_text: str | bytes,
        files: list[dict] | None = None,
        diff_too_large: bool | str = False,
        *,
        head_ref: str | None = None,
        base_sha: str | None = None,
        title: str | None = None,
        state: str = "open",
        author: str = "octocat",
    ) -> None:
        """Create or update pull request `number`. Updating with a new head_sha (a push) keeps the
        earlier heads' diffs, so a review with an older `commit_id` is checked against its own diff.
        diff_too_large=True answers diff requests with GitHub's 406 "maximum number of lines";
        diff_too_large="files" with the 406 "maximum number of files (300)"."""
        raw = diff_text.encode("utf-8") if isinstance(diff_text, str) else bytes(diff_text)
        parsed = parse_diff(raw)
        with self._cond:
            repo = self._repo(full_name)
            key = (repo.full_name.lower(), int(number))
            now = self.clock()
            existing = self._pulls.get(key)
            diffs = dict(existing.diffs) if existing else {}
            diffs[head_sha] = parsed
            self._pulls[key] = _Pull(
                repo=key[0],
                number=int(number),
                id=existing.id if existing else self._next_id("pull"),
                head_sha=head_sha,
                base_ref=base_ref,
                head_ref=head_ref or (existing.head_ref if existing else f"feature-{number}"),
                base_sha=base_sha or (existing.base_sha if existing else hashlib.sha1(base_ref.encode()).hexdigest()),
                title=title or (existing.title if existing else f"Pull request {number}"),
                state=state,
                author=author,
                diff_text=raw,
                files=copy.deepcopy(files) if files is not None else None,
                diff_too_large=diff_too_large,
                created_at=existing.created_at if existing else now,
                updated_at=now,
                diffs=diffs,
            )
            self._cond.notify_all()

    def rename_repo(self, old: str, new: str) -> None:
        """Rename a repository, or transfer it to another owner: GitHub keeps its id, its pull
        requests, comments, reviews and check runs, under the new full name. The installations that
        had it keep it (for a transfer, call add_installation to move it)."""
        with self._cond:
            old_key, new_key = old.lower(), new.lower()
            if new_key in self._repos:
                raise ValueError(f"{new!r} exists")
            repo = self._repos.pop(old_key)
            repo.full_name = new
            self._repos[new_key] = repo
            self._move_repo_records(old_key, new, new_key)
            self._cond.notify_all()

    def delete_repo(self, full_name: str) -> None:
        """Delete a repository: its name is free to be registered again (the next use of the name makes
        a repository with a new id). What belonged to it stays attached to the old id: a comment id of
        the deleted repository is not found through the new one."""
        with self._cond:
            key = full_name.lower()
            repo = self._repos.pop(key)
            for (name, number) in [k for k in self._pulls if k[0] == key]:
                del self._pulls[(name, number)]
            gone = f"{repo.full_name}#deleted-{repo.id}"
            self._move_repo_records(key, gone, gone.lower())
            for installation in self._installations.values():
                installation.repos.discard(gone.lower())
            self._cond.notify_all()

    def _move_repo_records(self, old_key: str, new_name: str, new_key: str) -> None:
        for installation in self._installations.values():
            if old_key in installation.repos:
                installation.repos.discard(old_key)
                installation.repos.add(new_key)
        for token in self._tokens.values():
            if token.repos is not None and old_key in token.repos:
                token.repos.discard(old_key)
                token.repos.add(new_key)
        for (name, number) in [k for k in self._pulls if k[0] == old_key]:
            pull = self._pulls.pop((name, number))
            pull.repo = new_key
            self._pulls[(new_key, number)] = pull
        for records in (self._check_runs, self._issue_comments, self._reviews, self._review_comments):
            for record in records.values():
                if record["repo"].lower() == old_key:
                    record["repo"] = new_name
        for (name, path, ref) in [k for k in self._contents if k[0] == old_key]:
            self._contents[(new_key, path, ref)] = self._contents.pop((name, path, ref))

    def set_content(self, full_name: str, path: str, content: str | bytes, ref: str | None = None) -> None:
        """A file served by GET /repos/{owner}/{repo}/contents/{path} (for `ref`, or any ref if None)."""
        data = content.encode("utf-8") if isinstance(content, str) else bytes(content)
        with self._cond:
            repo = self._repo(full_name)
            self._contents[(repo.full_name.lower(), path.strip("/"), ref)] = data

    def add_person(self, login: str, *, orgs: dict[str, str] | None = None, teams: list[tuple[str, str]] = (),
                   pending: tuple[str, ...] = ()) -> int:
        """Someone who can sign in with GitHub: `orgs` {org: "admin" | "member"} (active), `pending`
        orgs they were invited to, `teams` (org, slug). Returns their user id."""
        with self._cond:
            self._people[login.lower()] = {"login": login, "orgs": dict(orgs or {}), "teams": list(teams), "pending": set(pending)}
        return stable_id(login)

    @property
    def user_tokens_issued(self) -> list[str]:
        with self._cond:
            return list(self._user_tokens)

    def set_collaborator(self, full_name: str, login: str, role: str) -> None:
        """`login`'s role on the repository: admin, maintain, write, triage or read (others: none)."""
        if role not in ("admin", "maintain", "write", "triage", "read"):
            raise ValueError("role must be admin, maintain, write, triage or read")
        with self._cond:
            self._collaborators[(self._repo(full_name).full_name.lower(), login.lower())] = role

    def expire_tokens(self) -> None:
        """Make every installation token issued so far expired (the next use gets 401)."""
        with self._cond:
            for token in self._tokens.values():
                token.expires_at = min(token.expires_at, self.clock() - 1)

    # ---- inspection (requests, calls, violations, take_violations, wait_for: ApiDouble) --

    @property
    def tokens_issued(self) -> int:
        with self._cond:
            return self._tokens_issued

    @property
    def check_runs(self) -> dict[int, dict]:
        with self._cond:
            return copy.deepcopy(self._check_runs)

    @property
    def issue_comments(self) -> dict[int, dict]:
        with self._cond:
            return copy.deepcopy(self._issue_comments)

    @property
    def reviews(self) -> dict[int, dict]:
        with self._cond:
            return copy.deepcopy(self._reviews)

    @property
    def review_comments(self) -> dict[int, dict]:
        with self._cond:
            return copy.deepcopy(self._review_comments)

    # ---- request handling ----------------------------------------------------------------

    def _dispatch(self, h: BaseHTTPRequestHandler) -> None:
        method, path, pairs = request_target(h)
        query = first_values(pairs)
        scheme, _ = _auth_header(h.headers.get("Authorization"))
        record = RecordedRequest(
            method=method,
            path=path,
            query=query,
            headers={
                "Authorization": scheme,
                "Accept": h.headers.get("Accept"),
                "User-Agent": h.headers.get("User-Agent"),
                "X-GitHub-Api-Version": h.headers.get("X-GitHub-Api-Version"),
                "Content-Type": h.headers.get("Content-Type"),
            },
            body=None,
            request_id=self._request_id(),
            at=time.time(),
        )
        raw, body_error = read_body(h)
        if raw and body_error is None:
            try:
                record.body = json.loads(raw.decode("utf-8"))
            except (UnicodeDecodeError, ValueError) as exc:
                body_error = f"body is not JSON: {exc}"
        self._answer(h, record, lambda: self._process(h, method, path, query, raw, record, body_error))

    def _internal_error(self, exc: Exception) -> _Result:
        return _Result(500, {"message": "Internal error in the GitHub double", "documentation_url": DOCS},
                       documented=False)

    @staticmethod
    def _request_id() -> str:
        hexes = secrets.token_hex(14).upper()
        return f"{hexes[0:4]}:{hexes[4:8]}:{hexes[8:14]}:{hexes[14:20]}:{hexes[20:28]}"

    def _rate_headers(self, identity: str, record: RecordedRequest) -> dict[str, str]:
        with self._cond:
            now = time.time()
            if now >= self._rate_reset:
                self._rate_reset = int(now) + 3600
                self._rate_used.clear()
            used = self._rate_used.get(identity, 0) + 1
            self._rate_used[identity] = used
            limit = 60 if identity == "anonymous" else 5000
            return {
                "X-RateLimit-Limit": str(limit),
                "X-RateLimit-Remaining": str(max(0, limit - used)),
                "X-RateLimit-Reset": str(self._rate_reset),
                "X-RateLimit-Used": str(used),
                "X-RateLimit-Resource": "core",
            }

    def _write(self, h: BaseHTTPRequestHandler, result: _Result, record: RecordedRequest) -> None:
        payload = encode_payload(
            result.body, lambda body: json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))
        identity = f"installation:{record.installation_id}" if record.installation_id else (
            "app" if record.credential == "jwt" else "anonymous")
        headers = {
            "Content-Type": result.content_type,
            "X-GitHub-Request-Id": record.request_id,
            "X-GitHub-Media-Type": "github.v3; format=json",
            "X-GitHub-Api-Version-Selected": record.headers.get("X-GitHub-Api-Version") or SUPPORTED_API_VERSIONS[0],
            **self._rate_headers(identity, record),
        }
        send(h, result.status, override_headers(headers, result.headers), payload)

    def _injected(self, fault: Fault, record: RecordedRequest) -> _Result:
        headers = dict(fault.headers or {})
        lowered = {k.lower(): v for k, v in headers.items()}
        body = fault.body
        content_type = "application/json; charset=utf-8"
        if body is None:
            if str(lowered.get("x-ratelimit-remaining", "")) == "0":
                body = {"message": "API rate limit exceeded for installation.", "documentation_url": RATE_LIMIT_DOCS}
            elif "retry-after" in lowered and fault.status in (403, 429):
                body = {
                    "message": "You have exceeded a secondary rate limit. Please wait a few minutes before you "
                    f"try again. If you reach out to GitHub Support for help, please include the request ID "
                    f"{record.request_id}.",
                    "documentation_url": "https://docs.github.com/free-pro-team@latest/rest/overview/"
                    "rate-limits-for-the-rest-api#about-secondary-rate-limits",
                }
            else:
                body = {"message": status_phrase(fault.status), "documentation_url": DOCS, "status": str(fault.status)}
        elif isinstance(body, (str, bytes)):
            content_type = lowered.get("content-type", "text/plain; charset=utf-8")
        return _Result(fault.status, body, content_type, headers, documented=False)

    def _error_result(self, error: _HTTPError, route: _Route | None) -> _Result:
        doc = error.doc_url or (f"https://docs.github.com/rest/{route.doc}" if route else DOCS)
        body: dict[str, Any] = {"message": error.message, "documentation_url": doc, "status": str(error.status)}
        if error.errors is not None:
            errors = error.errors
            if route is not None and self._spec.error_items_are_strings(route.method, route.template, error.status):
                # e.g. create-review documents "Validation Error Simple": errors is a list of strings
                errors = [e if isinstance(e, str) else e.get("message") or f"{e.get('field')} {e.get('code')}"
                          for e in errors]
            body["errors"] = errors
        return _Result(error.status, body, headers=error.headers, documented=error.documented)

    def _process(self, h, method, path, query, raw, record, body_error) -> _Result:
        route = None
        try:
            if not h.headers.get("User-Agent"):
                raise _HTTPError(
                    403,
                    "Request forbidden by administrative rules. Please make sure your request has a User-Agent "
                    "header (https://docs.github.com/en/rest/overview/resources-in-the-rest-api#user-agent-required)."
                    " Check https://developer.github.com for other possible causes.",
                    violation="request without a User-Agent header (GitHub rejects these with 403)",
                    documented=False,
                )
            version = h.headers.get("X-GitHub-Api-Version")
            if version is not None and version not in SUPPORTED_API_VERSIONS:
                raise _HTTPError(
                    400,
                    f"API version '{version}' is not supported. See the list of supported API versions.",
                    violation=f"unsupported X-GitHub-Api-Version {version!r}",
                    documented=False,
                    doc_url="https://docs.github.com/rest/overview/api-versions",
                )
            route, params, _ = match_route(_ROUTES, method, path)
            if route is None:
                raise _HTTPError(404, "Not Found", documented=False)
            for key, value in params.items():  # ids and numbers are integers in every operation
                if key.endswith(("_id", "_number")) and re.fullmatch(r"\d+", value):
                    params[key] = int(value)
            method = route.method  # HEAD is answered as GET, without the body
            ctx = _Ctx(h, method, path, params, query, record.body, route)
            with self._cond:
                if route.auth == "jwt":
                    self._authenticate_jwt(h, record)
                elif route.auth == "user":
                    self._authenticate_user(ctx, record)
                elif route.auth == "oauth":
                    # The token exchange is a form post, not JSON: parsed here, never logged.
                    ctx.body = dict(parse_qsl((raw or b"").decode("utf-8", "replace"), keep_blank_values=True))
                    body_error = None
                else:
                    self._authenticate_token(ctx, record)
            op = self._spec.operation(method, route.template)
            if op is not None:
                self._validate_request(ctx, op, raw, body_error)
            elif body_error is not None:
                raise _HTTPError(400, "Problems parsing JSON", violation=body_error, documented=False)
            result = self._operate(route.handler, ctx)
        except _HTTPError as error:
            if error.violation:
                self._violate(f"{method} {path}: {error.violation}")
            result = self._error_result(error, route)
        if route is not None and result.documented and isinstance(result.body, (dict, list)):
            validator = self._spec.response_validator(method, route.template, result.status)
            if validator is not None:
                problems = _format_errors(validator.iter_errors(result.body))
                for problem in problems:
                    self._violate(f"response: {method} {path} {result.status}: {problem}")
        return result

    # ---- authentication ------------------------------------------------------------------

    def _authenticate_jwt(self, h, record: RecordedRequest) -> None:
        scheme, credential = _auth_header(h.headers.get("Authorization"))
        if credential is None:
            raise _HTTPError(401, "Requires authentication", documented=True)
        record.credential = "invalid"
        undecodable = _HTTPError(401, "A JSON web token could not be decoded")
        if scheme.lower() != "bearer":
            raise undecodable  # GitHub: a JWT must be sent as "Authorization: Bearer"
        parts = credential.split(".")
        if len(parts) != 3:
            raise undecodable
        try:
            header = json.loads(_b64url_decode(parts[0]))
            claims = json.loads(_b64url_decode(parts[1]))
            signature = _b64url_decode(parts[2])
        except (ValueError, UnicodeDecodeError):
            raise undecodable from None
        if not isinstance(header, dict) or header.get("alg") != "RS256" or not isinstance(claims, dict):
            raise undecodable
        try:
            self.public_key.verify(
                signature, f"{parts[0]}.{parts[1]}".encode("ascii"), padding.PKCS1v15(), hashes.SHA256()
            )
        except (InvalidSignature, ValueError):
            raise undecodable from None
        iss = claims.get("iss")
        if isinstance(iss, bool) or str(iss) not in (str(self.app_id), self.client_id):
            raise _HTTPError(401, "'Issuer' claim ('iss') must be an Integer or the app's Client ID; "
                                  "no app matches it")
        now = self.clock()
        iat, exp = claims.get("iat"), claims.get("exp")
        if not isinstance(iat, int) or isinstance(iat, bool) or iat > now + 60:
            raise _HTTPError(401, "'Issued at' claim ('iat') must be an Integer representing the time that the "
                                  "assertion was issued")
        if not isinstance(exp, int) or isinstance(exp, bool) or exp <= now:
            raise _HTTPError(401, "'Expiration time' claim ('exp') must be a numeric value representing the future "
                                  "time at which the assertion expires")
        if exp > now + 600 or (self.strict_jwt_lifetime and exp - iat > 600):
            raise _HTTPError(401, "'Expiration time' claim ('exp') is too far in the future")
        record.credential = "jwt"

    def _authenticate_user(self, ctx: _Ctx, record: RecordedRequest) -> None:
        scheme, credential = _auth_header(ctx.handler.headers.get("Authorization"))
        if credential is None:
            raise _HTTPError(401, "Requires authentication")
        record.credential = "invalid"
        grant = self._user_tokens.get(credential) if scheme.lower() in ("token", "bearer") else None
        if grant is None or grant["expires_at"] <= self.clock():
            raise _HTTPError(401, "Bad credentials")
        record.credential = "user_token"
        ctx.token = grant

    def _authenticate_token(self, ctx: _Ctx, record: RecordedRequest) -> None:
        scheme, credential = _auth_header(ctx.handler.headers.get("Authorization"))
        if credential is None:
            raise _HTTPError(401, "Requires authentication")
        record.credential = "invalid"
        token = self._tokens.get(credential) if scheme.lower() in ("token", "bearer") else None
        if token is None or token.expires_at <= self.clock() or token.installation_id not in self._installations:
            raise _HTTPError(401, "Bad credentials")
        record.credential = "installation_token"
        record.installation_id = token.installation_id
        ctx.token = token
        full = f"{ctx.params['owner']}/{ctx.params['repo']}".lower()
        installation = self._installations[token.installation_id]
        if full not in installation.repos or (token.repos is not None and full not in token.repos):
            raise _HTTPError(404, "Not Found")
        ctx.repo = self._repos[full]
        if ctx.route.permission:
            names, level = ctx.route.permission
            if not any(_LEVELS.get(token.permissions.get(n, ""), 0) >= _LEVELS[level] for n in names):
                raise _HTTPError(403, "Resource not accessible by integration", documented=False)

    # ---- validation against the OpenAPI subset ---------------------------------------------

    def _validate_request(self, ctx: _Ctx, op: dict, raw: bytes, body_error: str | None) -> None:
        problems: list[str] = []
        for param in op["parameters"]:
            where, name = param["in"], param["name"]
            if where == "path":
                value = ctx.params.get(name)
            elif where == "query":
                value = ctx.query.get(name)
            else:
                continue
            if value is None:
                if param.get("required"):
                    problems.append(f"{where} parameter '{name}' is required")
                continue
            schema = param.get("schema", {})
            value = self._coerce(value, schema)
            validator = self._spec.param_validator(ctx.method, ctx.route.template, param)
            for error in validator.iter_errors(value):
                problems.append(f"{where} parameter '{name}': {error.message}")
            (ctx.params if where == "path" else ctx.query)[name] = value
        if problems:
            raise _HTTPError(
                422, "Invalid request.\n\n" + "\n".join(problems),
                errors=[{"resource": "Request", "code": "invalid", "message": p} for p in problems],
                violation="; ".join(problems),
            )
        validator = self._spec.body_validator(ctx.method, ctx.route.template)
        if validator is None:
            return
        if body_error is not None:
            raise _HTTPError(400, "Problems parsing JSON", violation=body_error, documented=False)
        body = {} if ctx.body is None else ctx.body
        problems = _format_errors(validator.iter_errors(body))
        if problems:
            raise _HTTPError(
                422, "Invalid request.\n\n" + "\n".join(problems),
                errors=[{"resource": "Request", "code": "invalid", "message": p} for p in problems],
                violation="request body: " + "; ".join(problems),
            )
        ctx.body = body

    @staticmethod
    def _coerce(value: Any, schema: dict) -> Any:
        if not isinstance(value, str):
            return value
        kind = schema.get("type")
        if kind == "integer" and re.fullmatch(r"-?\d+", value):
            return int(value)
        if kind == "number":
            try:
                return float(value)
            except ValueError:
                return value
        if kind == "boolean" and value in ("true", "false"):
            return value == "true"
        return value

    # ---- object builders -----------------------------------------------------------------

    def _user(self, login: str, kind: str = "User") -> dict:
        api = self.base_url
        uid = stable_id(login)
        html = f"https://github.com/apps/{login[:-5]}" if kind == "Bot" and login.endswith("[bot]") else \
            f"https://github.com/{login}"
        return {
            "login": login, "id": uid, "node_id": _node_id(kind, uid),
            "avatar_url": f"https://avatars.githubusercontent.com/u/{uid}?v=4", "gravatar_id": "",
            "url": f"{api}/users/{quote(login)}", "html_url": html,
            "followers_url": f"{api}/users/{quote(login)}/followers",
            "following_url": f"{api}/users/{quote(login)}/following{{/other_user}}",
            "gists_url": f"{api}/users/{quote(login)}/gists{{/gist_id}}",
            "starred_url": f"{api}/users/{quote(login)}/starred{{/owner}}{{/repo}}",
            "subscriptions_url": f"{api}/users/{quote(login)}/subscriptions",
            "organizations_url": f"{api}/users/{quote(login)}/orgs",
            "repos_url": f"{api}/users/{quote(login)}/repos",
            "events_url": f"{api}/users/{quote(login)}/events{{/privacy}}",
            "received_events_url": f"{api}/users/{quote(login)}/received_events",
            "type": kind, "site_admin": False,
        }

    def _bot(self) -> dict:
        return self._user(f"{self.app_slug}[bot]", "Bot")

    def _app(self) -> dict:
        created = iso(1600000000)
        return {
            "id": self.app_id, "slug": self.app_slug, "node_id": _node_id("Integration", self.app_id),
            "owner": self._user("corgi-owner", "Organization"), "name": "Code Corgi",
            "description": "Reviews pull requests for security problems",
            "external_url": f"https://github.com/apps/{self.app_slug}",
            "html_url": f"https://github.com/apps/{self.app_slug}",
            "created_at": created, "updated_at": created,
            "permissions": dict(DEFAULT_PERMISSIONS), "events": ["pull_request", "check_run", "issue_comment"],
        }

    def _repo_obj(self, repo: _Repo) -> dict:
        template = self._spec.example("GET", "/repos/{owner}/{repo}/pulls/{pull_number}", "200")["base"]["repo"]
        obj = _rewrite(template, [("https://api.github.com", self.base_url),
                                  ("octocat/Hello-World", repo.full_name), ("Hello-World", repo.name)])
        obj.update({
            "id": repo.id, "node_id": _node_id("Repository", repo.id), "name": repo.name,
            "full_name": repo.full_name, "owner": self._user(repo.owner, "Organization"), "private": True,
            "description": None, "fork": False, "default_branch": "main", "homepage": None,
            "mirror_url": None, "language": None, "topics": [], "license": None,
            "organization": None, "template_repository": None, "visibility": "private",
        })
        obj.pop("temp_clone_token", None)
        return obj

    def _pull_files(self, pull: _Pull) -> list[dict]:
        if pull.files is not None:
            return copy.deepcopy(pull.files)
        full = self._repos[pull.repo].full_name
        entries = []
        for fd in pull.diffs[pull.head_sha]:
            name = fd.path
            sha = None
            for candidate in ((fd.old_sha,) if fd.status == "removed" else (fd.new_sha, fd.old_sha)):
                if candidate and len(candidate) == 40 and candidate.strip("0"):
                    sha = candidate
                    break
            sha = sha or hashlib.sha1(f"{pull.head_sha}:{name}".encode()).hexdigest()
            quoted = quote(name, safe="/")
            entry = {
                "sha": sha, "filename": name, "status": fd.status,
                "additions": fd.additions, "deletions": fd.deletions, "changes": fd.additions + fd.deletions,
                "blob_url": f"https://github.com/{full}/blob/{pull.head_sha}/{quoted}",
                "raw_url": f"https://github.com/{full}/raw/{pull.head_sha}/{quoted}",
                "contents_url": f"{self.base_url}/repos/{full}/contents/{quoted}?ref={pull.head_sha}",
            }
            if fd.patch is not None:
                entry["patch"] = fd.patch
            if fd.status in ("renamed", "copied") and fd.old_path:
                entry["previous_filename"] = fd.old_path
            entries.append(entry)
        return entries[:3000]  # GitHub lists at most 3000 files

    def _pull_obj(self, pull: _Pull) -> dict:
        repo = self._repos[pull.repo]
        full, api, n = repo.full_name, self.base_url, pull.number
        pulls = f"{api}/repos/{full}/pulls/{n}"
        issue = f"{api}/repos/{full}/issues/{n}"
        repo_obj = self._repo_obj(repo)
        owner = self._user(repo.owner, "Organization")
        files = self._pull_files(pull)
        review_comments = sum(1 for c in self._review_comments.values()
                              if c["repo"] == full and c["pull_number"] == n)
        comments = sum(1 for c in self._issue_comments.values() if c["repo"] == full and c["issue_number"] == n)
        return {
            "url": pulls, "id": pull.id, "node_id": _node_id("PullRequest", pull.id),
            "html_url": f"https://github.com/{full}/pull/{n}",
            "diff_url": f"https://github.com/{full}/pull/{n}.diff",
            "patch_url": f"https://github.com/{full}/pull/{n}.patch",
            "issue_url": issue, "commits_url": f"{pulls}/commits",
            "review_comments_url": f"{pulls}/comments",
            "review_comment_url": f"{api}/repos/{full}/pulls/comments{{/number}}",
            "comments_url": f"{issue}/comments", "statuses_url": f"{api}/repos/{full}/statuses/{pull.head_sha}",
            "number": n, "state": pull.state, "locked": False, "title": pull.title,
            "user": self._user(pull.author), "body": None, "labels": [], "milestone": None,
            "active_lock_reason": None, "created_at": iso(pull.created_at), "updated_at": iso(pull.updated_at),
            "closed_at": None, "merged_at": None, "merge_commit_sha": None,
            "assignee": None, "assignees": [], "requested_reviewers": [], "requested_teams": [],
            "head": {"label": f"{repo.owner}:{pull.head_ref}", "ref": pull.head_ref, "sha": pull.head_sha,
                     "user": owner, "repo": repo_obj},
            "base": {"label": f"{repo.owner}:{pull.base_ref}", "ref": pull.base_ref, "sha": pull.base_sha,
                     "user": owner, "repo": repo_obj},
            "_links": {
                "self": {"href": pulls}, "html": {"href": f"https://github.com/{full}/pull/{n}"},
                "issue": {"href": issue}, "comments": {"href": f"{issue}/comments"},
                "review_comments": {"href": f"{pulls}/comments"},
                "review_comment": {"href": f"{api}/repos/{full}/pulls/comments{{/number}}"},
                "commits": {"href": f"{pulls}/commits"},
                "statuses": {"href": f"{api}/repos/{full}/statuses/{pull.head_sha}"},
            },
            "author_association": "CONTRIBUTOR", "auto_merge": None, "draft": False,
            "merged": False, "mergeable": True, "rebaseable": True, "mergeable_state": "clean",
            "merged_by": None, "comments": comments, "review_comments": review_comments,
            "maintainer_can_modify": False, "commits": len(pull.diffs),
            "additions": sum(f.get("additions", 0) for f in files),
            "deletions": sum(f.get("deletions", 0) for f in files),
            "changed_files": len(files),
        }

    def _check_run_obj(self, run: dict) -> dict:
        full, rid = run["repo"], run["id"]
        url = f"{self.base_url}/repos/{full}/check-runs/{rid}"
        repo = self._repos[full.lower()]
        repo_ref = {"id": repo.id, "url": f"{self.base_url}/repos/{full}", "name": repo.name}
        pulls = [
            {"url": f"{self.base_url}/repos/{full}/pulls/{p.number}", "id": p.id, "number": p.number,
             "head": {"ref": p.head_ref, "sha": p.head_sha, "repo": repo_ref},
             "base": {"ref": p.base_ref, "sha": p.base_sha, "repo": repo_ref}}
            for p in self._pulls.values()
            if p.repo == full.lower() and p.head_sha == run["head_sha"] and p.state == "open"
        ]
        output = run["output"]
        return {
            "id": rid, "head_sha": run["head_sha"], "node_id": _node_id("CheckRun", rid),
            "external_id": run["external_id"], "url": url, "html_url": f"https://github.com/{full}/runs/{rid}",
            "details_url": run["details_url"], "status": run["status"], "conclusion": run["conclusion"],
            "started_at": run["started_at"], "completed_at": run["completed_at"],
            "output": {"title": output.get("title"), "summary": output.get("summary"), "text": output.get("text"),
                       "annotations_count": len(run["annotations"]), "annotations_url": f"{url}/annotations"},
            "name": run["name"], "check_suite": {"id": run["check_suite_id"]}, "app": self._app(),
            "pull_requests": pulls,
        }

    def _issue_comment_obj(self, comment: dict) -> dict:
        full, cid, n = comment["repo"], comment["id"], comment["issue_number"]
        return {
            "id": cid, "node_id": _node_id("IssueComment", cid),
            "url": f"{self.base_url}/repos/{full}/issues/comments/{cid}",
            "html_url": f"https://github.com/{full}/pull/{n}#issuecomment-{cid}",
            "body": comment["body"], "user": self._bot(),
            "created_at": iso(comment["created_at"]), "updated_at": iso(comment["updated_at"]),
            "issue_url": f"{self.base_url}/repos/{full}/issues/{n}", "author_association": "NONE",
            "performed_via_github_app": self._app(),
        }

    def _review_obj(self, review: dict) -> dict:
        full, rid, n = review["repo"], review["id"], review["pull_number"]
        html = f"https://github.com/{full}/pull/{n}#pullrequestreview-{rid}"
        pull_url = f"{self.base_url}/repos/{full}/pulls/{n}"
        obj = {
            "id": rid, "node_id": _node_id("PullRequestReview", rid), "user": self._bot(),
            "body": review["body"], "state": review["state"], "html_url": html, "pull_request_url": pull_url,
            "_links": {"html": {"href": html}, "pull_request": {"href": pull_url}},
            "commit_id": review["commit_id"], "author_association": "NONE",
        }
        if review["submitted_at"] is not None:
            obj["submitted_at"] = iso(review["submitted_at"])
        return obj

    def _review_comment_obj(self, comment: dict) -> dict:
        full, cid, n = comment["repo"], comment["id"], comment["pull_number"]
        url = f"{self.base_url}/repos/{full}/pulls/comments/{cid}"
        html = f"https://github.com/{full}/pull/{n}#discussion_r{cid}"
        pull_url = f"{self.base_url}/repos/{full}/pulls/{n}"
        return {
            "url": url, "pull_request_review_id": comment["review_id"], "id": cid,
            "node_id": _node_id("PullRequestReviewComment", cid), "diff_hunk": comment["diff_hunk"],
            "path": comment["path"], "position": comment["position"], "original_position": comment["position"],
            "commit_id": comment["commit_id"], "original_commit_id": comment["commit_id"], "user": self._bot(),
            "body": comment["body"], "created_at": iso(comment["created_at"]),
            "updated_at": iso(comment["updated_at"]), "html_url": html, "pull_request_url": pull_url,
            "author_association": "NONE",
            "_links": {"self": {"href": url}, "html": {"href": html}, "pull_request": {"href": pull_url}},
            "start_line": comment["start_line"], "original_start_line": comment["start_line"],
            "start_side": comment["start_side"], "line": comment["line"], "original_line": comment["line"],
            "side": comment["side"],
        }

    # ---- pagination ------------------------------------------------------------------------

    def _paginate(self, ctx: _Ctx, items: list) -> _Result:
        def as_int(value, default):
            if isinstance(value, int):
                return value
            try:
                return int(value)
            except (TypeError, ValueError):
                return default

        per_page = as_int(ctx.query.get("per_page"), 30)
        per_page = 30 if per_page < 1 else min(per_page, 100)
        page = max(1, as_int(ctx.query.get("page"), 1))
        last = max(1, math.ceil(len(items) / per_page))
        chunk = items[(page - 1) * per_page : page * per_page]
        headers = {}
        if len(items) > per_page:
            def link(number: int, rel: str) -> str:
                params = dict(ctx.query)
                params["page"] = number
                return f'<{self.base_url}{ctx.path}?{urlencode(params)}>; rel="{rel}"'

            links = []
            if page > 1:
                links.append(link(min(page - 1, last), "prev"))
            if page < last:
                links.append(link(page + 1, "next"))
                links.append(link(last, "last"))
            if page > 1:
                links.append(link(1, "first"))
            headers["Link"] = ", ".join(links)
        return _Result(200, chunk, headers=headers)

    # ---- operations ------------------------------------------------------------------------

    def _pull(self, ctx: _Ctx, number: Any) -> _Pull:
        pull = self._pulls.get((ctx.repo.full_name.lower(), number)) if isinstance(number, int) else None
        if pull is None:
            raise _HTTPError(404, "Not Found")
        return pull

    def _op_create_token(self, ctx: _Ctx) -> _Result:
        installation = self._installations.get(ctx.params["installation_id"])
        if installation is None:
            raise _HTTPError(404, "Not Found")
        body = ctx.body or {}
        repos: set[str] | None = None
        if body.get("repositories") or body.get("repository_ids"):
            repos = set()
            by_name = {self._repos[k].name.lower(): k for k in installation.repos}
            by_id = {self._repos[k].id: k for k in installation.repos}
            wanted = [by_name.get(str(n).lower()) for n in body.get("repositories") or []]
            wanted += [by_id.get(i) for i in body.get("repository_ids") or []]
            if None in wanted:
                raise _HTTPError(422, "There is at least one repository that does not exist or is not accessible "
                                      "to the parent installation.")
            repos.update(wanted)
        permissions = dict(installation.permissions)
        if body.get("permissions"):
            for name, level in body["permissions"].items():
                if _LEVELS.get(installation.permissions.get(name, ""), 0) < _LEVELS.get(level, 99):
                    raise _HTTPError(422, "The permissions requested are not granted to this installation.")
            permissions = dict(body["permissions"])
        value = "ghs_" + "".join(secrets.choice(_TOKEN_ALPHABET) for _ in range(36))
        expires = self.clock() + self.token_ttl
        self._tokens[value] = _Token(value, installation.id, expires, repos, permissions)
        self._tokens_issued += 1
        response = {"token": value, "expires_at": iso(expires), "permissions": permissions,
                    "repository_selection": "selected"}
        if repos is not None:
            response["repositories"] = [self._repo_obj(self._repos[k]) for k in sorted(repos)]
        return _Result(201, response)

    def _op_get_installation(self, ctx: _Ctx) -> _Result:
        installation = self._installations.get(ctx.params["installation_id"])
        if installation is None:
            raise _HTTPError(404, "Not Found")
        iid = installation.id
        return _Result(200, {
            "id": iid, "account": self._user(installation.account_login, "Organization"),
            "access_tokens_url": f"{self.base_url}/app/installations/{iid}/access_tokens",
            "repositories_url": f"{self.base_url}/installation/repositories",
            "html_url": f"https://github.com/organizations/{installation.account_login}/settings/installations/{iid}",
            "app_id": self.app_id, "app_slug": self.app_slug, "target_id": stable_id(installation.account_login),
            "target_type": "Organization", "permissions": dict(installation.permissions),
            "events": ["pull_request", "check_run", "issue_comment"], "single_file_name": None,
            "repository_selection": "selected", "created_at": iso(installation.created_at),
            "updated_at": iso(installation.created_at), "suspended_by": None, "suspended_at": None,
        })

    def _op_get_pull(self, ctx: _Ctx) -> _Result:
        pull = self._pull(ctx, ctx.params["pull_number"])
        types = _media_types(ctx.handler.headers.get("Accept"))
        if any(re.fullmatch(r"application/vnd\.github(\.v3)?\.patch", t) for t in types):
            raise _HTTPError(415, "The test double does not implement the .patch media type",
                             violation="Accept: application/vnd.github.patch is not implemented by the double",
                             documented=False)
        if any(re.fullmatch(r"application/vnd\.github(\.v3)?\.diff", t) for t in types):
            if pull.diff_too_large:
                if pull.diff_too_large == "files":
                    message = ("Sorry, the diff exceeded the maximum number of files (300). Consider using "
                               "'List pull requests files' API or locally cloning the repository instead.")
                else:
                    message = "Sorry, the diff exceeded the maximum number of lines (20000)"
                raise _HTTPError(406, message, documented=False,
                                 errors=[{"resource": "PullRequest", "field": "diff", "code": "too_large"}])
            return _Result(200, pull.diff_text, "text/plain; charset=utf-8",
                           headers={"X-GitHub-Media-Type": "github.v3; param=diff"})
        return _Result(200, self._pull_obj(pull))

    def _op_list_files(self, ctx: _Ctx) -> _Result:
        return self._paginate(ctx, self._pull_files(self._pull(ctx, ctx.params["pull_number"])))

    def _op_list_review_comments(self, ctx: _Ctx) -> _Result:
        pull = self._pull(ctx, ctx.params["pull_number"])
        full = ctx.repo.full_name
        comments = [c for c in self._review_comments.values() if c["repo"] == full and c["pull_number"] == pull.number]
        since = ctx.query.get("since")
        if since:
            comments = [c for c in comments if c["updated_at"] >= parse_iso(since)]
        if "sort" in ctx.query:
            key = "updated_at" if ctx.query["sort"] == "updated" else "created_at"
            comments.sort(key=lambda c: (c[key], c["id"]), reverse=ctx.query.get("direction") == "desc")
        return self._paginate(ctx, [self._review_comment_obj(c) for c in comments])

    def _check_body_length(self, text: str | None, resource: str) -> None:
        if text is not None and len(text) > _MAX_COMMENT_BODY:
            raise _HTTPError(
                422, "Validation Failed",
                errors=[{"resource": resource, "code": "custom", "field": "body",
                         "message": f"body is too long (maximum is {_MAX_COMMENT_BODY} characters)"}],
                violation=f"{resource} body of {len(text)} characters exceeds GitHub's {_MAX_COMMENT_BODY}",
            )

    def _op_create_review(self, ctx: _Ctx) -> _Result:
        pull = self._pull(ctx, ctx.params["pull_number"])
        body = ctx.body
        full = ctx.repo.full_name
        commit_id = body.get("commit_id") or pull.head_sha
        if commit_id not in pull.diffs:
            raise _HTTPError(422, "Unprocessable Entity", errors=[f"No commit found for SHA: {commit_id}"])
        event = body.get("event")
        text = body.get("body")
        comments = body.get("comments") or []
        self._check_body_length(text, "PullRequestReview")
        for c in comments:
            self._check_body_length(c.get("body"), "PullRequestReviewComment")
        if event == "REQUEST_CHANGES" and not text:
            raise _HTTPError(422, "Unprocessable Entity", errors=["Review body can't be blank"],
                             violation="REQUEST_CHANGES review without a body (the docs require one)")
        if event == "COMMENT" and not text and not comments:
            raise _HTTPError(422, "Unprocessable Entity", errors=["Review body can't be blank"],
                             violation="COMMENT review with neither a body nor comments")
        if event is None and any(
            r["repo"] == full and r["pull_number"] == pull.number and r["state"] == "PENDING"
            for r in self._reviews.values()
        ):
            raise _HTTPError(422, "Unprocessable Entity",
                             errors=["User can only have one pending review per pull request"])
        files = {fd.path: fd for fd in pull.diffs[commit_id]}
        anchored = []
        for index, comment in enumerate(comments):
            problem, anchor = self._anchor(files, comment)
            if problem:
                raise _HTTPError(
                    422, "Unprocessable Entity", errors=[problem],
                    violation=f"review comments[{index}] ({comment.get('path')}:"
                              f"{comment.get('line', comment.get('position'))}): {problem}",
                )
            anchored.append(anchor)
        now = self.clock()
        state = {"APPROVE": "APPROVED", "REQUEST_CHANGES": "CHANGES_REQUESTED", "COMMENT": "COMMENTED"}.get(
            event, "PENDING")
        review = {
            "id": self._next_id("review"), "repo": full, "pull_number": pull.number, "event": event,
            "state": state, "body": text or "", "commit_id": commit_id,
            "submitted_at": None if state == "PENDING" else now, "comment_ids": [],
        }
        for comment, anchor in zip(comments, anchored):
            cid = self._next_id("review_comment")
            self._review_comments[cid] = {
                "id": cid, "repo": full, "pull_number": pull.number, "review_id": review["id"],
                "path": comment["path"], "body": comment["body"], "commit_id": commit_id,
                "created_at": now, "updated_at": now, **anchor,
            }
            review["comment_ids"].append(cid)
        self._reviews[review["id"]] = review
        return _Result(200, self._review_obj(review))

    @staticmethod
    def _anchor(files: dict[str, FileDiff], comment: dict) -> tuple[str | None, dict | None]:
        """Where a review comment lands in the diff, or GitHub's error message."""
        blank = " and Pull request review thread diff hunk can't be blank"
        fd = files.get(comment.get("path"))
        if fd is None or not fd.hunks:
            return "Pull request review thread path is invalid" + blank, None
        line, position = comment.get("line"), comment.get("position")
        if line is None and position is None:
            return "Pull request review thread line must be part of the diff" + blank, None

        def find(number: int, side: str):
            for hunk, dl in fd.all_lines():
                if side == "RIGHT" and dl.kind in " +" and dl.new == number:
                    return hunk, dl
                if side == "LEFT" and dl.kind in " -" and dl.old == number:
                    return hunk, dl
            return None, None

        if line is not None:
            side = comment.get("side", "RIGHT")
            if side not in ("LEFT", "RIGHT"):
                return "Pull request review thread side is not included in the list", None
            hunk, target = find(line, side)
            if target is None:
                return "Pull request review thread line must be part of the diff" + blank, None
        else:
            hunk = target = None
            for h, dl in fd.all_lines():
                if dl.position == position and dl.kind in " +-":
                    hunk, target = h, dl
            if target is None:
                return "Pull request review thread position is invalid" + blank, None
            side = "LEFT" if target.kind == "-" else "RIGHT"
            line = target.old if side == "LEFT" else target.new
        start_line, start_side = comment.get("start_line"), None
        if start_line is not None:
            start_side = comment.get("start_side", side)
            if start_side not in ("LEFT", "RIGHT"):
                return "Pull request review thread start side is not included in the list", None
            start_hunk, start = find(start_line, start_side)
            if start is None:
                return "Pull request review thread start line must be part of the diff" + blank, None
            if start_hunk is not hunk:
                return "Pull request review thread start line must be part of the same hunk as the line.", None
            if start.position >= target.position:
                return "Pull request review thread start line must precede the end line.", None
        diff_hunk = [hunk.header] + [dl.text for dl in hunk.lines if dl.position <= target.position and dl.kind != "@"]
        return None, {
            "line": line, "side": side, "start_line": start_line, "start_side": start_side,
            "position": target.position, "diff_hunk": "\n".join(diff_hunk),
        }

    def _annotation_problems(self, annotations: list) -> list[str]:
        problems = []
        for i, a in enumerate(annotations):
            if ("start_column" in a or "end_column" in a) and a.get("start_line") != a.get("end_line"):
                problems.append(f"annotations[{i}]: start_column/end_column are only allowed when start_line == "
                                "end_line")
            if len(a.get("title") or "") > 255:
                problems.append(f"annotations[{i}]: title is longer than 255 characters")
            for key in ("message", "raw_details"):
                if len((a.get(key) or "").encode("utf-8")) > 64 * 1024:
                    problems.append(f"annotations[{i}]: {key} is larger than 64 KB")
            if isinstance(a.get("start_line"), int) and isinstance(a.get("end_line"), int) and \
                    a["end_line"] < a["start_line"]:
                problems.append(f"annotations[{i}]: end_line precedes start_line")
        return problems

    def _apply_check_run(self, run: dict, body: dict, creating: bool) -> None:
        if body.get("conclusion") == "stale":
            raise _HTTPError(422, "Validation Failed", violation="conclusion 'stale' can only be set by GitHub",
                             errors=[{"resource": "CheckRun", "code": "invalid", "field": "conclusion"}])
        annotations = ((body.get("output") or {}).get("annotations")) or []
        problems = self._annotation_problems(annotations)
        if problems:
            raise _HTTPError(422, "Invalid request.\n\n" + "\n".join(problems), violation="; ".join(problems),
                             errors=[{"resource": "CheckRun", "code": "invalid", "field": "output.annotations",
                                      "message": p} for p in problems])
        now = iso(self.clock())
        for key in ("name", "details_url", "external_id", "started_at"):
            if key in body:
                run[key] = body[key]
        if "status" in body:
            run["status"] = body["status"]
        if "conclusion" in body:
            run["conclusion"] = body["conclusion"]
            run["status"] = "completed"
        if "completed_at" in body:
            run["completed_at"] = body["completed_at"]
        if run["status"] == "completed" and not run["completed_at"]:
            run["completed_at"] = now
        if "output" in body:
            output = body["output"]
            for key in ("title", "summary", "text"):
                if key in output:
                    run["output"][key] = output[key]
            run["annotations"].extend(copy.deepcopy(annotations))
            run["images"].extend(copy.deepcopy(output.get("images") or []))
        if "actions" in body:
            run["actions"] = copy.deepcopy(body["actions"])
        run["updates"] += 0 if creating else 1

    def _op_create_check_run(self, ctx: _Ctx) -> _Result:
        body = ctx.body
        rid = self._next_id("check_run")
        run = {
            "id": rid, "repo": ctx.repo.full_name, "name": body["name"], "head_sha": body["head_sha"],
            "status": "queued", "conclusion": None, "started_at": iso(self.clock()), "completed_at": None,
            "details_url": f"https://github.com/apps/{self.app_slug}", "external_id": "",
            "output": {"title": None, "summary": None, "text": None}, "annotations": [], "images": [],
            "actions": [], "check_suite_id": self._next_id("check_suite"), "updates": 0,
        }
        self._apply_check_run(run, body, creating=True)
        self._check_runs[rid] = run
        return _Result(201, self._check_run_obj(run))

    def _op_list_check_runs_for_ref(self, ctx: _Ctx) -> _Result:
        ref = ctx.params["ref"]
        name = ctx.query.get("check_name")
        runs = [r for r in sorted(self._check_runs.values(), key=lambda r: r["id"], reverse=True)
                if r["repo"].lower() == ctx.repo.full_name.lower() and r["head_sha"] == ref and (name is None or r["name"] == name)]
        page, per_page = int(ctx.query.get("page", "1")), min(100, int(ctx.query.get("per_page", "30")))
        chunk = runs[(page - 1) * per_page:page * per_page]
        return _Result(200, {"total_count": len(runs), "check_runs": [self._check_run_obj(r) for r in chunk]}, documented=False)

    def _existing_check_run(self, ctx: _Ctx) -> dict:
        rid = ctx.params["check_run_id"]
        run = self._check_runs.get(rid) if isinstance(rid, int) else None
        if run is None or run["repo"].lower() != ctx.repo.full_name.lower():
            raise _HTTPError(404, "Not Found")
        return run

    def _op_update_check_run(self, ctx: _Ctx) -> _Result:
        run = self._existing_check_run(ctx)
        updated = copy.deepcopy(run)
        self._apply_check_run(updated, ctx.body, creating=False)
        self._check_runs[run["id"]] = updated
        return _Result(200, self._check_run_obj(updated))

    def _op_get_check_run(self, ctx: _Ctx) -> _Result:
        return _Result(200, self._check_run_obj(self._existing_check_run(ctx)))

    def _op_create_issue_comment(self, ctx: _Ctx) -> _Result:
        number = ctx.params["issue_number"]
        if (ctx.repo.full_name.lower(), number) not in self._pulls:
            raise _HTTPError(404, "Not Found")
        text = ctx.body["body"]
        self._check_body_length(text, "IssueComment")
        if not text.strip():
            raise _HTTPError(422, "Validation Failed", violation="issue comment with a blank body",
                             errors=[{"resource": "IssueComment", "code": "missing_field", "field": "body"}])
        now = self.clock()
        cid = self._next_id("issue_comment")
        comment = {"id": cid, "repo": ctx.repo.full_name, "issue_number": number, "body": text,
                   "created_at": now, "updated_at": now, "history": [text]}
        self._issue_comments[cid] = comment
        obj = self._issue_comment_obj(comment)
        return _Result(201, obj, headers={"Location": obj["url"]})

    def _op_list_issue_comments(self, ctx: _Ctx) -> _Result:
        try:
            number = int(ctx.params["issue_number"])
        except ValueError:
            raise _HTTPError(404, "Not Found") from None
        if (ctx.repo.full_name.lower(), number) not in self._pulls:
            raise _HTTPError(404, "Not Found")
        comments = [c for c in self._issue_comments.values()
                    if c["repo"] == ctx.repo.full_name and c["issue_number"] == number]
        since = ctx.query.get("since")
        if since:
            try:
                threshold = parse_iso(since)
            except ValueError:
                raise _HTTPError(422, "Validation Failed", documented=False,
                                 errors=[{"resource": "Issue", "field": "since", "code": "invalid"}]) from None
            comments = [c for c in comments if c["updated_at"] >= threshold]
        return self._paginate(ctx, [self._issue_comment_obj(c) for c in comments])

    def _op_update_issue_comment(self, ctx: _Ctx) -> _Result:
        cid = ctx.params["comment_id"]
        comment = self._issue_comments.get(cid) if isinstance(cid, int) else None
        if comment is None or comment["repo"].lower() != ctx.repo.full_name.lower():
            raise _HTTPError(404, "Not Found")
        text = ctx.body["body"]
        self._check_body_length(text, "IssueComment")
        if not text.strip():
            raise _HTTPError(422, "Validation Failed", violation="issue comment updated to a blank body",
                             errors=[{"resource": "IssueComment", "code": "missing_field", "field": "body"}])
        comment["body"] = text
        comment["updated_at"] = self.clock()
        comment["history"].append(text)
        return _Result(200, self._issue_comment_obj(comment))

    # ---- user authorization (sign-in with GitHub) -------------------------------------------

    def _op_oauth_authorize(self, ctx: _Ctx) -> _Result:
        """The consent page, answered for `oauth_approve_as` (None: the person declines)."""
        q = ctx.query
        if q.get("client_id") != self.client_id:
            raise _HTTPError(404, "Not Found", violation=f"authorize for an unknown client_id {q.get('client_id')!r}")
        redirect = q.get("redirect_uri") or self.oauth_callback
        if self.oauth_callback is None or redirect != self.oauth_callback:
            raise _HTTPError(400, "The redirect_uri MUST match the registered callback URL for this application.",
                             violation=f"authorize with redirect_uri {redirect!r}, registered {self.oauth_callback!r}")
        if "state" not in q:
            self._violate("authorize without a state (CSRF protection)")
        if q.get("code_challenge") and q.get("code_challenge_method") != "S256":
            self._violate(f"PKCE method {q.get('code_challenge_method')!r}, not S256")
        if self.oauth_approve_as is None:
            target = f"{redirect}?{urlencode({'error': 'access_denied', 'state': q.get('state', '')})}"
            return _Result(302, None, headers={"Location": target}, documented=False)
        code = secrets.token_hex(10)
        self._oauth_codes[code] = {"login": self.oauth_approve_as, "redirect_uri": q.get("redirect_uri"),
                                   "challenge": q.get("code_challenge"), "scope": q.get("scope", ""),
                                   "expires_at": self.clock() + 600}
        target = f"{redirect}?{urlencode({'code': code, 'state': q.get('state', '')})}"
        return _Result(302, None, headers={"Location": target}, documented=False)

    def _op_oauth_access_token(self, ctx: _Ctx) -> _Result:
        form = ctx.body or {}
        wants_json = any("json" in t for t in _media_types(ctx.handler.headers.get("Accept")))

        def answer(payload: dict) -> _Result:
            # GitHub answers refusals with 200 and an `error` too; form-encoded unless JSON is asked for.
            if wants_json:
                return _Result(200, payload, documented=False)
            return _Result(200, urlencode(payload), "application/x-www-form-urlencoded; charset=utf-8", documented=False)

        docs = "https://docs.github.com/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors"
        if form.get("client_id") != self.client_id or form.get("client_secret") != self.oauth_client_secret:
            return answer({"error": "incorrect_client_credentials",
                           "error_description": "The client_id and/or client_secret passed are incorrect.", "error_uri": docs})
        grant = self._oauth_codes.pop(form.get("code", ""), None)  # a code is good once
        if grant is None or grant["expires_at"] <= self.clock():
            return answer({"error": "bad_verification_code", "error_description": "The code passed is incorrect or expired.",
                           "error_uri": docs})
        if grant["redirect_uri"] is not None and form.get("redirect_uri") != grant["redirect_uri"]:
            return answer({"error": "redirect_uri_mismatch",
                           "error_description": "The redirect_uri MUST match the registered callback URL for this application.",
                           "error_uri": docs})
        if grant["challenge"] is not None:
            verifier = form.get("code_verifier", "")
            expected = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
            if not verifier or expected != grant["challenge"]:
                return answer({"error": "bad_verification_code", "error_description": "The code_verifier does not match.",
                               "error_uri": docs})
        token = "gho_" + secrets.token_hex(18)
        self._user_tokens[token] = {"login": grant["login"], "scope": grant["scope"], "expires_at": self.clock() + 28800}
        return answer({"access_token": token, "token_type": "bearer", "scope": grant["scope"]})

    def _person(self, ctx: _Ctx) -> dict:
        person = self._people.get(ctx.token["login"].lower())
        if person is None:
            raise _HTTPError(401, "Bad credentials")
        return person

    def _needs_read_org(self, ctx: _Ctx) -> None:
        if "read:org" not in ctx.token["scope"].replace(",", " ").split():
            raise _HTTPError(403, "You need at least read:org scope or user scope to list your organization memberships.",
                             violation="reading memberships or teams with a token without read:org")

    def _op_get_authenticated_user(self, ctx: _Ctx) -> _Result:
        return _Result(200, self._user(self._person(ctx)["login"]), documented=False)

    def _op_get_own_membership(self, ctx: _Ctx) -> _Result:
        self._needs_read_org(ctx)
        person = self._person(ctx)
        org = ctx.params["org"].lower()
        role = next((r for o, r in person["orgs"].items() if o.lower() == org), None)
        pending = any(o.lower() == org for o in person["pending"])
        if role is None and not pending:
            raise _HTTPError(404, "Not Found")
        organization = {"login": ctx.params["org"], "id": stable_id(org), "url": f"{self.base_url}/orgs/{ctx.params['org']}"}
        return _Result(200, {
            "url": f"{self.base_url}/orgs/{ctx.params['org']}/memberships/{person['login']}",
            "state": "pending" if role is None else "active", "role": role or "member",
            "organization_url": organization["url"], "organization": organization, "user": self._user(person["login"]),
        }, documented=False)

    def _op_list_own_teams(self, ctx: _Ctx) -> _Result:
        self._needs_read_org(ctx)
        person = self._person(ctx)
        per_page = max(1, min(100, int(ctx.query.get("per_page", "30") or 30)))
        page = max(1, int(ctx.query.get("page", "1") or 1))
        teams = [{"id": stable_id(f"{org}/{slug}"), "slug": slug, "name": slug, "privacy": "closed", "permission": "pull",
                  "organization": {"login": org, "id": stable_id(org.lower())}}
                 for org, slug in person["teams"] if org.lower() in {o.lower() for o in person["orgs"]}]
        return _Result(200, teams[(page - 1) * per_page: page * per_page], documented=False)

    def _op_get_permission(self, ctx: _Ctx) -> _Result:
        login = ctx.params["username"]
        role = self._collaborators.get((ctx.repo.full_name.lower(), login.lower()), "none")
        permission = {"maintain": "write", "triage": "read"}.get(role, role)
        return _Result(200, {"permission": permission, "role_name": role, "user": self._user(login)}, documented=False)

    def _op_get_content(self, ctx: _Ctx) -> _Result:
        path = ctx.params["path"].strip("/")
        key = ctx.repo.full_name.lower()
        ref = ctx.query.get("ref")
        data = self._contents.get((key, path, ref))
        if data is None:
            data = self._contents.get((key, path, None))
        if data is None:
            raise _HTTPError(404, "Not Found")
        types = _media_types(ctx.handler.headers.get("Accept"))
        if any(re.fullmatch(r"application/vnd\.github(\.v3)?\.raw", t) for t in types):
            return _Result(200, data, "application/vnd.github.raw; charset=utf-8",
                           headers={"X-GitHub-Media-Type": "github.v3; param=raw"})
        sha = hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()
        full = ctx.repo.full_name
        encoded = base64.b64encode(data).decode()
        content = "\n".join(encoded[i : i + 60] for i in range(0, len(encoded), 60)) + "\n"
        ref_name = ref or "main"
        url = f"{self.base_url}/repos/{full}/contents/{quote(path)}?ref={quote(ref_name)}"
        git_url = f"{self.base_url}/repos/{full}/git/blobs/{sha}"
        html_url = f"https://github.com/{full}/blob/{ref_name}/{quote(path)}"
        return _Result(200, {
            "type": "file", "encoding": "base64", "size": len(data), "name": path.rsplit("/", 1)[-1],
            "path": path, "content": content, "sha": sha, "url": url, "git_url": git_url, "html_url": html_url,
            "download_url": f"https://raw.githubusercontent.com/{full}/{ref_name}/{quote(path)}",
            "_links": {"self": url, "git": git_url, "html": html_url},
        })
