"""A test double of the Gitea / Forgejo REST API (v1) for end-to-end tests of the Code Corgi service.

`GiteaDouble` runs a threaded HTTP/1.1 server on 127.0.0.1 (random port) that answers, under
`/api/v1`, the part of the API a pull-request reviewer uses, the way Gitea 1.27 or Forgejo 16 answer
it: pull request (JSON, `.diff`, `.patch`), commit statuses (list, by ref, combined), reviews with
inline comments (create, list, get, their comments), issue comments (list, create, get, edit,
delete), file contents (`raw` and `contents`), a collaborator's permission, the current user and the
server version. It is built with a flavour, "gitea" or "forgejo".

Every request that maps to an operation of that flavour's published Swagger 2.0 description
(/work/shared/fixtures/gitea/swagger.v1.<flavour>.json, third-party, optional) is validated against
it (path and query parameters, JSON body), and every JSON response the double builds is validated
against the documented response schema. Without the descriptions the double answers the same way
but checks nothing against them (`validates` is False). What the descriptions do not say comes from
Gitea's documentation and source, cited next to the code that implements it. Anything Gitea would
refuse, or would accept but the reviewer must not rely on (a review comment outside the diff, a
review left PENDING, a `limit` above MAX_RESPONSE_ITEMS, ...), is appended to `.violations`, which a
test asserts is empty at the end.

Module functions (no server needed): `send_gitea_webhook`, `webhook_headers`, `sign_gitea`,
`pull_request_event`, `issue_comment_event`, `make_user`, `make_repository`, `make_pull_request`.

Stdlib plus openapi-schema-validator only. See the class docstring for the API.
"""
from __future__ import annotations

import base64
import copy
import hashlib
import hmac
import json
import math
import re
import secrets
import sys
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

from openapi_schema_validator import OAS30ReadValidator, OAS30WriteValidator, oas30_format_checker

try:  # what the forge doubles share, and the GitHub double's unified-diff parser (same folder)
    from api_double import (
        SHARED_DIR, ApiDouble, BaseRecordedRequest, BaseResult, BaseWebhookDelivery, DoubleHandler, Fault, NoSpec,
        OwnerAndName, Spec, encode_payload, first_values, iso, load_spec, match_route, openapi_operations,
        parse_iso, post, read_body, request_target, send, stable_id, status_phrase, template_regex,
    )
    from github_double import FileDiff, parse_diff
except ImportError:  # pragma: no cover - imported from outside tests/service
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from api_double import (
        SHARED_DIR, ApiDouble, BaseRecordedRequest, BaseResult, BaseWebhookDelivery, DoubleHandler, Fault, NoSpec,
        OwnerAndName, Spec, encode_payload, first_values, iso, load_spec, match_route, openapi_operations,
        parse_iso, post, read_body, request_target, send, stable_id, status_phrase, template_regex,
    )
    from github_double import FileDiff, parse_diff

__all__ = [
    "GiteaDouble", "RecordedRequest", "WebhookDelivery", "FLAVOURS", "SPEC_PATHS", "FIXTURES_DIR",
    "SIGNATURE_VECTORS_PATH", "send_gitea_webhook", "webhook_headers", "sign_gitea", "hook_event_type",
    "pull_request_event", "issue_comment_event", "make_user", "make_repository", "make_pull_request",
    "go_json",
]

# The Swagger descriptions and webhook fixtures are third-party: in ../shared beside the repository,
# or where CORGI_SHARED_DIR says (api_double.SHARED_DIR, as for the other doubles).
FIXTURES_DIR = SHARED_DIR / "fixtures" / "gitea"
SPEC_PATHS = {
    "gitea": FIXTURES_DIR / "swagger.v1.gitea-1.27.0.json",
    "forgejo": FIXTURES_DIR / "swagger.v1.forgejo-16.0.1.json",
}
SIGNATURE_VECTORS_PATH = FIXTURES_DIR / "webhook-signature-test-vectors.json"
FLAVOURS = ("gitea", "forgejo")
SERVER_VERSIONS = {"gitea": "1.27.0", "forgejo": "16.0.1+gitea-1.22.0"}  # GET /version (the specs' info.version)
API_PREFIX = "/api/v1"
DEFAULT_BASE_URL = "http://gitea.invalid"

# [api] DEFAULT_PAGING_NUM = 30 and MAX_RESPONSE_ITEMS = 50 are Gitea's defaults, and Forgejo's:
# https://docs.gitea.com/administration/config-cheat-sheet#api-api ,
# https://docs.gitea.com/development/api-usage ("MAX_RESPONSE_ITEMS is set to 50"),
# https://forgejo.org/docs/latest/admin/config-cheat-sheet/#api-api
DEFAULT_PAGING_NUM = 30
MAX_RESPONSE_ITEMS = 50
# [ui] CODE_COMMENT_LINES = 4: the lines of diff kept above a code comment (its `diff_hunk`).
CODE_COMMENT_LINES = 4

REVIEW_EVENTS = ("APPROVED", "PENDING", "COMMENT", "REQUEST_CHANGES", "REQUEST_REVIEW")
STATUS_STATES = ("pending", "success", "error", "failure", "warning", "skipped")
# modules/structs/commit_status.go commitStatusPriorities: a lower number is a worse state.
_STATUS_PRIORITY = {"error": 0, "failure": 1, "warning": 2, "pending": 3, "success": 4, "skipped": 5}
# models/perm AccessMode.ToString(); also RepoCollaboratorPermission.permission's enum (Gitea 1.27).
ACCESS_LEVELS = {"none": 0, "read": 1, "write": 2, "admin": 3, "owner": 4}

_GO_TIME_ZERO = "0001-01-01T00:00:00Z"


def _blob_sha(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def go_json(obj: Any, indent: int | None = None) -> bytes:
    """JSON the way Go's encoding/json writes it (Gitea's API and webhook bodies): '<', '>' and '&'
    (and U+2028/U+2029) escaped as \\u003c etc.; with `indent`, json.MarshalIndent's layout. Those
    characters only ever occur inside JSON strings, so escaping the serialized text is safe."""
    if indent:
        text = json.dumps(obj, ensure_ascii=False, indent=indent)
    else:
        text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
    for char, escaped in (("&", "\\u0026"), ("<", "\\u003c"), (">", "\\u003e"),
                          ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(char, escaped)
    return text.encode("utf-8")


def _parse_go_bool(value: str) -> bool | None:
    """strconv.ParseBool, which ctx.FormBool uses."""
    if value in ("1", "t", "T", "true", "TRUE", "True"):
        return True
    if value in ("0", "f", "F", "false", "FALSE", "False"):
        return False
    return None


# --------------------------------------------------------------------------------------------
# The Swagger 2.0 descriptions


def _nullable(prop: dict, everything: bool) -> dict:
    """Swagger 2.0 cannot say "nullable". Go writes null for nil pointers, slices and maps, so in
    responses a `$ref` (pointer), an array, an object map and a date-time (*time.Time) may be null;
    in requests any property may be null (encoding/json leaves the field unset)."""
    if "$ref" in prop:
        return {"anyOf": [prop, {"enum": [None]}]}
    if everything or prop.get("type") in ("array", "object") or prop.get("format") == "date-time":
        return dict(prop, nullable=True)
    return prop


# Scalars that are Go pointers in modules/structs (so null when unset), which Swagger 2.0 cannot mark:
# PullRequest.MergedCommitID *string; ContentsResponse's Encoding, Content, Target, DownloadURL,
# SubmoduleGitURL (*string) and Gitea's LfsOid/LfsSize.
_GO_POINTER_SCALARS = {
    "PullRequest": {"merge_commit_sha"},
    "ContentsResponse": {"encoding", "content", "target", "download_url", "submodule_git_url", "lfs_oid",
                         "lfs_size"},
}


def _nullable_definitions(definitions: dict, everything: bool) -> dict:
    out = copy.deepcopy(definitions)
    for name, schema in out.items():
        props = schema.get("properties")
        if isinstance(props, dict):
            pointers = _GO_POINTER_SCALARS.get(name, set())
            for prop in list(props):
                props[prop] = _nullable(props[prop], everything or prop in pointers)
    return out


def _format_errors(errors) -> list[str]:
    out = []
    for error in sorted(errors, key=lambda e: [str(p) for p in e.absolute_path]):
        where = "/".join(str(p) for p in error.absolute_path) or "(body)"
        message = error.message
        if error.validator == "anyOf" and error.context:  # a nullable $ref: report the real reason
            reasons = sorted({c.message[:200] for c in error.context if "is not one of [None]" not in c.message})
            message = "; ".join(reasons[:4]) or message
        if len(message) > 300:
            message = message[:300] + "…"
        out.append(f"{where}: {message}")
    return out


class _Swagger(Spec):
    def __init__(self, path: Path):
        self.path = Path(path)
        self.doc = json.loads(self.path.read_text(encoding="utf-8"))
        super().__init__(openapi_operations(self.doc))
        definitions = self.doc.get("definitions", {})
        self._defs = {"read": _nullable_definitions(definitions, False),
                      "write": _nullable_definitions(definitions, True)}

    def _validator(self, key: tuple, schema: dict, mode: str):
        def build():
            root = {"definitions": self._defs[mode], "allOf": [schema]}
            cls = OAS30WriteValidator if mode == "write" else OAS30ReadValidator
            return cls(root, format_checker=oas30_format_checker)

        return self._cached(key, build)

    def body_param(self, method: str, template: str) -> dict | None:
        op = self.operation(method, template) or {}
        return next((p for p in op.get("parameters", []) if p.get("in") == "body"), None)

    def body_validator(self, method: str, template: str):
        param = self.body_param(method, template)
        if param is None or "schema" not in param:
            return None
        return self._validator(("body", method, template), param["schema"], "write")

    def param_validator(self, method: str, template: str, param: dict):
        schema = {k: v for k, v in param.items()
                  if k in ("type", "format", "enum", "items", "minimum", "maximum", "pattern", "minLength",
                           "maxLength")}
        return self._validator(("param", method, template, param["in"], param["name"]), schema, "write")

    def response_schema(self, method: str, template: str, status: int) -> dict | None:
        op = self.operation(method, template)
        if op is None:
            return None
        response = op.get("responses", {}).get(str(status))
        if response is None:
            return None
        if "$ref" in response:
            response = self.doc.get("responses", {}).get(response["$ref"].rsplit("/", 1)[-1], {})
        schema = response.get("schema")
        if not schema or schema.get("type") == "file":
            return None
        return schema

    def response_validator(self, method: str, template: str, status: int):
        schema = self.response_schema(method, template, status)
        if schema is None:
            return None
        return self._validator(("response", method, template, status), schema, "read")

    def definition_validator(self, name: str):
        return self._validator(("definition", name), {"$ref": f"#/definitions/{name}"}, "read")

    def documents_status(self, method: str, template: str, status: int) -> bool:
        op = self.operation(method, template)
        return op is not None and str(status) in op.get("responses", {})


class _NoSpec(NoSpec):
    """Stands in when a Swagger description is absent: nothing to validate against."""

    def body_param(self, method, template):
        return None

    def definition_validator(self, name):
        return None

    def documents_status(self, method, template, status):
        return True


# --------------------------------------------------------------------------------------------
# API objects, built the way Gitea's services/convert package builds them
# (services/convert/user.go, repository.go, pull.go, pull_review.go, issue_comment.go, status.go).


def _base_of(repo: dict) -> str:
    html, full = repo.get("html_url") or "", repo.get("full_name") or ""
    return html[: -len(full) - 1] if full and html.endswith("/" + full) else DEFAULT_BASE_URL


def _flavour_of(obj: dict) -> str:
    owner = obj.get("owner") if isinstance(obj.get("owner"), dict) else obj
    return "forgejo" if isinstance(owner, dict) and "pronouns" in owner else "gitea"


def make_user(login: str, *, user_id: int | None = None, base_url: str = DEFAULT_BASE_URL, flavour: str = "gitea",
              full_name: str = "", email: str | None = None, is_admin: bool = False,
              created: float = 1_600_000_000.0) -> dict:
    """A `User` object as Gitea's API (and its webhooks) write it (convert.ToUser, signed-in view)."""
    uid = stable_id(login) if user_id is None else int(user_id)
    user = {
        "id": uid, "login": login, "login_name": "", "source_id": 0, "full_name": full_name,
        "email": email or f"{login.lower()}@noreply.localhost",
        "avatar_url": f"{base_url}/avatars/{hashlib.md5(login.lower().encode()).hexdigest()}",
        "html_url": f"{base_url}/{quote(login)}", "language": "", "is_admin": bool(is_admin),
        "last_login": _GO_TIME_ZERO, "created": iso(created), "restricted": False, "active": True,
        "prohibit_login": False, "location": "", "website": "", "description": "", "visibility": "public",
        "followers_count": 0, "following_count": 0, "starred_repos_count": 0, "username": login,
    }
    if flavour == "forgejo":
        user["pronouns"] = ""
    return user


def make_repository(full_name: str, *, repo_id: int = 1, base_url: str = DEFAULT_BASE_URL, flavour: str = "gitea",
                    owner: dict | None = None, private: bool = True, default_branch: str = "main",
                    permissions: dict | None = None, created: float = 1_600_000_000.0,
                    updated: float | None = None) -> dict:
    """A `Repository` object (convert.ToRepo) for `owner/name`."""
    owner_login, name = full_name.split("/", 1)
    owner = owner or make_user(owner_login, base_url=base_url, flavour=flavour)
    html = f"{base_url}/{full_name}"
    api = f"{base_url}{API_PREFIX}/repos/{full_name}"
    host = urlsplit(base_url).hostname or "localhost"
    repo = {
        "id": int(repo_id), "owner": owner, "name": name, "full_name": full_name, "description": "",
        "empty": False, "private": bool(private), "fork": False, "template": False, "parent": None,
        "mirror": False, "size": 0, "language": "", "languages_url": f"{api}/languages", "html_url": html,
        "url": api, "link": "", "ssh_url": f"git@{host}:{full_name}.git", "clone_url": f"{html}.git",
        "original_url": "", "website": "", "stars_count": 0, "forks_count": 0, "watchers_count": 1,
        "open_issues_count": 0, "open_pr_counter": 0, "release_counter": 0, "default_branch": default_branch,
        "archived": False, "created_at": iso(created), "updated_at": iso(updated or created),
        "archived_at": "1970-01-01T00:00:00Z",
        "permissions": permissions or {"admin": False, "push": True, "pull": True},
        "has_issues": True,
        "internal_tracker": {"enable_time_tracker": True, "allow_only_contributors_to_track_time": True,
                             "enable_issue_dependencies": True},
        "has_wiki": True, "has_pull_requests": True, "has_projects": True, "has_releases": True,
        "has_packages": True, "has_actions": True, "ignore_whitespace_conflicts": False,
        "allow_merge_commits": True, "allow_rebase": True, "allow_rebase_explicit": True,
        "allow_squash_merge": True, "allow_fast_forward_only_merge": True, "allow_rebase_update": True,
        "default_delete_branch_after_merge": False, "default_merge_style": "merge",
        "default_allow_maintainer_edit": False, "default_update_style": "merge", "avatar_url": "",
        "internal": False, "mirror_interval": "", "object_format_name": "sha1", "mirror_updated": _GO_TIME_ZERO,
        "repo_transfer": None, "topics": [],
    }
    if flavour == "forgejo":
        repo.update({"wiki_branch": default_branch, "globally_editable_wiki": False, "has_wiki_contents": False})
    else:
        repo.update({"has_code": True, "allow_manual_merge": False, "autodetect_manual_merge": False,
                     "licenses": [], "projects_mode": "all"})
    return repo


def make_pull_request(repo: dict, number: int, *, head_sha: str, base_sha: str, pr_id: int | None = None,
                      merge_base: str | None = None, head_ref: str | None = None, base_ref: str | None = None,
                      title: str | None = None, body: str = "", user: dict | str = "octo-dev", state: str = "open",
                      merged: bool = False, merged_at: float | None = None, merged_by: dict | None = None,
                      merge_commit_sha: str | None = None, closed_at: float | None = None,
                      created: float = 1_600_000_000.0, updated: float | None = None, comments: int = 0,
                      review_comments: int = 0, additions: int = 0, deletions: int = 0, changed_files: int = 0,
                      head_repo: dict | None = None, draft: bool = False, is_locked: bool = False,
                      flavour: str | None = None) -> dict:
    """A `PullRequest` object (convert.ToAPIPullRequest): `url` and `html_url` are the web page,
    `base.sha` is the base branch's tip, `merge_base` the fork point the diff is taken from, `head.ref`
    the head branch name (`refs/pull/N/head` once the branch is gone)."""
    base = _base_of(repo)
    flavour = flavour or _flavour_of(repo)
    if isinstance(user, str):
        user = make_user(user, base_url=base, flavour=flavour)
    html = f"{base}/{repo['full_name']}/pulls/{number}"
    head_repo = head_repo if head_repo is not None else repo
    base_ref = base_ref or repo.get("default_branch") or "main"
    pr = {
        "id": int(pr_id if pr_id is not None else stable_id(f"{repo['full_name']}#{number}")),
        "url": html, "number": int(number), "user": user, "title": title or f"Pull request {number}",
        "body": body, "labels": [], "milestone": None, "assignee": None, "assignees": None,
        "requested_reviewers": None, "requested_reviewers_teams": None, "state": state, "draft": draft,
        "is_locked": is_locked, "comments": comments, "review_comments": review_comments,
        "additions": additions, "deletions": deletions, "changed_files": changed_files, "html_url": html,
        "diff_url": f"{html}.diff", "patch_url": f"{html}.patch", "mergeable": not merged and state == "open",
        "merged": merged, "merged_at": iso(merged_at) if merged and merged_at else None,
        "merge_commit_sha": merge_commit_sha if merged else None, "merged_by": merged_by if merged else None,
        "allow_maintainer_edit": False,
        "base": {"label": base_ref, "ref": base_ref, "sha": base_sha, "repo_id": repo["id"], "repo": repo},
        "head": {"label": head_ref or "", "ref": head_ref or f"refs/pull/{number}/head", "sha": head_sha,
                 "repo_id": head_repo["id"] if head_ref else -1, "repo": head_repo if head_ref else None},
        "merge_base": merge_base or base_sha, "due_date": None, "created_at": iso(created),
        "updated_at": iso(updated or created), "closed_at": iso(closed_at) if closed_at else None,
        "pin_order": 0,
    }
    if flavour == "forgejo":
        pr["flow"] = 0
    else:
        pr["content_version"] = 0
    return pr


# --------------------------------------------------------------------------------------------
# Webhooks: headers, signature, payloads
#
# Headers: /work/shared/fixtures/gitea/HEADERS.md (go-gitea/gitea services/webhook/deliver.go
# addDefaultHeaders, modules/webhook/type.go; Forgejo services/webhook/shared/payloader.go) and
# https://docs.gitea.com/usage/repository/webhooks , https://forgejo.org/docs/latest/user/webhooks/


# X-Gitea-Event-Type (the exact hook event type) -> X-Gitea-Event (HookEventType.Event()).
_EVENT_OF_TYPE = {
    "pull_request": "pull_request",
    "pull_request_sync": "pull_request",
    "pull_request_assign": "pull_request",
    "pull_request_label": "pull_request",
    "pull_request_milestone": "pull_request",
    "pull_request_review_request": "pull_request",
    "issue_comment": "issue_comment",
    "pull_request_review_approved": "pull_request_approved",
    "pull_request_review_rejected": "pull_request_rejected",
    "pull_request_review_comment": "pull_request_comment",
}
_PR_ACTION_TYPES = {
    "synchronized": "pull_request_sync",
    "assigned": "pull_request_assign", "unassigned": "pull_request_assign",
    "label_updated": "pull_request_label", "label_cleared": "pull_request_label",
    "milestoned": "pull_request_milestone", "demilestoned": "pull_request_milestone",
    "review_requested": "pull_request_review_request", "review_request_removed": "pull_request_review_request",
}
PULL_REQUEST_ACTIONS = ("opened", "closed", "reopened", "edited", "synchronized", "assigned", "unassigned",
                        "label_updated", "label_cleared", "milestoned", "demilestoned", "reviewed",
                        "review_requested", "review_request_removed")


def sign_gitea(body: bytes | str, secret: str | bytes | None) -> str:
    """X-Gitea-Signature: lowercase hex HMAC-SHA256(secret, raw body), no prefix; "" without a secret."""
    if not secret:
        return ""
    key = secret.encode("utf-8") if isinstance(secret, str) else bytes(secret)
    data = body.encode("utf-8") if isinstance(body, str) else bytes(body)
    return hmac.new(key, data, hashlib.sha256).hexdigest()


def hook_event_type(event: str, payload: dict | None = None) -> str:
    """The X-Gitea-Event-Type Gitea sends along X-Gitea-Event `event` for `payload` (HEADERS.md:
    PR timeline comments are issue_comment/pull_request_comment, new commits pull_request_sync...)."""
    payload = payload if isinstance(payload, dict) else {}
    if event == "pull_request":
        return _PR_ACTION_TYPES.get(payload.get("action"), "pull_request")
    if event == "issue_comment":
        return "pull_request_comment" if payload.get("is_pull") else "issue_comment"
    return {"pull_request_approved": "pull_request_review_approved",
            "pull_request_rejected": "pull_request_review_rejected",
            "pull_request_comment": "pull_request_review_comment"}.get(event, event)


def _payload_bytes(payload: Any) -> bytes:
    if isinstance(payload, bytes):
        return payload
    if isinstance(payload, str):
        return payload.encode("utf-8")
    return go_json(payload, indent=2)  # Gitea stores json.MarshalIndent(payload, "", "  ")


def webhook_headers(event: str, body: bytes | str, secret: str | bytes | None, flavour: str = "gitea",
                    delivery: str | None = None, *, event_type: str | None = None,
                    content_type: str = "application/json", authorization: str | None = None) -> dict[str, str]:
    """The headers Gitea (or Forgejo) sends with a delivery whose signed JSON text is `body`.
    `event` is the X-Gitea-Event value; an exact event type such as "pull_request_sync" is accepted too
    and mapped to its coarse event ("pull_request_comment" always means the X-Gitea-Event of a
    submitted review, as it does in that header)."""
    if flavour not in FLAVOURS:
        raise ValueError(f"flavour must be one of {FLAVOURS}, got {flavour!r}")
    data = body.encode("utf-8") if isinstance(body, str) else bytes(body)
    try:
        payload = json.loads(data)
    except ValueError:
        payload = None
    if event in _EVENT_OF_TYPE and _EVENT_OF_TYPE[event] != event:
        event_type, event = event_type or event, _EVENT_OF_TYPE[event]
    event_type = event_type or hook_event_type(event, payload)
    delivery = delivery or str(uuid.uuid4())
    sig256 = sign_gitea(data, secret)
    sig1 = hmac.new(secret.encode() if isinstance(secret, str) else bytes(secret), data, hashlib.sha1).hexdigest() \
        if secret else ""
    headers = {"Content-Type": content_type}
    # G1/G3: the Gitea, Gogs and GitHub sets are always sent; empty signature values without a secret.
    for family in ("Gitea", "Gogs"):
        headers.update({f"X-{family}-Delivery": delivery, f"X-{family}-Event": event,
                        f"X-{family}-Event-Type": event_type, f"X-{family}-Signature": sig256})
    headers.update({"X-Hub-Signature": f"sha1={sig1}", "X-Hub-Signature-256": f"sha256={sig256}",
                    "X-GitHub-Delivery": delivery, "X-GitHub-Event": event, "X-GitHub-Event-Type": event_type})
    if flavour == "forgejo":  # F1: Forgejo adds its own set, same values
        headers.update({"X-Forgejo-Delivery": delivery, "X-Forgejo-Event": event,
                        "X-Forgejo-Event-Type": event_type, "X-Forgejo-Signature": sig256})
    else:  # G3: documented from Gitea 1.25 (newer than the G1 code HEADERS.md read)
        headers.update({"X-Gitea-Hook-Installation-Target-Type": "repository",
                        "X-GitHub-Hook-Installation-Target-Type": "repository"})
    if authorization:
        headers["Authorization"] = authorization
    return headers


@dataclass
class WebhookDelivery(BaseWebhookDelivery):
    request_headers: dict[str, str]
    request_body: bytes


def send_gitea_webhook(url: str, event: str, payload: Any, secret: str | bytes | None, flavour: str = "gitea",
                       delivery: str | None = None, *, event_type: str | None = None, content_type: str = "json",
                       authorization: str | None = None, timeout: float = 10.0,
                       extra_headers: dict[str, str] | None = None) -> WebhookDelivery:
    """POST a webhook delivery to `url` as Gitea/Forgejo would. `payload` is a dict (serialized like
    Gitea: Go JSON, two-space indent) or the exact bytes/str to send and sign. content_type="form"
    sends `payload=<url-encoded JSON>` as application/x-www-form-urlencoded, still signing the JSON
    text (HEADERS.md: the HMAC covers the JSON, not the HTTP body)."""
    signed = _payload_bytes(payload)
    if content_type == "json":
        body, mime = signed, "application/json"
    elif content_type == "form":
        body, mime = urlencode({"payload": signed.decode("utf-8")}).encode("ascii"), "application/x-www-form-urlencoded"
    else:
        raise ValueError("content_type must be 'json' or 'form'")
    headers = webhook_headers(event, signed, secret, flavour, delivery, event_type=event_type, content_type=mime,
                              authorization=authorization)
    headers.update(extra_headers or {})
    return WebhookDelivery(*post(url, body, headers, timeout), headers, body)


def _as_user(sender: dict | str | None, fallback: dict, base: str, flavour: str) -> dict:
    if sender is None:
        return copy.deepcopy(fallback)
    if isinstance(sender, str):
        return make_user(sender, base_url=base, flavour=flavour)
    return copy.deepcopy(sender)


def _as_repo(repo: dict | str) -> dict:
    return make_repository(repo) if isinstance(repo, str) else copy.deepcopy(repo)


def pull_request_event(repo: dict | str, pr: dict, action: str, sender: dict | str | None = None, *,
                       changes: dict | None = None, review: dict | None = None,
                       requested_reviewer: dict | None = None) -> dict:
    """A `pull_request` webhook payload (PullRequestPayload, modules/structs/hook.go): action, number,
    [changes], pull_request, requested_reviewer, repository, sender, commit_id, review. `repo` and `pr`
    are API objects (GiteaDouble.repo_json / pull_json, or make_repository / make_pull_request);
    `sender` a User object or a login (default: the pull request's author). Gitea spells new commits
    "synchronized", not GitHub's "synchronize"."""
    if action == "synchronize":
        raise ValueError("Gitea's action for new commits is 'synchronized' (GitHub says 'synchronize')")
    if action not in PULL_REQUEST_ACTIONS:
        raise ValueError(f"unknown pull_request action {action!r}; Gitea sends {PULL_REQUEST_ACTIONS}")
    repo = _as_repo(repo)
    pr = copy.deepcopy(pr)
    base, flavour = _base_of(repo), _flavour_of(repo)
    if action == "closed":
        pr["state"] = "closed"
        pr["closed_at"] = pr.get("closed_at") or pr.get("updated_at")
    elif action in ("opened", "reopened", "synchronized"):
        pr["state"] = "open"
        pr["closed_at"] = None
    payload: dict[str, Any] = {"action": action, "number": pr["number"]}
    if changes is not None:
        payload["changes"] = changes
    payload.update({
        "pull_request": pr, "requested_reviewer": requested_reviewer, "repository": repo,
        "sender": _as_user(sender, pr["user"], base, flavour), "commit_id": "", "review": review,
    })
    return payload


def issue_comment_event(repo: dict | str, pr: dict, body: str, sender: dict | str | None = None, *,
                        action: str = "created", comment: dict | None = None, comment_id: int | None = None,
                        changes: dict | None = None, created: float | None = None) -> dict:
    """An `issue_comment` webhook payload for a comment on the pull request's timeline
    (IssueCommentPayload: action, issue, comment, [changes], repository, sender, is_pull=true). Gitea
    sends it as X-Gitea-Event: issue_comment, X-Gitea-Event-Type: pull_request_comment. `comment` may
    be the Comment object the API returned (GiteaDouble.add_issue_comment); otherwise one is built."""
    if action not in ("created", "edited", "deleted"):
        raise ValueError("issue_comment actions are 'created', 'edited' and 'deleted'")
    repo = _as_repo(repo)
    base, flavour = _base_of(repo), _flavour_of(repo)
    user = _as_user(sender, pr["user"], base, flavour)
    now = iso(created if created is not None else time.time())
    if comment is None:
        cid = int(comment_id if comment_id is not None else stable_id(f"{pr['html_url']}:{body}:{now}"))
        comment = {
            "id": cid, "html_url": f"{pr['html_url']}#issuecomment-{cid}", "pull_request_url": pr["html_url"],
            "issue_url": "", "user": user, "original_author": "", "original_author_id": 0, "body": body,
            "assets": [], "created_at": now, "updated_at": now,
        }
    else:
        comment = copy.deepcopy(comment)
    issue = {
        "id": pr["id"], "url": f"{repo['url']}/issues/{pr['number']}", "html_url": pr["html_url"],
        "number": pr["number"], "user": copy.deepcopy(pr["user"]), "original_author": "",
        "original_author_id": 0, "title": pr["title"], "body": pr.get("body", ""), "ref": "", "assets": [],
        "labels": copy.deepcopy(pr.get("labels") or []), "milestone": None, "assignee": None, "assignees": None,
        "state": pr["state"], "is_locked": pr.get("is_locked", False), "comments": pr.get("comments", 0),
        "created_at": pr.get("created_at"), "updated_at": pr.get("updated_at"), "closed_at": pr.get("closed_at"),
        "due_date": None,
        "pull_request": {"merged": pr.get("merged", False), "merged_at": pr.get("merged_at"),
                         "draft": pr.get("draft", False), "html_url": pr["html_url"]},
        "repository": {"id": repo["id"], "name": repo["name"], "owner": repo["owner"]["login"],
                       "full_name": repo["full_name"]},
        "pin_order": 0,
    }
    payload: dict[str, Any] = {"action": action, "issue": issue, "comment": comment}
    if changes is not None:
        payload["changes"] = changes
    payload.update({"repository": repo, "sender": user, "is_pull": True})
    return payload


# --------------------------------------------------------------------------------------------
# Diffs: where a code comment lands and the `diff_hunk` Gitea stores with it


_HUNK_HEADER = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")


def _file_diff(files: list[FileDiff], path: str) -> FileDiff | None:
    for fd in files:
        if path in (fd.path, fd.new_path, fd.old_path):
            return fd
    return None


def _diff_line(fd: FileDiff, line: int, old: bool, kinds: str):
    for _, dl in fd.all_lines():
        if dl.kind in kinds and (dl.old if old else dl.new) == line:
            return dl
    return None


def cut_diff_around_line(fd: FileDiff, line: int, old: bool, lines_above: int = CODE_COMMENT_LINES) -> str:
    """The `diff_hunk` of a code comment: the hunk holding `line` (on the old or new side) up to that
    line, cut to the last `lines_above` lines with a recomputed header; "" when no hunk holds it. The
    behaviour of Gitea's git.CutDiffAroundLine (modules/git/diff.go) followed by patch2diff
    (services/convert/pull_review.go), re-implemented."""
    if line <= 0 or lines_above <= 0:
        return ""
    for hunk in fd.hunks:
        m = _HUNK_HEADER.match(hunk.header)
        if not m:
            continue
        old_start, old_count, new_start, new_count = (int(g) if g is not None else None for g in m.groups())
        begin = old_start if old else new_start
        count = (old_count if old else new_count) or 0  # Gitea reads a missing count as 0
        if not (begin <= line <= begin + count):
            continue
        current, other = begin, (new_start if old else old_start)
        body: list[str] = []
        for dl in hunk.lines:
            if dl.kind == "@":
                break
            if current > line:
                break
            body.append(dl.text)
            if dl.kind == " ":
                current += 1
                other += 1
            elif dl.kind == ("-" if old else "+"):
                current += 1
            elif dl.kind in "+-":
                other += 1
        if len(body) <= lines_above:
            return "\n".join([hunk.header] + body)
        tail = body[-lines_above:]
        old_begin, new_begin = (current, other) if old else (other, current)
        old_n = new_n = 0
        for text in reversed(tail):
            if text.startswith("+"):
                new_begin -= 1
                new_n += 1
            elif text.startswith("-"):
                old_begin -= 1
                old_n += 1
            else:
                old_begin -= 1
                new_begin -= 1
                old_n += 1
                new_n += 1
        return "\n".join([f"@@ -{old_begin},{old_n} +{new_begin},{new_n} @@"] + tail)
    return ""


def _expect(body: dict, name: str, kind: type, where: str = "") -> Any:
    """encoding/json's type check for one field (what the Swagger description also says)."""
    value = body.get(name)
    if value is not None and (not isinstance(value, kind) or (kind is int and isinstance(value, bool))):
        go_type = {str: "string", int: "int64"}[kind]
        problem = f"{where}{name}: json: cannot unmarshal {type(value).__name__} into a Go value of type {go_type}"
        raise _HTTPError(422, f"[]: {problem}", violation=f"request body: {problem}")
    return value


# --------------------------------------------------------------------------------------------
# State


@dataclass
class RecordedRequest(BaseRecordedRequest):
    """One request the double received. `headers` holds selected headers; Authorization is reduced
    to its scheme ("token", "Bearer", ...), never the credential."""

    credential: str | None = None  # "token", "invalid" or None (no credential)
    user: str | None = None  # login of the token's owner
    response_headers: dict[str, str] = field(default_factory=dict)


@dataclass
class _User:
    id: int
    login: str
    full_name: str = ""
    is_admin: bool = False
    created: float = 1_600_000_000.0


@dataclass
class _Repo(OwnerAndName):
    id: int
    full_name: str
    default_branch: str
    private: bool
    created: float
    permissions: dict[str, str] = field(default_factory=dict)  # lower-case login -> level
    branches: dict[str, str] = field(default_factory=dict)  # branch -> sha

    @property
    def key(self) -> str:
        return self.full_name.lower()


@dataclass
class _Issue:
    repo: str  # lower-case full name
    index: int
    id: int
    title: str
    body: str
    author: str
    state: str
    created: float
    updated: float
    closed: float | None = None
    is_locked: bool = False
    pull: "_Pull | None" = None


@dataclass
class _Pull:
    id: int
    head_sha: str
    base_sha: str
    merge_base: str
    head_ref: str | None
    base_ref: str
    head_repo: str | None  # lower-case full name of a fork, None for the same repository
    diff: bytes
    binary_diff: bytes | None
    files: list[FileDiff]
    heads: list[str]  # every head sha the pull request has had, oldest first
    merged: bool = False
    merged_at: float | None = None
    merge_commit_sha: str | None = None
    draft: bool = False


class _HTTPError(Exception):
    def __init__(self, status: int, message: str | None = None, *, violation: str | None = None,
                 documented: bool = True, headers: dict | None = None, empty: bool = False,
                 errors: list[str] | None = None):
        super().__init__(message or "")
        self.status = status
        self.message = message
        self.violation = violation
        self.documented = documented
        self.headers = headers or {}
        self.empty = empty  # ctx.Status(code): no body at all
        self.errors = errors


@dataclass
class _Result(BaseResult):
    content_type: str = "application/json;charset=utf-8"
    documented: bool = True  # validate against the documented response schema


@dataclass
class _Route:
    method: str
    template: str  # as in the Swagger description (relative to /api/v1)
    handler: str
    auth: bool = True
    regex: re.Pattern = field(init=False)

    def __post_init__(self):
        self.regex = template_regex(self.template, {
            "filepath": ".+",
            "diffType": "diff|patch",  # the router only knows these two
            "index": "[^/.]+",
        })


@dataclass
class _Ctx:
    handler: BaseHTTPRequestHandler
    method: str
    path: str  # full request path, /api/v1/...
    params: dict[str, Any]
    query: dict[str, str]
    body: Any
    route: _Route
    record: RecordedRequest
    user: _User | None = None
    repo: _Repo | None = None


_ROUTES = [
    _Route("GET", "/version", "version", auth=False),
    _Route("GET", "/user", "current_user"),
    _Route("GET", "/repos/{owner}/{repo}/pulls/{index}.{diffType}", "pull_diff"),
    _Route("GET", "/repos/{owner}/{repo}/pulls/{index}", "get_pull"),
    _Route("GET", "/repos/{owner}/{repo}/pulls/{index}/reviews", "list_reviews"),
    _Route("POST", "/repos/{owner}/{repo}/pulls/{index}/reviews", "create_review"),
    _Route("GET", "/repos/{owner}/{repo}/pulls/{index}/reviews/{id}", "get_review"),
    _Route("GET", "/repos/{owner}/{repo}/pulls/{index}/reviews/{id}/comments", "list_review_comments"),
    _Route("GET", "/repos/{owner}/{repo}/statuses/{sha}", "list_statuses"),
    _Route("POST", "/repos/{owner}/{repo}/statuses/{sha}", "create_status"),
    _Route("GET", "/repos/{owner}/{repo}/commits/{ref}/statuses", "list_statuses_by_ref"),
    _Route("GET", "/repos/{owner}/{repo}/commits/{ref}/status", "combined_status"),
    _Route("GET", "/repos/{owner}/{repo}/issues/{index}/comments", "list_issue_comments"),
    _Route("POST", "/repos/{owner}/{repo}/issues/{index}/comments", "create_issue_comment"),
    _Route("GET", "/repos/{owner}/{repo}/issues/comments/{id}", "get_issue_comment"),
    _Route("PATCH", "/repos/{owner}/{repo}/issues/comments/{id}", "edit_issue_comment"),
    _Route("DELETE", "/repos/{owner}/{repo}/issues/comments/{id}", "delete_issue_comment"),
    _Route("GET", "/repos/{owner}/{repo}/raw/{filepath}", "raw_file"),
    _Route("GET", "/repos/{owner}/{repo}/contents/{filepath}", "get_contents"),
    _Route("GET", "/repos/{owner}/{repo}/collaborators/{collaborator}/permission", "get_permission"),
]


# --------------------------------------------------------------------------------------------
# HTTP plumbing


class _Handler(DoubleHandler):
    def send_response(self, code, message=None):  # Go's net/http sends no Server header
        self.log_request(code)
        self.send_response_only(code, message)
        self.send_header("Date", self.date_time_string())


# --------------------------------------------------------------------------------------------


class GiteaDouble(ApiDouble):
    """In-process stand-in for a Gitea (or Forgejo) server's REST API, rooted at `base_url + "/api/v1"`.

    GiteaDouble(flavour="gitea", *, token=None, bot_login="code-corgi", spec_path=<flavour's swagger>,
                comment_lines="added", default_paging_num=30, max_response_items=50)
    start() / stop() / context manager; base_url ("http://127.0.0.1:PORT", Gitea's ROOT_URL without the
    slash), api_url (base_url + "/api/v1"), token (the bot's token), bot_login, flavour,
    validates (the flavour's Swagger description was found)

    Setup (all return quickly and may be called while requests are served):
      add_user(login, *, user_id=None, full_name="", is_admin=False) -> id
      add_token(token, login)                 another valid token (`Authorization: token <token>`)
      add_repo(full_name, name=None, repo_id=None, *, default_branch="main", private=True,
               bot_permission="write") -> id    add_repo("acme/app", repo_id=7) or add_repo("acme", "app", 7)
      set_permission(full_name, login, level) level: none | read | write | admin | owner
      set_pull(full_name, index, *, head_sha, diff, base_sha=None, merge_base=None, head_ref=None,
               base_ref=None, title=None, body="", author=None, state="open", merged=False,
               binary_diff=None, head_repo=None, draft=False, is_locked=False)   create or update
      push_head(full_name, index, head_sha, diff, *, binary_diff=None)   new commits on the head branch
      add_issue(full_name, index, *, title=None, author="octo-dev")      a plain issue (not a PR)
      add_issue_comment(full_name, index, body, *, author="octo-dev") -> Comment JSON (e.g. a chat command)
      delete_comment(comment_id)
      set_file(full_name, path, content, ref=None)   ref: a branch, tag or commit sha (None: default branch)
      set_branch(full_name, branch, sha)
      add_commit(full_name, sha)              a commit statuses may be posted to (PR shas are known already)
    Objects (the JSON the API would return): user_json(login), repo_json(full_name), pull_json(full_name, index)
    Read back: requests, calls(method, path_regex), violations, take_violations(), statuses, reviews,
      review_comments, misplaced_comments, issue_comments, combined_state(full_name, sha),
      wait_for(predicate, timeout=30)
    Fault injection: fail_next(method, path_regex, status, times=1, headers=None, body=None, delay=0.0),
      drop_next(method, path_regex, times=1); aliases fail(...) and drop(...)
    clock: the time source for timestamps (replaceable in tests)

    Behaviour worth knowing (each is what Gitea does; see the comments at the code):
    * A missing `Authorization` is 401 and a violation; an unknown token is 401 (go-gitea/gitea#21671).
      `?token=`/`?access_token=` are a violation: Gitea still accepts them (deprecated), Forgejo has
      none (401).
    * A request the flavour's Swagger description refuses is answered 422 {"message", "url"} and is a
      violation (Gitea itself is laxer in places, e.g. it reads ?page=x as page 1). A POST body needs
      Content-Type: application/json (else 422 "[]: Empty Content-Type", as go-chi/binding does).
    * Gitea accepts review comments on any line (services/pull/review.go createCodeComment never
      checks the diff). The double accepts them too, but a comment whose line is not in the pull
      request's diff is a violation and is listed in `misplaced_comments`. comment_lines="added"
      (default) requires new_position to be an added line (old_position a removed line);
      comment_lines="diff" allows any line the diff shows on that side (context lines too).
    * An event other than APPROVED / REQUEST_CHANGES / COMMENT leaves the review PENDING (only its
      author sees it): a violation. The next review by the same user completes that PENDING review
      (same id, its earlier comments included). A commit_id that is not the head is kept (the review
      is `stale` only for APPROVED/REQUEST_CHANGES) and is a violation.
    * Querying another user's permission needs repo admin (or site admin): with the default
      bot_permission="write" it is 403, as on Gitea.
    * Reviews list: paginated with X-Total-Count but no Link header. Issue comments list: not
      paginated (page/limit are ignored; a violation). Statuses: paginated with Link and X-Total-Count.
    * An unknown issue index on the issue-comment endpoints is 500 (GetIssueByIndex's error is not
      mapped to 404 there), with an empty message as in production mode.
    """

    _handler_class = _Handler

    def __init__(self, flavour: str = "gitea", *, token: str | None = None, bot_login: str = "code-corgi",
                 spec_path: Path | str | None = None, comment_lines: str = "added",
                 default_paging_num: int = DEFAULT_PAGING_NUM, max_response_items: int = MAX_RESPONSE_ITEMS):
        if flavour not in FLAVOURS:
            raise ValueError(f"flavour must be one of {FLAVOURS}, got {flavour!r}")
        if comment_lines not in ("added", "diff"):
            raise ValueError("comment_lines must be 'added' or 'diff'")
        super().__init__()
        self.flavour = flavour
        self.bot_login = bot_login
        self.comment_lines = comment_lines
        self.default_paging_num = int(default_paging_num)
        self.max_response_items = int(max_response_items)
        self._spec = load_spec(Path(spec_path) if spec_path is not None else SPEC_PATHS[flavour], _Swagger, _NoSpec)
        # Whether requests and responses are checked against the flavour's Swagger description.
        self.validates = isinstance(self._spec, _Swagger)

        self._users: dict[str, _User] = {}
        self._tokens: dict[str, str] = {}  # token -> lower-case login
        self._repos: dict[str, _Repo] = {}
        self._issues: dict[tuple[str, int], _Issue] = {}
        self._comments: dict[int, dict] = {}  # Gitea's comment table: plain, code and review rows
        self._reviews: dict[int, dict] = {}
        self._statuses: list[dict] = []
        self._commits: dict[str, set[str]] = {}  # repo key -> known commit shas
        self._files: dict[tuple[str, str], dict[str, bytes]] = {}  # (repo key, ref) -> path -> bytes
        self._ids = {"user": 0, "repo": 0, "pull": 100, "issue": 200, "comment": 1000, "review": 0}

        self.token = token or secrets.token_hex(20)  # Gitea tokens are 40 hex characters
        self.add_user(bot_login)
        self.add_token(self.token, bot_login)

    # ---- lifecycle (stop, context manager: ApiDouble) ------------------------------------

    @property
    def api_url(self) -> str:
        return self.base_url + API_PREFIX

    def start(self) -> "GiteaDouble":
        if self._server is not None:
            return self
        self._stopping.clear()
        self._bind()
        self._serve(f"{self.flavour}-double", 0.02)
        return self

    # ---- state setup ---------------------------------------------------------------------

    def _user(self, login: str) -> _User:
        user = self._users.get(login.lower())
        if user is None:
            user = _User(self._next_id("user"), login, created=self.clock())
            self._users[login.lower()] = user
        return user

    def add_user(self, login: str, *, user_id: int | None = None, full_name: str = "",
                 is_admin: bool = False) -> int:
        """Register a user (users named elsewhere, e.g. a PR author, are registered on first use)."""
        with self._cond:
            user = self._user(login)
            if user_id is not None:
                user.id = int(user_id)
            user.full_name = full_name
            user.is_admin = bool(is_admin)
            return user.id

    def add_token(self, token: str, login: str) -> None:
        with self._cond:
            self._tokens[token] = self._user(login).login.lower()

    def _repo(self, full_name: str, create: bool = False) -> _Repo:
        if "/" not in full_name:
            raise ValueError(f"repository must be 'owner/name', got {full_name!r}")
        repo = self._repos.get(full_name.lower())
        if repo is None:
            if not create:
                raise KeyError(f"unknown repository {full_name!r}: call add_repo first")
            repo = self._repos[full_name.lower()] = _Repo(self._next_id("repo"), full_name, "main", True,
                                                           self.clock())
            self._user(repo.owner)
            repo.permissions[self.bot_login.lower()] = "write"
            self._commits.setdefault(repo.key, set())
        return repo

    def add_repo(self, full_name: str, name: str | None = None, repo_id: int | None = None, *,
                 default_branch: str = "main", private: bool = True, bot_permission: str = "write") -> int:
        """A repository, as add_repo("owner/name", repo_id=7) or add_repo("owner", "name", 7), owned by
        the user or organization `owner`. The bot gets `bot_permission`. Returns the repository id."""
        if bot_permission not in ACCESS_LEVELS:
            raise ValueError(f"permission must be one of {list(ACCESS_LEVELS)}")
        if name is not None:
            full_name = f"{full_name}/{name}"
        with self._cond:
            repo = self._repo(full_name, create=True)
            if repo_id is not None:
                repo.id = int(repo_id)
            repo.default_branch = default_branch
            repo.private = bool(private)
            repo.permissions[self.bot_login.lower()] = bot_permission
            self._cond.notify_all()
            return repo.id

    def set_permission(self, full_name: str, login: str, level: str) -> None:
        """The access `login` has to the repository (what collaborators/{login}/permission reports)."""
        if level not in ACCESS_LEVELS:
            raise ValueError(f"permission must be one of {list(ACCESS_LEVELS)}")
        with self._cond:
            repo = self._repo(full_name)
            self._user(login)
            repo.permissions[login.lower()] = level

    def set_branch(self, full_name: str, branch: str, sha: str) -> None:
        with self._cond:
            repo = self._repo(full_name)
            repo.branches[branch] = sha
            self._commits[repo.key].add(sha)

    def add_commit(self, full_name: str, sha: str) -> None:
        with self._cond:
            self._commits[self._repo(full_name).key].add(sha)

    def set_pull(self, full_name: str, index: int, *, head_sha: str, diff: str | bytes, base_sha: str | None = None,
                 merge_base: str | None = None, head_ref: str | None = None, base_ref: str | None = None,
                 title: str | None = None, body: str = "", author: str | None = None, state: str = "open",
                 merged: bool = False, binary_diff: str | bytes | None = None, head_repo: str | None = None,
                 draft: bool = False, is_locked: bool = False) -> None:
        """Create or update pull request `index` (an issue index: issues and pull requests share them).
        `diff` is the unified git diff of the whole change (merge base ... head); `binary_diff` the
        variant served for `?binary=true`. A new head_sha is a push (see push_head). state="closed"
        with merged=True is a merged pull request. On an update, title/body/author left out are kept
        (the author defaults to "octo-dev")."""
        if state not in ("open", "closed"):
            raise ValueError("state must be 'open' or 'closed'")
        raw = diff.encode("utf-8") if isinstance(diff, str) else bytes(diff)
        files = parse_diff(raw)
        raw_binary = binary_diff.encode("utf-8") if isinstance(binary_diff, str) else binary_diff
        base_given = base_sha is not None
        with self._cond:
            repo = self._repo(full_name)
            now = self.clock()
            issue = self._issues.get((repo.key, int(index)))
            existing = issue.pull if issue else None
            if issue is not None and existing is None:
                raise ValueError(f"{full_name}#{index} is an issue, not a pull request")
            base_ref = base_ref or (existing.base_ref if existing else repo.default_branch)
            base_sha = base_sha or (existing.base_sha if existing else
                                    hashlib.sha1(f"{full_name}:{base_ref}".encode()).hexdigest())
            heads = list(existing.heads) if existing else []
            if head_sha not in heads:
                heads.append(head_sha)
            pull = _Pull(
                id=existing.id if existing else self._next_id("pull"), head_sha=head_sha, base_sha=base_sha,
                merge_base=merge_base or (existing.merge_base if existing and not base_given else base_sha),
                head_ref=head_ref if head_ref is not None else (existing.head_ref if existing else f"feature-{index}"),
                base_ref=base_ref, head_repo=head_repo.lower() if head_repo else None, diff=raw,
                binary_diff=raw_binary, files=files, heads=heads, merged=bool(merged),
                merged_at=(existing.merged_at if existing and existing.merged else now) if merged else None,
                merge_commit_sha=hashlib.sha1(f"merge:{head_sha}".encode()).hexdigest() if merged else None,
                draft=draft,
            )
            if issue is None:
                issue = _Issue(repo.key, int(index), self._next_id("issue"), title or f"Pull request {index}",
                               body, author or "octo-dev", "open", now, now)
                self._issues[(repo.key, int(index))] = issue
            issue.title = title or issue.title
            issue.body = body or issue.body
            issue.author = author or issue.author
            issue.is_locked = is_locked
            if state != issue.state:
                issue.closed = now if state == "closed" else None
            issue.state = state
            issue.updated = now
            issue.pull = pull
            self._user(issue.author)
            known = self._commits[repo.key]
            known.update(heads)
            known.update({base_sha, pull.merge_base})
            if pull.head_ref and not pull.head_repo:
                repo.branches[pull.head_ref] = head_sha
            if base_given or base_ref not in repo.branches:
                repo.branches[base_ref] = base_sha
            self._cond.notify_all()

    def push_head(self, full_name: str, index: int, head_sha: str, diff: str | bytes, *,
                  binary_diff: str | bytes | None = None) -> None:
        """New commits on the head branch: the head moves to `head_sha` and the diff becomes `diff`."""
        with self._cond:
            issue = self._issues[(self._repo(full_name).key, int(index))]
            pull = issue.pull
            self.set_pull(full_name, index, head_sha=head_sha, diff=diff, base_sha=pull.base_sha,
                          merge_base=pull.merge_base, head_ref=pull.head_ref, base_ref=pull.base_ref,
                          author=issue.author, state=issue.state, binary_diff=binary_diff,
                          head_repo=pull.head_repo, draft=pull.draft, is_locked=issue.is_locked)

    def add_issue(self, full_name: str, index: int, *, title: str | None = None, author: str = "octo-dev") -> None:
        with self._cond:
            repo = self._repo(full_name)
            now = self.clock()
            self._issues[(repo.key, int(index))] = _Issue(repo.key, int(index), self._next_id("issue"),
                                                          title or f"Issue {index}", "", author, "open", now, now)
            self._user(author)

    def add_issue_comment(self, full_name: str, index: int, body: str, *, author: str = "octo-dev") -> dict:
        """A comment someone wrote on the issue or pull request timeline; returns its Comment JSON
        (pass it to issue_comment_event to deliver the matching webhook)."""
        with self._cond:
            repo = self._repo(full_name)
            issue = self._issues[(repo.key, int(index))]
            comment = self._new_comment("comment", repo, issue, body, self._user(author))
            self._cond.notify_all()
            return self._comment_obj(comment)

    def delete_comment(self, comment_id: int) -> None:
        with self._cond:
            self._comments.pop(int(comment_id))
            self._cond.notify_all()

    def set_file(self, full_name: str, path: str, content: str | bytes, ref: str | None = None) -> None:
        """A file served by raw/{path} and contents/{path} at `ref` (a branch, tag or commit sha;
        None = the default branch)."""
        data = content.encode("utf-8") if isinstance(content, str) else bytes(content)
        with self._cond:
            repo = self._repo(full_name)
            ref = ref or repo.default_branch
            self._files.setdefault((repo.key, ref), {})[path.strip("/")] = data
            if re.fullmatch(r"[0-9a-f]{40}|[0-9a-f]{64}", ref):
                self._commits[repo.key].add(ref)

    # ---- fault injection (fail_next, drop_next: ApiDouble; paths are the full /api/v1/...) --

    fail = ApiDouble.fail_next
    drop = ApiDouble.drop_next

    # ---- inspection (requests, calls, violations, take_violations, wait_for: ApiDouble) --

    @property
    def statuses(self) -> list[dict]:
        """Every commit status posted, oldest first: repo, sha, id (per-sha index), state, context,
        description, target_url, creator, created_at."""
        with self._cond:
            return copy.deepcopy(self._statuses)

    def combined_state(self, full_name: str, sha: str) -> str:
        with self._cond:
            return self._combine(self._latest_statuses(self._repo(full_name), sha))

    @property
    def reviews(self) -> dict[int, dict]:
        with self._cond:
            return copy.deepcopy(self._reviews)

    @property
    def review_comments(self) -> dict[int, dict]:
        """Code comments: id, review_id, repo, index, path, body, line (negative = old side),
        new_position, old_position, diff_hunk, commit_id, problem (None when it lands in the diff)."""
        with self._cond:
            return {cid: copy.deepcopy(c) for cid, c in self._comments.items() if c["type"] == "code"}

    @property
    def misplaced_comments(self) -> list[dict]:
        return [c for c in self.review_comments.values() if c["problem"]]

    @property
    def issue_comments(self) -> dict[int, dict]:
        """Plain comments: id, repo, index, body, user, history (every body it had), created_at, updated_at."""
        with self._cond:
            return {cid: copy.deepcopy(c) for cid, c in self._comments.items() if c["type"] == "comment"}

    # ---- JSON objects ----------------------------------------------------------------------

    @property
    def _base(self) -> str:
        return self.base_url or DEFAULT_BASE_URL

    @property
    def _swagger_url(self) -> str:
        return f"{self._base}/api/swagger"  # setting.API.SwaggerURL

    def user_json(self, login: str) -> dict:
        with self._cond:
            user = self._user(login)
            return make_user(user.login, user_id=user.id, base_url=self._base, flavour=self.flavour,
                             full_name=user.full_name, is_admin=user.is_admin, created=user.created)

    def _level(self, repo: _Repo, login: str | None) -> str:
        """GetUserRepoPermission: explicit collaborator level, owner, site admin, else none/read."""
        if login is None:
            return "none" if repo.private else "read"
        if login.lower() in repo.permissions:
            return repo.permissions[login.lower()]
        if login.lower() == repo.owner.lower():
            return "owner"
        user = self._users.get(login.lower())
        if user is not None and user.is_admin:
            return "admin"
        return "none" if repo.private else "read"

    def repo_json(self, full_name: str, viewer: str | None = None) -> dict:
        with self._cond:
            repo = self._repo(full_name)
            level = ACCESS_LEVELS[self._level(repo, viewer or self.bot_login)]
            return make_repository(
                repo.full_name, repo_id=repo.id, base_url=self._base, flavour=self.flavour,
                owner=self.user_json(repo.owner), private=repo.private, default_branch=repo.default_branch,
                permissions={"admin": level >= 3, "push": level >= 2, "pull": level >= 1}, created=repo.created)

    def pull_json(self, full_name: str, index: int) -> dict:
        with self._cond:
            repo = self._repo(full_name)
            issue = self._issues.get((repo.key, int(index)))
            if issue is None or issue.pull is None:
                raise KeyError(f"no pull request {full_name}#{index}")
            return self._pull_obj(repo, issue)

    def _pull_obj(self, repo: _Repo, issue: _Issue) -> dict:
        pull = issue.pull
        repo_obj = self.repo_json(repo.full_name)
        head_repo = self.repo_json(self._repos[pull.head_repo].full_name) if pull.head_repo else repo_obj
        comments = [c for c in self._comments.values() if c["repo"] == repo.key and c["index"] == issue.index]
        return make_pull_request(
            repo_obj, issue.index, pr_id=pull.id, head_sha=pull.head_sha, base_sha=repo.branches.get(
                pull.base_ref, pull.base_sha), merge_base=pull.merge_base, head_ref=pull.head_ref,
            base_ref=pull.base_ref, title=issue.title, body=issue.body, user=self.user_json(issue.author),
            state=issue.state, merged=pull.merged, merged_at=pull.merged_at,
            merged_by=self.user_json(repo.owner) if pull.merged else None, merge_commit_sha=pull.merge_commit_sha,
            closed_at=issue.closed, created=issue.created, updated=issue.updated,
            comments=sum(1 for c in comments if c["type"] == "comment"),
            review_comments=sum(1 for c in comments if c["type"] == "code"),
            additions=sum(f.additions for f in pull.files), deletions=sum(f.deletions for f in pull.files),
            changed_files=len(pull.files), head_repo=head_repo, draft=pull.draft, is_locked=issue.is_locked,
            flavour=self.flavour)

    def _html(self, repo: _Repo, issue: _Issue) -> str:
        kind = "pulls" if issue.pull else "issues"
        return f"{self._base}/{repo.full_name}/{kind}/{issue.index}"

    def _comment_obj(self, c: dict) -> dict:
        """convert.ToAPIComment: issue_url is "" for a pull request and pull_request_url "" for an issue."""
        repo = self._repos[c["repo"]]
        issue = self._issues[(c["repo"], c["index"])]
        html = self._html(repo, issue)
        return {
            "id": c["id"], "html_url": f"{html}#issuecomment-{c['id']}",
            "pull_request_url": html if issue.pull else "", "issue_url": "" if issue.pull else html,
            "user": self.user_json(c["user"]), "original_author": "", "original_author_id": 0,
            "body": c["body"], "assets": [], "created_at": iso(c["created_at"]), "updated_at": iso(c["updated_at"]),
        }

    def _review_obj(self, r: dict) -> dict:
        repo = self._repos[r["repo"]]
        html = self._html(repo, self._issues[(r["repo"], r["index"])])
        return {
            "id": r["id"], "user": self.user_json(r["user"]), "team": None, "state": r["state"], "body": r["body"],
            "commit_id": r["commit_id"], "stale": r["stale"], "official": r["official"], "dismissed": False,
            "comments_count": len(r["comment_ids"]), "submitted_at": iso(r["created_at"]),
            "updated_at": iso(r["updated_at"]), "html_url": f"{html}#issuecomment-{r['row_id']}",
            "pull_request_url": html,
        }

    def _review_comment_obj(self, c: dict) -> dict:
        """convert.ToPullReviewCommentList: `position` is the new-side line, `original_position` the
        old-side line (one of them is 0); `original_commit_id` is the comment's OldRef, "" here."""
        repo = self._repos[c["repo"]]
        html = self._html(repo, self._issues[(c["repo"], c["index"])])
        obj = {
            "id": c["id"], "body": c["body"], "user": self.user_json(c["user"]), "resolver": None,
            "pull_request_review_id": c["review_id"], "created_at": iso(c["created_at"]),
            "updated_at": iso(c["updated_at"]), "path": c["path"], "commit_id": c["commit_id"],
            "original_commit_id": "", "diff_hunk": c["diff_hunk"],
            "position": c["line"] if c["line"] > 0 else 0, "original_position": -c["line"] if c["line"] < 0 else 0,
            "html_url": f"{html}/files#issuecomment-{c['id']}", "pull_request_url": html,
        }
        if self.flavour == "forgejo":
            obj["extra_lines_count"] = c.get("extra_lines_count", 0)
        return obj

    def _status_obj(self, s: dict) -> dict:
        repo = self._repos[s["repo"]]
        return {
            "id": s["id"], "status": s["state"], "target_url": s["target_url"], "description": s["description"],
            "url": f"{self._base}{API_PREFIX}/repos/{repo.full_name}/statuses/{quote(s['sha'])}",
            "context": s["context"], "creator": self.user_json(s["creator"]),
            "created_at": iso(s["created_at"]), "updated_at": iso(s["created_at"]),
        }

    def _new_comment(self, kind: str, repo: _Repo, issue: _Issue, body: str, user: _User, **extra) -> dict:
        now = self.clock()
        cid = self._next_id("comment")
        comment = {"id": cid, "type": kind, "repo": repo.key, "index": issue.index, "body": body,
                   "user": user.login, "created_at": now, "updated_at": now, "history": [body], **extra}
        self._comments[cid] = comment
        if kind != "review":
            issue.updated = now
        return comment

    # ---- request handling ----------------------------------------------------------------

    def _dispatch(self, h: BaseHTTPRequestHandler) -> None:
        method, path, pairs = request_target(h)
        query = first_values(pairs)
        auth = h.headers.get("Authorization")
        record = RecordedRequest(
            method=method, path=path, query=query,
            headers={"Authorization": auth.strip().split(None, 1)[0] if auth and auth.strip() else None,
                     "Content-Type": h.headers.get("Content-Type"), "Accept": h.headers.get("Accept"),
                     "User-Agent": h.headers.get("User-Agent")},
            body=None, at=time.time(),
        )
        raw, body_error = read_body(h)
        if raw and body_error is None:
            try:
                record.body = json.loads(raw.decode("utf-8"))
            except (UnicodeDecodeError, ValueError) as exc:
                record.body = raw.decode("utf-8", "replace")
                body_error = f"body is not JSON: {exc}"
        self._answer(h, record, lambda: self._process(h, method, path, query, raw, record, body_error))

    def _internal_error(self, exc: Exception) -> _Result:
        return _Result(500, {"message": f"internal error in the {self.flavour} double: {exc!r}",
                             "url": self._swagger_url}, documented=False)

    def _finish(self, h, record: RecordedRequest, result: _Result) -> None:
        record.response_headers = dict(result.headers)
        super()._finish(h, record, result)

    def _write(self, h: BaseHTTPRequestHandler, result: _Result, record: RecordedRequest) -> None:
        # json.NewEncoder(w).Encode ends with a newline
        payload = encode_payload(result.body, lambda body: go_json(body) + b"\n")
        headers = {"Cache-Control": "max-age=0, private, must-revalidate, no-transform",
                   "X-Content-Type-Options": "nosniff", "X-Frame-Options": "SAMEORIGIN"}
        if result.body is not None or result.status not in (204, 304):
            headers["Content-Type"] = result.content_type
        headers.update({k: str(v) for k, v in result.headers.items()})
        send(h, result.status, headers, payload)

    def _injected(self, fault: Fault, record: RecordedRequest) -> _Result:
        headers = dict(fault.headers or {})
        lowered = {k.lower(): v for k, v in headers.items()}
        body = fault.body
        content_type = "application/json;charset=utf-8"
        if body is None:
            body = {"message": status_phrase(fault.status), "url": self._swagger_url}
        elif isinstance(body, (str, bytes)):
            content_type = lowered.get("content-type", "text/plain; charset=utf-8")
        return _Result(fault.status, body, content_type, headers, documented=False)

    def _error_result(self, error: _HTTPError, route: _Route | None) -> _Result:
        if error.empty:
            return _Result(error.status, None, headers=error.headers, documented=False)
        if error.status == 404 and self.flavour == "forgejo":
            # Forgejo's ctx.NotFound keeps the older APINotFound body (its swagger documents it).
            body = {"errors": error.errors if error.errors is not None else ([error.message] if error.message else []),
                    "message": "The target couldn't be found.", "url": self._swagger_url}
        else:
            # Gitea's APIError: {"message", "url"} (services/context/api.go); APIErrorNotFound's default
            # message is "not found"; a 500's message is empty in production mode.
            message = error.message if error.message is not None else (
                "not found" if error.status == 404 else "" if error.status == 500 else HTTPStatus(error.status).phrase)
            body = {"message": message, "url": self._swagger_url}
        return _Result(error.status, body, headers=error.headers, documented=error.documented)

    def _process(self, h, method, path, query, raw, record, body_error) -> _Result:
        route = None
        try:
            if not path.startswith(API_PREFIX + "/"):
                raise _HTTPError(404, violation=f"{path} is not under {API_PREFIX}", documented=False)
            api_path = path[len(API_PREFIX):]
            route, params, allowed = match_route(_ROUTES, method, api_path)
            if route is None:
                if allowed:
                    raise _HTTPError(405, "Method Not Allowed", documented=False,
                                     violation=f"{method} is not allowed here (the double serves {allowed})")
                raise _HTTPError(404, documented=False,
                                 violation=f"no such route in the {self.flavour} double: {method} {api_path}")
            method = route.method  # HEAD is answered as GET, without the body
            ctx = _Ctx(h, method, path, params, query, record.body, route, record)
            with self._cond:
                if route.auth:
                    self._authenticate(ctx)
                if "owner" in params:
                    self._resolve_repo(ctx)
            self._check_content_type(ctx, raw)
            self._validate_request(ctx, body_error)
            result = self._operate(route.handler, ctx)
        except _HTTPError as error:
            if error.violation:
                self._violate(f"{method} {path}: {error.violation}")
            result = self._error_result(error, route)
        if route is not None and result.documented:
            if 200 <= result.status < 300 and not self._spec.documents_status(route.method, route.template,
                                                                               result.status):
                self._violate(f"response: {method} {path}: status {result.status} is not documented for this operation")
            if isinstance(result.body, (dict, list)):
                validator = self._spec.response_validator(route.method, route.template, result.status)
                if validator is not None:
                    for problem in _format_errors(validator.iter_errors(result.body)):
                        self._violate(f"response: {method} {path} {result.status}: {problem}")
        return result

    # ---- authentication and access ---------------------------------------------------------

    def _authenticate(self, ctx: _Ctx) -> None:
        """Token auth: `Authorization: token <t>` (also `bearer`, and Basic with the token as password).
        https://docs.gitea.com/development/api-usage#authentication"""
        header = (ctx.handler.headers.get("Authorization") or "").strip()
        query_token = None
        for name in ("token", "access_token"):
            if name in ctx.query:
                query_token = ctx.query[name]
                # Gitea 1.27's swagger marks these "deprecated for removal"; Forgejo has none at all.
                self._violate(f"{ctx.method} {ctx.path}: credential sent as the ?{name}= query parameter "
                              f"({'deprecated in Gitea' if self.flavour == 'gitea' else 'unknown to Forgejo'}); "
                              "send `Authorization: token <token>`")
        if not header and query_token is not None and self.flavour == "gitea":
            header = f"token {query_token}"
        if not header:
            raise _HTTPError(401, "token is required", documented=False,
                             violation=None if query_token is not None else "request without an Authorization header")
        scheme, _, value = header.partition(" ")
        value = value.strip()
        login = None
        if scheme.lower() in ("token", "bearer"):
            login = self._tokens.get(value)
        elif scheme.lower() == "basic":
            try:
                _, _, password = base64.b64decode(value).decode("utf-8").partition(":")
                login = self._tokens.get(password)
            except (ValueError, UnicodeDecodeError):
                login = None
        if login is None:
            ctx.record.credential = "invalid"
            # Since go-gitea/gitea#21671 an invalid or revoked token is 401 (it used to act anonymous).
            raise _HTTPError(401, "invalid username, password or token", documented=False)
        ctx.record.credential = "token"
        ctx.user = self._users[login]
        ctx.record.user = ctx.user.login

    def _resolve_repo(self, ctx: _Ctx) -> None:
        full = f"{ctx.params['owner']}/{ctx.params['repo']}"
        repo = self._repos.get(full.lower())
        if repo is None or ACCESS_LEVELS[self._level(repo, ctx.user.login if ctx.user else None)] < 1:
            raise _HTTPError(404)  # a private repository the user cannot see does not exist for them
        ctx.repo = repo

    def _check_content_type(self, ctx: _Ctx, raw: bytes) -> None:
        """Gitea's API binds bodies with gitea.com/go-chi/binding: a POST/PUT needs a JSON (or form)
        Content-Type, else 422 "[]: Empty Content-Type"; a PATCH without one is bound from the query
        string, so its body is ignored (routers/api/v1/api.go bind)."""
        if ctx.method not in ("POST", "PATCH", "PUT"):
            return
        content_type = (ctx.handler.headers.get("Content-Type") or "").lower()
        if "json" in content_type:
            return
        if ctx.method == "PATCH" and not content_type:
            ctx.body = {}
            self._violate(f"{ctx.method} {ctx.path}: PATCH without Content-Type: Gitea ignores its body")
            return
        reason = "Empty Content-Type" if not content_type else "Unsupported Content-Type"
        raise _HTTPError(422, f"[]: {reason}",
                         violation=f"body sent with Content-Type {content_type or '(none)'}; Gitea binds JSON "
                                   "only with Content-Type: application/json")

    # ---- validation ------------------------------------------------------------------------

    def _validate_request(self, ctx: _Ctx, body_error: str | None) -> None:
        op = self._spec.operation(ctx.method, ctx.route.template)
        problems: list[str] = []
        if op is not None:
            for param in op["parameters"]:
                where, name = param.get("in"), param.get("name")
                if where not in ("path", "query"):
                    continue
                source = ctx.params if where == "path" else ctx.query
                value = source.get(name)
                if value is None:
                    if param.get("required"):
                        problems.append(f"{where} parameter '{name}' is required")
                    continue
                value = self._coerce(value, param.get("type"))
                validator = self._spec.param_validator(ctx.method, ctx.route.template, param)
                errors = [e.message for e in validator.iter_errors(value)]
                if errors and where == "path" and param.get("type") == "integer":
                    # ctx.PathParamInt64 reads a non-number as 0: nothing has index 0.
                    raise _HTTPError(404, violation=f"path parameter '{name}': {errors[0]}")
                problems += [f"{where} parameter '{name}': {e}" for e in errors]
                source[name] = value
        else:  # hand-written: the integers the handlers rely on
            for name in ("index", "id"):
                if name in ctx.params:
                    if not re.fullmatch(r"\d+", str(ctx.params[name])):
                        raise _HTTPError(404, violation=f"path parameter '{name}' is not an integer")
                    ctx.params[name] = int(ctx.params[name])
        for name in ("index", "id"):
            if isinstance(ctx.params.get(name), str) and re.fullmatch(r"\d+", ctx.params[name]):
                ctx.params[name] = int(ctx.params[name])
        if problems:
            raise _HTTPError(422, "; ".join(problems), violation="; ".join(problems))

        if ctx.method not in ("POST", "PATCH", "PUT"):
            return
        if body_error is not None:
            # binding.Bind: "[]: invalid character ..." (routers/api/v1/api.go bind -> 422)
            raise _HTTPError(422, f"[]: {body_error}", violation=body_error)
        body = {} if ctx.body is None else ctx.body
        if not isinstance(body, dict):
            raise _HTTPError(422, "[]: cannot unmarshal into an object", violation="request body is not a JSON object")
        validator = self._spec.body_validator(ctx.method, ctx.route.template)
        if validator is not None:
            problems = _format_errors(validator.iter_errors(body))
            if problems:
                raise _HTTPError(422, "; ".join(problems), violation="request body: " + "; ".join(problems))
        ctx.body = body

    @staticmethod
    def _coerce(value: Any, kind: str | None) -> Any:
        if not isinstance(value, str):
            return value
        if kind == "integer" and re.fullmatch(r"-?\d+", value):
            return int(value)
        if kind == "boolean":
            parsed = _parse_go_bool(value)
            return value if parsed is None else parsed
        return value

    # ---- pagination ------------------------------------------------------------------------

    def _list_options(self, ctx: _Ctx) -> tuple[int, int]:
        """utils.GetListOptions + convert.ToCorrectPageSize: limit <= 0 -> DEFAULT_PAGING_NUM, limit
        above MAX_RESPONSE_ITEMS -> MAX_RESPONSE_ITEMS; page <= 0 -> 1 (non-numbers read as 0)."""

        def as_int(value) -> int:
            if isinstance(value, int) and not isinstance(value, bool):
                return value
            try:
                return int(str(value))
            except (TypeError, ValueError):
                return 0

        limit = as_int(ctx.query.get("limit"))
        if limit > self.max_response_items:
            self._violate(f"{ctx.method} {ctx.path}: limit={limit} exceeds MAX_RESPONSE_ITEMS "
                          f"({self.max_response_items}); Gitea returns at most {self.max_response_items} per page")
        size = self.default_paging_num if limit <= 0 else min(limit, self.max_response_items)
        return max(1, as_int(ctx.query.get("page"))), size

    def _paginate(self, ctx: _Ctx, items: list, *, link: bool = True) -> tuple[list, dict]:
        page, size = self._list_options(ctx)
        total = len(items)
        headers = {"X-Total-Count": str(total), "Access-Control-Expose-Headers": "X-Total-Count"}
        if link:
            # services/context/api.go genAPILinks over modules/paginator: next, last, first, prev; the
            # current page is clamped to the last one; the query is re-encoded (sorted keys).
            pages = 1 if total == 0 else math.ceil(total / size)
            current = min(page, pages)
            has_next = total > current * size
            is_last = total == 0 or (total > (current - 1) * size and not has_next)

            def url(number: int) -> str:
                params = dict(ctx.query)
                params["page"] = str(number)
                return f"{self._base}{ctx.path}?{urlencode(sorted(params.items()))}"

            links = []
            if has_next:
                links.append(f'<{url(current + 1)}>; rel="next"')
            if not is_last:
                links.append(f'<{url(pages)}>; rel="last"')
            if current != 1:
                links.append(f'<{url(1)}>; rel="first"')
            if current > 1:
                links.append(f'<{url(current - 1)}>; rel="prev"')
            if links:
                headers["Link"] = ",".join(links)
                headers["Access-Control-Expose-Headers"] = "X-Total-Count, Link"
        return items[(page - 1) * size: page * size], headers

    # ---- operations --------------------------------------------------------------------------

    def _issue_of(self, ctx: _Ctx) -> _Issue | None:
        index = ctx.params.get("index")
        return self._issues.get((ctx.repo.key, index)) if isinstance(index, int) else None

    def _pull_of(self, ctx: _Ctx) -> _Issue:
        issue = self._issue_of(ctx)
        if issue is None or issue.pull is None:
            raise _HTTPError(404, "pull request does not exist" if self.flavour == "gitea" else None)
        return issue

    def _op_version(self, ctx: _Ctx) -> _Result:
        return _Result(200, {"version": SERVER_VERSIONS[self.flavour]})

    def _op_current_user(self, ctx: _Ctx) -> _Result:
        return _Result(200, self.user_json(ctx.user.login))

    def _op_get_pull(self, ctx: _Ctx) -> _Result:
        return _Result(200, self._pull_obj(ctx.repo, self._pull_of(ctx)))

    def _op_pull_diff(self, ctx: _Ctx) -> _Result:
        """repoDownloadPullDiffOrPatch: the diff from the merge base to the head, text/plain. `binary`
        asks for binary changes too ("applicable with git apply"): the test's binary_diff if it set one."""
        issue = self._pull_of(ctx)
        pull = issue.pull
        if ctx.params["diffType"] == "patch":
            # A format-patch rendering (hand-written approximation: one patch for the whole change).
            author = self._users[issue.author.lower()]
            header = (f"From {pull.head_sha} Mon Sep 17 00:00:00 2001\n"
                      f"From: {author.full_name or author.login} <{author.login.lower()}@noreply.localhost>\n"
                      f"Date: {datetime.fromtimestamp(issue.updated, timezone.utc):%a, %d %b %Y %H:%M:%S %z}\n"
                      f"Subject: [PATCH] {issue.title}\n\n---\n").encode("utf-8")
            return _Result(200, header + pull.diff, "text/plain; charset=utf-8")
        binary = ctx.query.get("binary")
        binary = _parse_go_bool(binary) if isinstance(binary, str) else binary
        data = pull.binary_diff if binary is True and pull.binary_diff is not None else pull.diff
        return _Result(200, data, "text/plain; charset=utf-8")

    # reviews

    def _op_list_reviews(self, ctx: _Ctx) -> _Result:
        """ListPullReviews: paginated, X-Total-Count only (no Link header); PENDING reviews are shown
        to their author (and site admins) only."""
        issue = self._pull_of(ctx)
        reviews = [r for r in sorted(self._reviews.values(), key=lambda r: r["id"])
                   if r["repo"] == ctx.repo.key and r["index"] == issue.index
                   and (r["state"] != "PENDING" or r["user"].lower() == ctx.user.login.lower() or ctx.user.is_admin)]
        chunk, headers = self._paginate(ctx, reviews, link=False)
        return _Result(200, [self._review_obj(r) for r in chunk], headers=headers)

    def _review_of(self, ctx: _Ctx) -> dict:
        issue = self._pull_of(ctx)
        review = self._reviews.get(ctx.params.get("id"))
        if review is None or review["repo"] != ctx.repo.key or review["index"] != issue.index:
            raise _HTTPError(404)
        if review["state"] == "PENDING" and review["user"].lower() != ctx.user.login.lower() and not ctx.user.is_admin:
            raise _HTTPError(404)
        return review

    def _op_get_review(self, ctx: _Ctx) -> _Result:
        return _Result(200, self._review_obj(self._review_of(ctx)))

    def _op_list_review_comments(self, ctx: _Ctx) -> _Result:
        review = self._review_of(ctx)
        comments = [self._comments[cid] for cid in review["comment_ids"] if cid in self._comments]
        comments.sort(key=lambda c: (c["path"], c["line"], c["id"]))  # Gitea groups by path and line
        return _Result(200, [self._review_comment_obj(c) for c in comments])

    def _position_problem(self, files: list[FileDiff], path: str, new: int, old: int) -> str | None:
        fd = _file_diff(files, path)
        if fd is None:
            return f"path {path!r} is not in the pull request's diff"
        if new < 0 or old < 0:
            return "positions must not be negative"
        if not new and not old:
            return "neither new_position nor old_position is set (Gitea stores the comment on line 0)"
        if new and old:
            return "both new_position and old_position are set (Gitea keeps old_position only)"
        if old:
            kinds = "-" if self.comment_lines == "added" else "- "
            if _diff_line(fd, old, True, kinds) is None:
                what = "a removed line" if self.comment_lines == "added" else "an old-side line shown in the diff"
                return f"old_position {old} is not {what} of {path}"
            return None
        kinds = "+" if self.comment_lines == "added" else "+ "
        if _diff_line(fd, new, False, kinds) is None:
            what = "an added line" if self.comment_lines == "added" else "a new-side line shown in the diff"
            return f"new_position {new} is not {what} of {path}"
        return None

    def _op_create_review(self, ctx: _Ctx) -> _Result:
        """CreatePullReview (routers/api/v1/repo/pull_review.go): preparePullReviewType decides the
        type and the body rules, each comment becomes a code comment of a pending review
        (pull_service.CreateCodeComment, line = new_position, or -old_position when that is set), then
        SubmitReview. Nothing checks that the line is in the diff: the comment just gets an empty
        diff_hunk and does not show in "Files changed". The double records that as a violation."""
        issue = self._pull_of(ctx)
        pull = issue.pull
        body = ctx.body
        event = _expect(body, "event", str) or ""
        text = _expect(body, "body", str) or ""
        _expect(body, "commit_id", str)
        comments = body.get("comments") or []
        if not isinstance(comments, list) or not all(isinstance(c, dict) for c in comments):
            raise _HTTPError(422, "[Comments]: must be an array of objects",
                             violation="comments is not a list of objects")
        for i, c in enumerate(comments):
            for name, kind in (("path", str), ("body", str), ("new_position", int), ("old_position", int)):
                _expect(c, name, kind, f"comments[{i}].")
        has_body = bool(text.strip())
        own = issue.author.lower() == ctx.user.login.lower()
        needs_body = True
        if event == "APPROVED":
            if own:
                raise _HTTPError(422, "approve your own pull is not allowed",
                                 violation="APPROVED review on the bot's own pull request")
            state, needs_body = "APPROVED", False
        elif event == "REQUEST_CHANGES":
            if own:
                raise _HTTPError(422, "reject your own pull is not allowed",
                                 violation="REQUEST_CHANGES review on the bot's own pull request")
            state = "REQUEST_CHANGES"
        elif event == "COMMENT":
            state, needs_body = "COMMENT", False
            if not has_body and not comments:
                raise _HTTPError(422, f"review event {event} requires a body or a comment",
                                 violation="COMMENT review with neither a body nor comments")
        else:
            state = "PENDING"
        if needs_body and not has_body:
            raise _HTTPError(422, f"review event {event} requires a body",
                             violation=f"review event {event or '(none)'!r} without a body")
        if issue.state == "closed" and state != "COMMENT":
            raise _HTTPError(422, "can't submit review for a closed or merged PR",
                             violation=f"{state} review on a closed pull request")
        if state == "PENDING":
            self._violate(f"{ctx.method} {ctx.path}: review event {event or '(none)'!r} leaves the review "
                          "PENDING (visible only to its author); use COMMENT, REQUEST_CHANGES or APPROVED")
        commit_id = body.get("commit_id") or pull.head_sha
        if body.get("commit_id") and commit_id != pull.head_sha:
            known = commit_id in self._commits[ctx.repo.key]
            self._violate(f"{ctx.method} {ctx.path}: commit_id {commit_id} is not the pull request's head "
                          f"{pull.head_sha}" + ("" if known else " (and is no known commit)"))
            if not known and any((c.get("new_position") or 0) > 0 for c in comments):
                # createCodeComment runs git blame at the review's commit: an unknown revision is an error.
                raise _HTTPError(500, documented=False)

        now = self.clock()
        # GetCurrentReview: the user's PENDING review on this pull request, if any, is the one the new
        # comments join and SubmitReview turns into the new type (its earlier comments come along).
        review = next((r for r in self._reviews.values() if r["repo"] == ctx.repo.key and r["index"] == issue.index
                       and r["state"] == "PENDING" and r["user"].lower() == ctx.user.login.lower()), None)
        if review is None:
            review = {"id": self._next_id("review"), "repo": ctx.repo.key, "index": issue.index, "user": ctx.user.login,
                      "created_at": now, "comment_ids": [], "row_id": 0}
        review.update({
            "state": state, "event": event, "body": text, "commit_id": commit_id, "updated_at": now,
            "stale": state in ("APPROVED", "REQUEST_CHANGES") and commit_id != pull.head_sha,
            "official": state in ("APPROVED", "REQUEST_CHANGES")
            and ACCESS_LEVELS[self._level(ctx.repo, ctx.user.login)] >= 2,
        })
        for i, c in enumerate(comments):
            path = str(c.get("path") or "")
            new = c.get("new_position") or 0
            old = c.get("old_position") or 0
            line = -old if old > 0 else new
            problem = self._position_problem(pull.files, path, new, old)
            fd = _file_diff(pull.files, path)
            hunk = cut_diff_around_line(fd, abs(line), line < 0) if fd is not None else ""
            if problem:
                self._violate(f"{ctx.method} {ctx.path}: review comments[{i}] ({path}:{line}): {problem}; Gitea "
                              "accepts it but it does not show in the diff")
            code = self._new_comment(
                "code", ctx.repo, issue, str(c.get("body") or ""), ctx.user, review_id=review["id"], path=path,
                line=line, new_position=new, old_position=old, diff_hunk=hunk,
                commit_id=commit_id if line > 0 else pull.head_sha, problem=problem,
                extra_lines_count=c.get("extra_lines_count") or 0)
            review["comment_ids"].append(code["id"])
        if review["row_id"] in self._comments:
            self._comments[review["row_id"]]["body"] = text
        else:
            review["row_id"] = self._new_comment("review", ctx.repo, issue, text, ctx.user,
                                                 review_id=review["id"])["id"]
        self._reviews[review["id"]] = review
        issue.updated = now
        return _Result(200, self._review_obj(review))

    # commit statuses

    def _resolve_commit(self, repo: _Repo, ref: str) -> str | None:
        """A full sha for `ref`: a branch, a full sha or an unambiguous prefix of a known commit."""
        if ref in repo.branches:
            return repo.branches[ref]
        known = self._commits[repo.key]
        if ref in known:
            return ref
        matches = [sha for sha in known if len(ref) >= 4 and sha.startswith(ref)]
        return matches[0] if len(matches) == 1 else None

    def _op_create_status(self, ctx: _Ctx) -> _Result:
        """NewCommitStatus: every POST is kept (its id is the per-commit index); the latest per context
        makes the combined status. Needs write access to the code; the commit must exist."""
        if ACCESS_LEVELS[self._level(ctx.repo, ctx.user.login)] < 2:
            raise _HTTPError(403, "user should have a permission to write to a repo",
                             violation=f"{ctx.user.login} has no write access to {ctx.repo.full_name}")
        body = ctx.body
        for name in ("state", "context", "description", "target_url"):
            _expect(body, name, str)
        state = body.get("state")
        if state not in STATUS_STATES:
            raise _HTTPError(422, f"invalid commit status state {state!r}",
                             violation=f"commit status state {state!r} is not one of {STATUS_STATES}")
        sha = self._resolve_commit(ctx.repo, ctx.params["sha"])
        if sha is None:
            raise _HTTPError(404, f"sha {ctx.params['sha']} not found",
                             violation=f"commit status for unknown commit {ctx.params['sha']}")
        index = 1 + sum(1 for s in self._statuses if s["repo"] == ctx.repo.key and s["sha"] == sha)
        status = {"repo": ctx.repo.key, "full_name": ctx.repo.full_name, "sha": sha, "id": index, "state": state,
                  "context": body.get("context") or "", "description": body.get("description") or "",
                  "target_url": body.get("target_url") or "", "creator": ctx.user.login, "created_at": self.clock()}
        self._statuses.append(status)
        return _Result(201, self._status_obj(status))

    _SORTS = {
        None: (lambda s: (s["created_at"], s["id"]), True), "": (lambda s: (s["created_at"], s["id"]), True),
        "oldest": (lambda s: (s["created_at"], s["id"]), False),
        "recentupdate": (lambda s: (s["created_at"], s["id"]), True),
        "leastupdate": (lambda s: (s["created_at"], s["id"]), False),
        "leastindex": (lambda s: s["id"], True),  # models/git/commit_status.go: "`index` DESC"
        "highestindex": (lambda s: s["id"], False),  # ... and "`index` ASC"
    }

    def _list_statuses(self, ctx: _Ctx, sha: str) -> _Result:
        items = [s for s in self._statuses if s["repo"] == ctx.repo.key and s["sha"] == sha]
        state = ctx.query.get("state")
        if state in ("pending", "success", "error", "failure", "warning"):
            items = [s for s in items if s["state"] == state]
        key, reverse = self._SORTS.get(ctx.query.get("sort"), self._SORTS[None])
        items.sort(key=key, reverse=reverse)
        chunk, headers = self._paginate(ctx, items)
        return _Result(200, [self._status_obj(s) for s in chunk], headers=headers)

    def _op_list_statuses(self, ctx: _Ctx) -> _Result:
        ref = ctx.params["sha"]
        return self._list_statuses(ctx, self._resolve_commit(ctx.repo, ref) or ref)

    def _op_list_statuses_by_ref(self, ctx: _Ctx) -> _Result:
        ref = ctx.params["ref"]  # utils.ResolveRefOrSha: branch, tag, or taken as a sha
        return self._list_statuses(ctx, self._resolve_commit(ctx.repo, ref) or ref)

    def _latest_statuses(self, repo: _Repo, sha: str) -> list[dict]:
        latest: dict[str, dict] = {}
        for s in self._statuses:
            if s["repo"] == repo.key and s["sha"] == sha:
                latest[s["context"]] = s
        return sorted(latest.values(), key=lambda s: s["id"], reverse=True)

    @staticmethod
    def _combine(statuses: list[dict]) -> str:
        """The worst state by commitStatusPriorities (error < failure < warning < pending < success <
        skipped), with error reported as failure, as in GitHub's rule that Gitea/Forgejo cite in
        convert.ToCombinedStatus; "" without statuses."""
        if not statuses:
            return ""
        worst = min(statuses, key=lambda s: _STATUS_PRIORITY.get(s["state"], 0))["state"]
        return "failure" if worst == "error" else worst

    def _op_combined_status(self, ctx: _Ctx) -> _Result:
        ref = ctx.params["ref"]
        sha = self._resolve_commit(ctx.repo, ref) or ref
        latest = self._latest_statuses(ctx.repo, sha)
        api = f"{self._base}{API_PREFIX}/repos/{ctx.repo.full_name}"
        if not latest:
            # Without statuses Gitea answers a CombinedStatus whose state is "" (outside its own enum).
            return _Result(200, {"state": "", "sha": sha, "total_count": 0, "statuses": None,
                                 "repository": self.repo_json(ctx.repo.full_name),
                                 "commit_url": f"{api}/commits/{quote(sha)}",
                                 "url": f"{api}/commits/{quote(sha)}/status"}, documented=False)
        chunk, headers = self._paginate(ctx, latest, link=False)
        headers.pop("Access-Control-Expose-Headers", None)
        return _Result(200, {
            "state": self._combine(latest), "sha": sha, "total_count": len(latest),
            "statuses": [self._status_obj(s) for s in chunk], "repository": self.repo_json(ctx.repo.full_name),
            "commit_url": f"{api}/commits/{quote(sha)}", "url": f"{api}/commits/{quote(sha)}/status",
        }, headers={"X-Total-Count": headers["X-Total-Count"]})

    # issue comments

    def _issue_or_500(self, ctx: _Ctx) -> _Issue:
        issue = self._issue_of(ctx)
        if issue is None:
            # ListIssueComments / CreateIssueComment: GetIssueByIndex's error goes to APIErrorInternal.
            raise _HTTPError(500, documented=self.flavour == "forgejo")
        return issue

    def _op_list_issue_comments(self, ctx: _Ctx) -> _Result:
        """issueGetComments: every plain comment (no page/limit), oldest first, X-Total-Count."""
        for name in ("page", "limit"):
            if name in ctx.query:
                self._violate(f"{ctx.method} {ctx.path}: issueGetComments takes no '{name}' (Gitea returns "
                              "every comment on every page)")
        issue = self._issue_or_500(ctx)
        bounds = {}
        for name in ("since", "before"):
            if ctx.query.get(name):
                try:
                    bounds[name] = parse_iso(ctx.query[name])
                except ValueError:
                    raise _HTTPError(422, f"invalid '{name}'", violation=f"{name} is not RFC 3339") from None
        comments = [c for c in sorted(self._comments.values(), key=lambda c: c["id"])
                    if c["type"] == "comment" and c["repo"] == ctx.repo.key and c["index"] == issue.index
                    and c["updated_at"] >= bounds.get("since", -math.inf)
                    and c["updated_at"] < bounds.get("before", math.inf)]
        return _Result(200, [self._comment_obj(c) for c in comments],
                       headers={"X-Total-Count": str(len(comments)),
                                "Access-Control-Expose-Headers": "X-Total-Count"})

    def _op_create_issue_comment(self, ctx: _Ctx) -> _Result:
        issue = self._issue_or_500(ctx)
        text = _expect(ctx.body, "body", str)
        if not text:  # CreateIssueCommentOption.Body is binding:"Required"
            raise _HTTPError(422, "[Body]: Required", violation="issue comment without a body")
        if issue.is_locked and ACCESS_LEVELS[self._level(ctx.repo, ctx.user.login)] < 2 and not ctx.user.is_admin:
            raise _HTTPError(403, "Only those with write access can comment on locked issues",
                             violation="comment on a locked conversation without write access")
        comment = self._new_comment("comment", ctx.repo, issue, text, ctx.user)
        return _Result(201, self._comment_obj(comment))

    def _comment_for(self, ctx: _Ctx) -> dict:
        comment = self._comments.get(ctx.params.get("id"))
        if comment is None:
            raise _HTTPError(404, f"comment does not exist [id: {ctx.params.get('id')}]")
        if comment["repo"] != ctx.repo.key:
            raise _HTTPError(404, empty=True)  # ctx.Status(http.StatusNotFound): no body
        return comment

    def _op_get_issue_comment(self, ctx: _Ctx) -> _Result:
        comment = self._comment_for(ctx)
        if comment["type"] != "comment":
            return _Result(204, None, documented=True)
        return _Result(200, self._comment_obj(comment))

    def _op_edit_issue_comment(self, ctx: _Ctx) -> _Result:
        """editIssueComment: the poster, or anyone with write access, may edit; review rows and code
        comments are comments too (same table); 204 for types without content."""
        comment = self._comment_for(ctx)
        if comment["user"].lower() != ctx.user.login.lower() and \
                ACCESS_LEVELS[self._level(ctx.repo, ctx.user.login)] < 2:
            raise _HTTPError(403, empty=True, violation="editing someone else's comment without write access")
        text = _expect(ctx.body, "body", str)
        if not text:  # EditIssueCommentOption.Body is binding:"Required"
            raise _HTTPError(422, "[Body]: Required", violation="comment edit without a body")
        if text != comment["body"]:
            comment["body"] = text
            comment["updated_at"] = self.clock()
            comment["history"].append(text)
        if comment["type"] != "comment":
            return _Result(200, self._comment_obj(comment), documented=False)
        return _Result(200, self._comment_obj(comment))

    def _op_delete_issue_comment(self, ctx: _Ctx) -> _Result:
        comment = self._comment_for(ctx)
        if comment["user"].lower() != ctx.user.login.lower() and \
                ACCESS_LEVELS[self._level(ctx.repo, ctx.user.login)] < 2:
            raise _HTTPError(403, empty=True, violation="deleting someone else's comment without write access")
        del self._comments[comment["id"]]
        return _Result(204, None)

    # files

    def _files_at(self, repo: _Repo, ref: str) -> tuple[dict[str, bytes] | None, str]:
        """The files at `ref` (branch, tag or sha, or a unique sha prefix) and the commit sha it names."""
        names = [ref]
        sha = self._resolve_commit(repo, ref)
        if sha:
            names.append(sha)
            names += [b for b, s in repo.branches.items() if s == sha]
        merged: dict[str, bytes] = {}
        found = False
        for name in names:
            files = self._files.get((repo.key, name))
            if files is not None:
                found = True
                for path, data in files.items():
                    merged.setdefault(path, data)
        if not found and sha is None and ref not in repo.branches and ref != repo.default_branch:
            return None, ""
        return merged, sha or hashlib.sha1(f"{repo.key}@{ref}".encode()).hexdigest()

    def _ref_or_default(self, ctx: _Ctx) -> str:
        return ctx.query.get("ref") or ctx.repo.default_branch

    def _op_raw_file(self, ctx: _Ctx) -> _Result:
        """repoGetRawFile: the bytes of the file. Without ?ref=, filepath may start with a ref
        ("{ref}/{filepath}", Gitea 1.27's description); otherwise the default branch."""
        path = ctx.params["filepath"].strip("/")
        ref = ctx.query.get("ref")
        if not ref:
            candidates = sorted(set(ctx.repo.branches) | {r for (k, r) in self._files if k == ctx.repo.key}
                                | self._commits[ctx.repo.key], key=len, reverse=True)
            for candidate in candidates:
                if path.startswith(candidate + "/"):
                    ref, path = candidate, path[len(candidate) + 1:]
                    break
        files, _ = self._files_at(ctx.repo, ref or ctx.repo.default_branch)
        if files is None or path not in files:
            raise _HTTPError(404, f"object does not exist [id: , rel_path: {path}]")
        data = files[path]
        text = b"\0" not in data[:8000]
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            text = False
        return _Result(200, data, "text/plain; charset=utf-8" if text else "application/octet-stream",
                       headers={"Content-Disposition": f'inline; filename="{path.rsplit("/", 1)[-1]}"'},
                       documented=False)

    def _contents_entry(self, repo: _Repo, path: str, ref: str, commit: str, data: bytes | None) -> dict:
        api = f"{self._base}{API_PREFIX}/repos/{repo.full_name}"
        html_base = f"{self._base}/{repo.full_name}"
        kind = "commit" if re.fullmatch(r"[0-9a-f]{40}|[0-9a-f]{64}", ref) else "branch"
        is_file = data is not None
        sha = _blob_sha(data) if is_file else hashlib.sha1(f"tree:{repo.key}:{ref}:{path}".encode()).hexdigest()
        self_url = f"{api}/contents/{quote(path)}?ref={quote(ref, safe='')}"
        git_url = f"{api}/git/{'blobs' if is_file else 'trees'}/{sha}"
        html_url = f"{html_base}/src/{kind}/{quote(ref)}/{quote(path)}"
        entry = {
            "name": path.rsplit("/", 1)[-1], "path": path, "sha": sha, "last_commit_sha": commit,
            "type": "file" if is_file else "dir", "size": len(data) if is_file else 0,
            "encoding": "base64" if is_file else None,
            "content": base64.b64encode(data).decode("ascii") if is_file else None, "target": None,
            "url": self_url, "html_url": html_url, "git_url": git_url,
            "download_url": f"{html_base}/raw/{kind}/{quote(ref)}/{quote(path)}" if is_file else None,
            "submodule_git_url": None, "_links": {"self": self_url, "git": git_url, "html": html_url},
        }
        when = iso(self.clock())
        if self.flavour == "forgejo":
            entry["last_commit_when"] = when
        else:
            entry.update({"last_author_date": when, "last_committer_date": when})
        return entry

    def _op_get_contents(self, ctx: _Ctx) -> _Result:
        """repoGetContents: a file with base64 `content` (one line, no wrapping), or a directory's entries."""
        path = ctx.params["filepath"].strip("/")
        ref = self._ref_or_default(ctx)
        files, commit = self._files_at(ctx.repo, ref)
        if files is None:
            raise _HTTPError(404, "unable to find a git ref" if self.flavour == "gitea" else None)
        if path in files:
            return _Result(200, self._contents_entry(ctx.repo, path, ref, commit, files[path]))
        prefix = path + "/"
        children = sorted({p[len(prefix):].split("/", 1)[0] + ("/" if "/" in p[len(prefix):] else "")
                           for p in files if p.startswith(prefix)})
        if not children:
            raise _HTTPError(404, f"object does not exist [id: , rel_path: {path}]")
        entries = [self._contents_entry(ctx.repo, prefix + c.rstrip("/"), ref, commit,
                                        None if c.endswith("/") else files[prefix + c]) for c in children]
        for entry in entries:  # a listing carries no content
            entry["content"] = None
            entry["encoding"] = None
        return _Result(200, entries, documented=False)

    # permissions

    def _op_get_permission(self, ctx: _Ctx) -> _Result:
        """GetRepoPermissions (routers/api/v1/repo/collaborators.go): a site admin, a repo admin, or the
        user asking about themself; everyone else gets 403. Unknown users are 404."""
        who = ctx.params["collaborator"]
        level = ACCESS_LEVELS[self._level(ctx.repo, ctx.user.login)]
        if not ctx.user.is_admin and who.lower() != ctx.user.login.lower() and level < ACCESS_LEVELS["admin"]:
            raise _HTTPError(403, "Only admins can query all permissions, repo admins can query all repo "
                                  "permissions, collaborators can query only their own")
        user = self._users.get(who.lower())
        if user is None:
            raise _HTTPError(404, f"user does not exist [uid: 0, name: {who}]")
        permission = self._level(ctx.repo, user.login)
        return _Result(200, {"permission": permission, "role_name": permission, "user": self.user_json(user.login)})
