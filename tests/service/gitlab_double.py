"""A test double of the GitLab REST API (v4) for end-to-end tests of the Code Corgi service.

`GitLabDouble` runs a threaded HTTP/1.1 server on 127.0.0.1 that answers, under `/api/v4`, the part of
GitLab's REST API a merge-request reviewer uses: the merge request and its diffs, commit statuses,
merge request discussions (diff comments with a `position`) and notes, raw repository files and
project members. It answers the way GitLab 17.x does (Grape's `{"error": ...}` for parameter errors,
`{"message": ...}` for everything else, offset pagination headers), and whatever GitLab would refuse is
answered as GitLab answers it *and* appended to `.violations`, which a test asserts is empty.

Two sources of truth:
* GitLab's own Swagger 2.0 description (third-party, optional: `openapi_v2.yaml` under
  ../shared/fixtures/gitlab beside the repository, or $CORGI_SHARED_DIR/fixtures/gitlab). When it is
  there (`validates` is True) every request to an operation it describes is checked against its
  parameters and body schema, and every JSON response the double builds is checked against the
  documented response entity (with the relaxations listed at `_relax`, because the generated
  description cannot express null, arrays of entities or untyped fields).
* A hand-written contract, always applied, taken from GitLab's source and REST docs for what the
  description does not cover (discussions and notes are not in it) and for behaviour no schema
  states (status transitions, diff positions). Each route cites its doc page.

Also here: `send_gitlab_webhook` (GitLab's webhook headers, optional Standard Webhooks signature),
`sign_standard_webhook`/`verify_standard_webhook`, and the payload builders `merge_request_hook`
and `note_hook`.

Stdlib plus PyYAML (to read the description), jsonschema (a dependency of openapi-schema-validator)
and the sibling github_double's unified-diff parser. See the class docstring for the API.
"""
from __future__ import annotations

import base64
import copy
import email.parser
import email.policy
import hashlib
import hmac
import json
import math
import re
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any, Iterable, Mapping
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

import jsonschema

try:  # the sibling modules, imported as top-level modules (tests/service is on sys.path) or as a package
    from api_double import (
        SHARED_DIR, ApiDouble, BaseRecordedRequest, BaseResult, BaseWebhookDelivery, DoubleHandler, Fault, NoSpec,
        Spec, encode_payload, iso, load_spec, match_route, override_headers, post, read_body, request_target, send,
        status_phrase, template_regex,
    )
    from github_double import parse_diff
except ImportError:  # pragma: no cover
    from .api_double import (  # type: ignore
        SHARED_DIR, ApiDouble, BaseRecordedRequest, BaseResult, BaseWebhookDelivery, DoubleHandler, Fault, NoSpec,
        Spec, encode_payload, iso, load_spec, match_route, override_headers, post, read_body, request_target, send,
        status_phrase, template_regex,
    )
    from .github_double import parse_diff  # type: ignore

__all__ = [
    "GitLabDouble", "RecordedRequest", "Project", "MergeRequest", "DEFAULT_SPEC_PATH",
    "send_gitlab_webhook", "WebhookDelivery", "sign_standard_webhook", "verify_standard_webhook",
    "merge_request_hook", "note_hook", "split_diff", "DiffEntry", "ACCESS_LEVELS",
]

# GitLab's OpenAPI (Swagger 2.0) description is third-party: in ../shared beside the repository, or
# where CORGI_SHARED_DIR says. Without it the double answers the same way but checks nothing against
# it (`validates` is False).
DEFAULT_SPEC_PATH = SHARED_DIR / "fixtures" / "gitlab" / "openapi_v2.yaml"
API_PREFIX = "/api/v4"
GITLAB_VERSION = "17.10.0"

# Documentation each route follows (hand-written contract).
DOCS = {
    "rest": "https://docs.gitlab.com/api/rest/",
    "pagination": "https://docs.gitlab.com/api/rest/#offset-based-pagination",
    "auth": "https://docs.gitlab.com/api/rest/authentication/",
    "mr": "https://docs.gitlab.com/api/merge_requests/#get-single-mr",
    "diffs": "https://docs.gitlab.com/api/merge_requests/#list-merge-request-diffs",
    "statuses": "https://docs.gitlab.com/api/commits/#set-the-pipeline-status-of-a-commit",
    "list_statuses": "https://docs.gitlab.com/api/commits/#list-the-statuses-of-a-commit",
    "discussions": "https://docs.gitlab.com/api/discussions/#create-a-new-thread-in-the-merge-request-diff",
    "list_discussions": "https://docs.gitlab.com/api/discussions/#list-project-merge-request-discussion-items",
    "notes": "https://docs.gitlab.com/api/notes/#merge-requests",
    "files": "https://docs.gitlab.com/api/repository_files/#get-raw-file-from-repository",
    "members": "https://docs.gitlab.com/api/members/#get-a-member-of-a-group-or-project-including-inherited-and-invited-members",
    "user": "https://docs.gitlab.com/api/users/#get-the-current-user",
    "webhooks": "https://docs.gitlab.com/user/project/integrations/webhook_events/",
}

ACCESS_LEVELS = {0: "No access", 5: "Minimal access", 10: "Guest", 15: "Planner", 20: "Reporter",
                 30: "Developer", 40: "Maintainer", 50: "Owner"}
STATUS_STATES = ("pending", "running", "success", "failed", "canceled", "skipped")
_MAX_NOTE = 1_000_000  # characters; notes API docs: "Limited to 1,000,000 characters"
_MAX_STATUS_FIELD = 255  # CommitStatus: validates :ref, :target_url, :description, length: { maximum: 255 }
_LINE_CODE_ERROR = "400 Bad request - Note {:line_code=>[\"can't be blank\", \"must be a valid line code\"]}"


def _iso_ms(ts: float) -> str:
    """GitLab's API timestamps: UTC with milliseconds, e.g. 2016-01-19T09:05:50.355Z."""
    dt = datetime.fromtimestamp(ts, timezone.utc)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


def _utc_words(ts: float) -> str:
    """The note hook's timestamp style: 2015-05-17 18:21:36 UTC."""
    return datetime.fromtimestamp(ts, timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


def _rails_json(obj: Any) -> bytes:
    """JSON as Rails writes it: compact, with <, > and & escaped (ActiveSupport's JSON escaping)."""
    text = json.dumps(obj, separators=(",", ":"), ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026").encode("utf-8")


def _ruby_inspect(obj: Any) -> str:
    """Ruby 3.3's Hash#inspect of ActiveModel error messages, as GitLab puts them in "Note {...}"."""
    if isinstance(obj, dict):
        return "{" + ", ".join(f":{k}=>{_ruby_inspect(v)}" for k, v in obj.items()) + "}"
    if isinstance(obj, list):
        return "[" + ", ".join(_ruby_inspect(v) for v in obj) + "]"
    return json.dumps(obj)


# --------------------------------------------------------------------------------------------
# Parameter contracts (Grape-like): coercion, required and values checks


@dataclass
class Decl:
    """A declared parameter, as Grape declares it (`requires`/`optional`, `type`, `values`)."""
    name: str
    type: str = "string"  # string, integer, number, boolean, object, array
    required: bool = False
    values: tuple | None = None
    default: Any = None
    allow_blank: bool = True
    children: tuple["Decl", ...] = ()


_TRUE = {"true", "1", "yes", "on", "t", "y"}
_FALSE = {"false", "0", "no", "off", "f", "n"}
_MISSING = object()


def _coerce(value: Any, kind: str) -> Any:
    """Grape's coercion of a parameter value (from a query string, a form or JSON); _MISSING if it fails."""
    if kind == "string":
        if isinstance(value, bool) or isinstance(value, (dict, list)):
            return _MISSING
        return value if isinstance(value, str) else str(value)
    if kind == "integer":
        if isinstance(value, bool):
            return _MISSING
        if isinstance(value, int):
            return value
        if isinstance(value, str) and re.fullmatch(r"\s*[+-]?\d+\s*", value):
            return int(value)
        return _MISSING
    if kind == "number":
        if isinstance(value, bool):
            return _MISSING
        if isinstance(value, (int, float)):
            return float(value)
        if isinstance(value, str):
            try:
                return float(value)
            except ValueError:
                return _MISSING
        return _MISSING
    if kind == "boolean":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
            return value.strip().lower() in _TRUE
        return _MISSING
    if kind == "object":
        return value if isinstance(value, dict) else _MISSING
    if kind == "array":
        return value if isinstance(value, list) else _MISSING
    return value


def _check_decls(decls: Iterable[Decl], params: dict, prefix: str = "") -> list[str]:
    """Coerce `params` in place per `decls` and return Grape's error phrases ("x is missing", ...)."""
    errors: list[str] = []
    for decl in decls:
        label = f"{prefix}[{decl.name}]" if prefix else decl.name
        value = params.get(decl.name, _MISSING)
        if value is _MISSING or value is None:
            if decl.required:
                errors.append(f"{label} is missing")
            continue
        coerced = _coerce(value, decl.type)
        if coerced is _MISSING:
            errors.append(f"{label} is invalid")
            continue
        if not decl.allow_blank and isinstance(coerced, str) and not coerced.strip():
            errors.append(f"{label} is empty")
            continue
        if decl.values is not None and coerced not in decl.values:
            errors.append(f"{label} does not have a valid value")
            continue
        params[decl.name] = coerced
        if decl.children and isinstance(coerced, dict):
            errors.extend(_check_decls(decl.children, coerced, label))
    return errors


_PAGINATION = (Decl("page", "integer", default=1), Decl("per_page", "integer", default=20))


# --------------------------------------------------------------------------------------------
# GitLab's Swagger 2.0 description


def _relax(node: Any, defs_prefix: str = "#/definitions/") -> Any:
    """A response schema from GitLab's generated description, made to accept what GitLab really sends.

    The description is generated by grape-swagger from the Grape entities, which loses information:
    1. Swagger 2.0 has no `nullable`, but entities send null for absent values (closed_at, milestone,
       target_url, ...): every typed node also accepts null.
    2. An `expose` without a documented type is described as `type: string` (e.g. MergeRequest
       `labels` is an array, `user_notes_count` an integer, Member `access_level` an integer): a bare
       `type: string` with no format, enum or example accepts anything.
    3. `expose ..., using: Entity` without `is_array` is described as one object (MergeRequest
       `assignees`/`reviewers`; and the whole `/diffs` response, which the README of the fixtures notes
       is an array): a `$ref` accepts the entity or an array of it (or null).
    4. Non-standard types (`text`, `symbol`, `file`) accept anything.
    Field names are still checked: see `_Spec.__init__` (additionalProperties on entities).
    """
    if isinstance(node, list):
        return [_relax(v, defs_prefix) for v in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        ref = {"$ref": node["$ref"]}
        return {"anyOf": [{"type": "null"}, ref, {"type": "array", "items": ref}]}
    kind = node.get("type")
    if kind in ("text", "symbol", "file"):
        return {}
    if kind == "string" and not any(k in node for k in ("format", "enum", "example")):
        return {}
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "properties":
            out[key] = {name: _relax(schema, defs_prefix) for name, schema in value.items()}
        elif key in ("items", "additionalProperties") and isinstance(value, dict):
            out[key] = _relax(value, defs_prefix)
        elif key in ("example", "description", "default", "x-nullable"):
            continue
        elif key == "format" and value not in ("date-time", "date"):
            continue  # int32, float, ...: not JSON Schema formats
        else:
            out[key] = value
    if isinstance(kind, str):
        out["type"] = [kind, "null"]
    if "enum" in out:
        out["enum"] = list(out["enum"]) + [None]
    return out


# Fields the double sends that GitLab sends but the 17.10 description does not list, with their source.
_DOCUMENTED_EXTRAS = {
    # lib/api/entities/diff.rb (gitlabhq 017a6c12): expose :collapsed?, :too_large? (documented boolean)
    "API_Entities_Diff": {"collapsed": {"type": ["boolean", "null"]}, "too_large": {"type": ["boolean", "null"]}},
}


class _Spec(Spec):
    def __init__(self, path: Path):
        try:
            import yaml
        except ImportError as exc:  # pragma: no cover - scripts/setup installs pyyaml
            raise RuntimeError(f"GitLab's description {path} is present but PyYAML is not installed "
                               "(pip install pyyaml)") from exc
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        with open(path, "rb") as fh:
            doc = yaml.load(fh, Loader=loader)
        self.path = Path(path)
        operations: dict[tuple[str, str], dict] = {}
        for template, item in doc.get("paths", {}).items():
            for method, op in item.items():
                if isinstance(op, dict):
                    operations[(method.upper(), template)] = op
        super().__init__(operations)
        self.definitions: dict[str, dict] = doc.get("definitions", {})
        relaxed = {}
        for name, schema in self.definitions.items():
            rel = _relax(schema)
            if name.startswith(("API_Entities_", "EE_API_Entities_")) and isinstance(rel.get("properties"), dict):
                rel["properties"].update(copy.deepcopy(_DOCUMENTED_EXTRAS.get(name, {})))
                rel["additionalProperties"] = False  # the double must not invent fields
            relaxed[name] = rel
        self._relaxed = relaxed

    def _resolve(self, schema: dict) -> dict:
        while isinstance(schema, dict) and "$ref" in schema:
            schema = self.definitions[schema["$ref"].rsplit("/", 1)[-1]]
        return schema

    def request_decls(self, method: str, template: str) -> tuple[list[Decl], list[Decl]] | None:
        """(path/query/form declarations, body-schema declarations) of a described operation."""
        op = self.operation(method, template)
        if op is None:
            return None
        flat, body = [], []
        for p in op.get("parameters", []):
            if p.get("in") in ("path", "query", "formData"):
                flat.append(Decl(p["name"], _swagger_type(p.get("type")), bool(p.get("required")),
                                 tuple(p["enum"]) if p.get("enum") else None))
            elif p.get("in") == "body":
                schema = self._resolve(p.get("schema") or {})
                required = set(schema.get("required") or [])
                for name, prop in (schema.get("properties") or {}).items():
                    prop = self._resolve(prop)
                    body.append(Decl(name, _swagger_type(prop.get("type")), name in required,
                                     tuple(prop["enum"]) if prop.get("enum") else None))
        return flat, body

    def _validator(self, key: tuple, schema: dict):
        def build():
            if "$ref" in schema:  # the response root: the entity itself, not quirk 3's anyOf
                root: dict = {"$ref": schema["$ref"]}
            elif schema.get("type") == "array" and "$ref" in (schema.get("items") or {}):
                root = {"type": "array", "items": {"$ref": schema["items"]["$ref"]}}
            else:
                root = dict(_relax(schema))
            root["definitions"] = self._relaxed
            return jsonschema.Draft4Validator(root, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER)

        return self._cached(key, build)

    def response_problems(self, method: str, template: str, status: int, instance: Any) -> list[str]:
        op = self.operation(method, template)
        if op is None:
            return []
        responses = op.get("responses") or {}
        # grape-swagger documents every success as 200, while Grape answers a POST with 201.
        entry = responses.get(str(status)) or (responses.get("200") if status == 201 else None)
        if not entry or "schema" not in entry:
            return []
        schema = entry["schema"]
        if "$ref" in schema and isinstance(instance, list):  # quirk 3 at the root: GET .../diffs
            schema = {"type": "array", "items": schema}
        return _schema_problems(self._validator(("response", method, template, status, isinstance(instance, list)),
                                                schema), instance)

    def entity_validator(self, name: str):
        if name not in self.definitions:
            return None
        return self._validator(("entity", name), {"$ref": f"#/definitions/{name}"})


def _swagger_type(kind: Any) -> str:
    return {"integer": "integer", "number": "number", "boolean": "boolean", "array": "array",
            "object": "object"}.get(kind, "string")


class _NoSpec(NoSpec):
    """Stands in when the description is absent: nothing to validate against."""

    path = None

    def request_decls(self, method: str, template: str):
        return None

    def response_problems(self, method: str, template: str, status: int, instance: Any) -> list[str]:
        return []

    def entity_validator(self, name: str):
        return None


def _schema_problems(validator, instance: Any) -> list[str]:
    out = []
    for error in sorted(validator.iter_errors(instance), key=lambda e: [str(p) for p in e.absolute_path]):
        where = "/".join(str(p) for p in error.absolute_path) or "(body)"
        if error.context:
            error = jsonschema.exceptions.best_match(error.context) or error
            where = "/".join(str(p) for p in error.absolute_path) or where
        message = error.message if len(error.message) <= 300 else error.message[:300] + "…"
        out.append(f"{where}: {message}")
    return out


# --------------------------------------------------------------------------------------------
# Hand-written response schemas for what the description lacks (discussions, notes)
# https://docs.gitlab.com/api/notes/ and https://docs.gitlab.com/api/discussions/ (example responses),
# lib/api/entities/note.rb, lib/api/entities/discussion.rb

_NULLABLE_STR = {"type": ["string", "null"]}
_USER_BASIC = {
    "type": "object",
    "required": ["id", "username", "name", "state", "avatar_url", "web_url"],
    "properties": {"id": {"type": "integer"}, "username": {"type": "string"}, "name": {"type": "string"},
                   "state": {"type": "string"}, "locked": {"type": "boolean"}, "avatar_url": _NULLABLE_STR,
                   "web_url": {"type": "string"}},
}
_POSITION = {
    "type": "object",
    "required": ["base_sha", "start_sha", "head_sha", "old_path", "new_path", "position_type", "old_line", "new_line"],
    "properties": {"base_sha": {"type": "string"}, "start_sha": {"type": "string"}, "head_sha": {"type": "string"},
                   "old_path": _NULLABLE_STR, "new_path": _NULLABLE_STR, "position_type": {"enum": ["text"]},
                   "old_line": {"type": ["integer", "null"]}, "new_line": {"type": ["integer", "null"]},
                   "line_range": {"type": ["object", "null"]}, "ignore_whitespace_change": {"type": "boolean"}},
    "additionalProperties": False,
}
_NOTE_SCHEMA = {
    "type": "object",
    "required": ["id", "type", "body", "attachment", "author", "created_at", "updated_at", "system", "noteable_id",
                 "noteable_type", "project_id", "resolvable", "confidential", "internal", "imported",
                 "imported_from", "noteable_iid", "commands_changes"],
    "properties": {
        "id": {"type": "integer"}, "type": {"enum": [None, "DiffNote", "DiscussionNote"]}, "body": {"type": "string"},
        "attachment": {"type": "null"}, "author": _USER_BASIC, "created_at": {"type": "string", "format": "date-time"},
        "updated_at": {"type": "string", "format": "date-time"}, "system": {"type": "boolean"},
        "noteable_id": {"type": "integer"}, "noteable_type": {"enum": ["MergeRequest"]},
        "project_id": {"type": "integer"}, "commit_id": _NULLABLE_STR, "position": _POSITION,
        "resolvable": {"type": "boolean"}, "resolved": {"type": "boolean"},
        "resolved_by": {"anyOf": [{"type": "null"}, _USER_BASIC]}, "resolved_at": _NULLABLE_STR,
        "confidential": {"type": "boolean"}, "internal": {"type": "boolean"}, "imported": {"type": "boolean"},
        "imported_from": {"type": "string"}, "noteable_iid": {"type": "integer"},
        "commands_changes": {"type": "object"},
    },
    "additionalProperties": False,
}
_DISCUSSION_SCHEMA = {
    "type": "object",
    "required": ["id", "individual_note", "notes"],
    "properties": {"id": {"type": "string", "pattern": "^[0-9a-f]{40}$"}, "individual_note": {"type": "boolean"},
                   "notes": {"type": "array", "minItems": 1, "items": _NOTE_SCHEMA}},
    "additionalProperties": False,
}
_HANDWRITTEN_SCHEMAS = {
    "note": _NOTE_SCHEMA,
    "notes": {"type": "array", "items": _NOTE_SCHEMA},
    "discussion": _DISCUSSION_SCHEMA,
    "discussions": {"type": "array", "items": _DISCUSSION_SCHEMA},
}
_HANDWRITTEN_VALIDATORS = {
    name: jsonschema.Draft4Validator(schema, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER)
    for name, schema in _HANDWRITTEN_SCHEMAS.items()
}


# --------------------------------------------------------------------------------------------
# Diffs: a whole unified diff split into GitLab's per-file diff entries


@dataclass
class DiffEntry:
    """One file of a merge request diff, as GET .../diffs returns it, plus what position checks need."""
    old_path: str
    new_path: str
    a_mode: str
    b_mode: str
    new_file: bool
    renamed_file: bool
    deleted_file: bool
    diff: str
    binary: bool = False
    generated_file: bool = False
    collapsed: bool = False
    too_large: bool = False
    lines: dict[tuple[int | None, int | None], str] = field(default_factory=dict)  # (old, new) -> ' ', '+', '-'
    hunks: list[tuple[int, int, int, int]] = field(default_factory=list)  # (old_start, old_count, new_start, new_count)

    def api(self, unidiff: bool = False) -> dict:
        text = "" if (self.too_large or self.collapsed) else self.diff
        if unidiff and text and not self.binary:
            old = "/dev/null" if self.new_file else f"a/{self.old_path}"
            new = "/dev/null" if self.deleted_file else f"b/{self.new_path}"
            text = f"--- {old}\n+++ {new}\n" + text
        return {
            "diff": text, "collapsed": self.collapsed, "too_large": self.too_large,
            "new_path": self.new_path, "old_path": self.old_path, "a_mode": self.a_mode, "b_mode": self.b_mode,
            "new_file": self.new_file, "renamed_file": self.renamed_file, "deleted_file": self.deleted_file,
            "generated_file": self.generated_file,
        }


_HUNK_HEADER = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")


def split_diff(text: str | bytes, *, too_large: Iterable[str] = (), collapsed: Iterable[str] = (),
               generated: Iterable[str] = ()) -> list[DiffEntry]:
    """Split a unified (git) diff of a whole change into GitLab diff entries. `diff` holds the hunks only
    (from the first `@@`), each line ending in a newline, as GitLab's diffs API returns them. New and
    deleted files carry the same path in old_path and new_path, and mode "0" on the missing side, as
    GitLab reports them. Raises ValueError on a malformed hunk."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    too_large, collapsed, generated = set(too_large), set(collapsed), set(generated)
    lines = text.split("\n")
    starts = [i for i, line in enumerate(lines) if line.startswith("diff --git ")]
    if starts:
        sections = ["\n".join(lines[a:b]) + "\n" for a, b in zip(starts, starts[1:] + [len(lines)])]
    else:
        sections = [text] if text.strip() else []
    entries: list[DiffEntry] = []
    for section in sections:
        for fd in parse_diff(section):
            header = section.split("\n@@", 1)[0].split("\n")
            a_mode = b_mode = None
            for line in header:
                words = line.split()
                if line.startswith("new file mode "):
                    a_mode, b_mode = "0", words[-1]
                elif line.startswith("deleted file mode "):
                    a_mode, b_mode = words[-1], "0"
                elif line.startswith("old mode "):
                    a_mode = words[-1]
                elif line.startswith("new mode "):
                    b_mode = words[-1]
                elif line.startswith("index ") and len(words) == 3:
                    a_mode = a_mode or words[2]
                    b_mode = b_mode or words[2]
            new_file = fd.status in ("added", "copied")
            deleted = fd.status == "removed"
            a_mode = a_mode or ("0" if new_file else "100644")
            b_mode = b_mode or ("0" if deleted else "100644")
            path = fd.path
            old_path = path if (new_file or deleted) else (fd.old_path or path)
            new_path = path if (new_file or deleted) else (fd.new_path or path)
            if fd.binary:
                binary_line = next((l for l in header if l.startswith("Binary files ")), "")
                body = binary_line + "\n" if binary_line else ""
            else:
                body = "\n".join(fd.patch_lines) + "\n" if fd.patch_lines else ""
            entry = DiffEntry(old_path, new_path, a_mode, b_mode, new_file, fd.status == "renamed", deleted, body,
                              binary=fd.binary, generated_file=path in generated, collapsed=path in collapsed,
                              too_large=path in too_large)
            for hunk in fd.hunks:
                m = _HUNK_HEADER.match(hunk.header)
                os_, oc, ns, nc = m.groups()
                entry.hunks.append((int(os_), 1 if oc is None else int(oc), int(ns), 1 if nc is None else int(nc)))
                for dl in hunk.lines:
                    if dl.kind in " +-":
                        entry.lines[(dl.old, dl.new)] = dl.kind
            entries.append(entry)
    return entries


# --------------------------------------------------------------------------------------------
# State


@dataclass
class RecordedRequest(BaseRecordedRequest):
    """One request the double received. `path` is as sent (still URL-encoded). `headers` holds selected
    headers; a token is never kept: `auth` says how one was sent ("private_token", "bearer", "query") or
    None, `credential` whether it was accepted ("valid", "invalid")."""

    operation: str | None = None
    auth: str | None = None
    credential: str | None = None
    request_id: str = ""


@dataclass
class Project:
    """A project of the double. `web_url` uses the double's instance URL."""
    id: int
    path_with_namespace: str
    default_branch: str
    name: str
    instance_url: str

    @property
    def web_url(self) -> str:
        return f"{self.instance_url}/{self.path_with_namespace}"

    @property
    def namespace(self) -> str:
        return self.path_with_namespace.rsplit("/", 1)[0] if "/" in self.path_with_namespace else ""


@dataclass
class _Version:
    head_sha: str
    base_sha: str
    start_sha: str
    diff_text: str
    entries: list[DiffEntry]
    created_at: float

    @property
    def diff_refs(self) -> dict:
        return {"base_sha": self.base_sha, "head_sha": self.head_sha, "start_sha": self.start_sha}


@dataclass
class MergeRequest:
    """A merge request of the double. `versions` holds every diff version (one per push), latest last."""
    project: Project
    iid: int
    id: int
    title: str
    description: str
    state: str  # opened, closed, merged, locked
    source_branch: str
    target_branch: str
    author: dict
    versions: list[_Version]
    created_at: float
    updated_at: float
    draft: bool = False

    @property
    def project_id(self) -> int:
        return self.project.id

    @property
    def head_sha(self) -> str:
        return self.versions[-1].head_sha

    @property
    def base_sha(self) -> str:
        return self.versions[-1].base_sha

    @property
    def start_sha(self) -> str:
        return self.versions[-1].start_sha

    @property
    def diff_refs(self) -> dict:
        return self.versions[-1].diff_refs

    @property
    def entries(self) -> list[DiffEntry]:
        return self.versions[-1].entries

    @property
    def web_url(self) -> str:
        return f"{self.project.web_url}/-/merge_requests/{self.iid}"


class _APIError(Exception):
    """An answer other than success. `payload` is the JSON body; `violation` (if set) is recorded."""

    def __init__(self, status: int, payload: Any, *, violation: str | None = None, headers: dict | None = None):
        super().__init__(str(payload))
        self.status = status
        self.payload = payload
        self.violation = violation
        self.headers = headers or {}


def _message(status: int, message: Any, violation: str | None = None) -> _APIError:
    return _APIError(status, {"message": message}, violation=violation)


def _not_found(what: str | None = None, violation: str | None = None) -> _APIError:
    # not_found!(resource) -> "404 <resource> Not Found"; ActiveRecord::RecordNotFound -> "404 Not found"
    return _message(404, f"404 {what} Not Found" if what else "404 Not found", violation)


@dataclass
class _Result(BaseResult):
    schema: str | None = None  # a hand-written response schema to check (see _HANDWRITTEN_SCHEMAS)


@dataclass
class _Ctx:
    handler: BaseHTTPRequestHandler
    method: str
    path: str
    route: "_Route"
    path_params: dict[str, Any]
    query: dict[str, Any]
    params: dict[str, Any]  # Grape's merged params: query, then body (JSON or form), then path
    user: dict | None = None
    project: Project | None = None


@dataclass
class _Route:
    method: str
    template: str  # as in GitLab's description, e.g. /api/v4/projects/{id}/statuses/{sha}
    handler: str
    doc: str
    decls: tuple[Decl, ...] = ()
    regex: re.Pattern = field(init=False)

    def __post_init__(self):
        self.regex = template_regex(self.template)  # GitLab: NO_SLASH_URL_PART_REGEX for ids and file paths


_P = API_PREFIX + "/projects/{id}"
_POSITION_DECLS = (
    # lib/api/discussions.rb: optional :position, type: Hash do ... end
    Decl("base_sha", required=True), Decl("start_sha", required=True), Decl("head_sha", required=True),
    Decl("position_type", required=True, values=("text", "image", "file")),
    Decl("new_path"), Decl("new_line", "integer"), Decl("old_path"), Decl("old_line", "integer"),
    Decl("width", "integer"), Decl("height", "integer"), Decl("x", "integer"), Decl("y", "integer"),
    Decl("line_range", "object"),
)
_ROUTES = [
    _Route("GET", _P + "/merge_requests/{merge_request_iid}", "get_mr", DOCS["mr"], (
        Decl("id", required=True), Decl("merge_request_iid", "integer", required=True),
        Decl("render_html", "boolean"), Decl("include_diverged_commits_count", "boolean"),
        Decl("include_rebase_in_progress", "boolean"))),
    _Route("GET", _P + "/merge_requests/{merge_request_iid}/diffs", "list_diffs", DOCS["diffs"], (
        Decl("id", required=True), Decl("merge_request_iid", "integer", required=True), *_PAGINATION,
        Decl("unidiff", "boolean", default=False))),
    _Route("POST", _P + "/statuses/{sha}", "post_status", DOCS["statuses"], (
        # lib/api/commit_statuses.rb (gitlabhq 017a6c12)
        Decl("id", required=True), Decl("sha", required=True), Decl("state", required=True, values=STATUS_STATES),
        Decl("ref"), Decl("target_url"), Decl("description"), Decl("name"), Decl("context"),
        Decl("coverage", "number"), Decl("pipeline_id", "integer"))),
    _Route("GET", _P + "/repository/commits/{sha}/statuses", "list_statuses", DOCS["list_statuses"], (
        Decl("id", required=True), Decl("sha", required=True), Decl("ref"), Decl("stage"), Decl("name"),
        Decl("pipeline_id", "integer"), Decl("all", "boolean", default=False),
        Decl("order_by", values=("id", "pipeline_id"), default="id"), Decl("sort", values=("asc", "desc")),
        *_PAGINATION)),
    _Route("GET", _P + "/merge_requests/{noteable_id}/discussions", "list_discussions", DOCS["list_discussions"], (
        Decl("id", required=True), Decl("noteable_id", "integer", required=True), *_PAGINATION)),
    _Route("POST", _P + "/merge_requests/{noteable_id}/discussions", "create_discussion", DOCS["discussions"], (
        Decl("id", required=True), Decl("noteable_id", "integer", required=True), Decl("body", required=True),
        Decl("created_at"), Decl("commit_id"), Decl("position", "object", children=_POSITION_DECLS))),
    _Route("GET", _P + "/merge_requests/{noteable_id}/notes", "list_notes", DOCS["notes"], (
        # lib/api/notes.rb (gitlabhq 017a6c12)
        Decl("id", required=True), Decl("noteable_id", "integer", required=True),
        Decl("order_by", values=("created_at", "updated_at"), default="created_at"),
        Decl("sort", values=("asc", "desc"), default="desc"),
        Decl("activity_filter", values=("all_notes", "only_comments", "only_activity"), default="all_notes"),
        *_PAGINATION)),
    _Route("POST", _P + "/merge_requests/{noteable_id}/notes", "create_note", DOCS["notes"], (
        Decl("id", required=True), Decl("noteable_id", "integer", required=True), Decl("body", required=True),
        Decl("confidential", "boolean"), Decl("internal", "boolean"), Decl("created_at"),
        Decl("merge_request_diff_head_sha"))),
    _Route("PUT", _P + "/merge_requests/{noteable_id}/notes/{note_id}", "update_note", DOCS["notes"], (
        Decl("id", required=True), Decl("noteable_id", "integer", required=True),
        Decl("note_id", "integer", required=True), Decl("body", allow_blank=False), Decl("confidential", "boolean"))),
    _Route("GET", _P + "/repository/files/{file_path}/raw", "raw_file", DOCS["files"], (
        Decl("id", required=True), Decl("file_path", required=True), Decl("ref"), Decl("lfs", "boolean"))),
    _Route("GET", _P + "/members/all/{user_id}", "get_member", DOCS["members"], (
        Decl("id", required=True), Decl("user_id", "integer", required=True))),
    _Route("GET", API_PREFIX + "/user", "get_user", DOCS["user"]),
]


# --------------------------------------------------------------------------------------------
# HTTP plumbing


class _Handler(DoubleHandler):
    server_version = "nginx"


def _nest(pairs: Iterable[tuple[str, Any]]) -> dict:
    """Rack's nested parameters: position[new_line]=3 -> {"position": {"new_line": "3"}}, a[]=1 -> {"a": ["1"]}."""
    out: dict[str, Any] = {}
    for key, value in pairs:
        m = re.fullmatch(r"([^\[\]]+)((?:\[[^\[\]]*\])*)", key)
        names = [m.group(1)] + re.findall(r"\[([^\[\]]*)\]", m.group(2)) if m else [key]
        cur: Any = out
        for i, name in enumerate(names):
            if i == len(names) - 1:
                if isinstance(cur, list):
                    cur.append(value)
                else:
                    cur[name] = value
                break
            container: Any = [] if names[i + 1] == "" else {}
            if isinstance(cur, list):
                cur.append(container)
                cur = container
                continue
            existing = cur.get(name)
            if not isinstance(existing, type(container)):
                cur[name] = existing = container
            cur = existing
    return out


def _parse_body(content_type: str | None, raw: bytes) -> tuple[dict, str | None]:
    """The request body as Grape sees it: JSON object, urlencoded or multipart form. (params, error)."""
    kind = (content_type or "").split(";", 1)[0].strip().lower()
    if not raw:
        return {}, None
    if kind == "application/json" or kind.endswith("+json"):
        try:
            value = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            return {}, f"body is not valid JSON: {exc}"
        if not isinstance(value, dict):
            return {}, "JSON body is not an object"
        return value, None
    if kind == "application/x-www-form-urlencoded":
        return _nest(parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True)), None
    if kind == "multipart/form-data":
        message = email.parser.BytesParser(policy=email.policy.default).parsebytes(
            b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + raw)
        pairs = []
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            if name is not None:
                payload = part.get_payload(decode=True) or b""
                pairs.append((name, payload.decode("utf-8", "replace")))
        return _nest(pairs), None
    return {}, f"body with unsupported Content-Type {content_type!r} (GitLab reads JSON or form data)"


# --------------------------------------------------------------------------------------------


class GitLabDouble(ApiDouble):
    """In-process stand-in for a GitLab instance's REST API v4 (GitLab ~17.10).

    GitLabDouble(token="glpat-corgi-double-token", *, bot_username="corgi-bot", bot_user_id=9001,
                 bot_name="Code Corgi", spec_path=DEFAULT_SPEC_PATH, instance_url=None, strict_diff_refs=True)
        The port is bound at construction, so base_url is known before start().
        base_url "http://127.0.0.1:PORT"; api_url base_url + "/api/v4"; instance_url (web URLs in
        entities and hooks; defaults to base_url); validates (GitLab's description was loaded);
        bot_user (the user of `token`); clock (time source for timestamps, replaceable).
        strict_diff_refs=True refuses diff positions whose SHAs are not the MR's *current* diff_refs;
        False accepts an earlier version's diff_refs as GitLab does (the comment shows as outdated).
    start() / stop() / context manager.

    Setup:
      add_user(user_id, username, name=None) -> dict
      add_token(token, user_id=None) (None: the bot), revoke_token(token)
      add_project(project_id, path_with_namespace, *, default_branch="main", name=None) -> Project
      set_merge_request(project, iid, *, head_sha, base_sha, diff, start_sha=None, title=None,
                        description=None, state=None, source_branch=None, target_branch=None, author=None,
                        draft=None, too_large=(), collapsed=(), generated=()) -> MergeRequest
          `diff` is a unified (git) diff of the whole change; it is split per file into GitLab diff
          entries. too_large/collapsed/generated name files (by path) to flag; too large and collapsed
          files get an empty `diff`. A new head_sha on an existing MR is a push (new diff version).
      push(project, iid, head_sha, diff, *, base_sha=None, start_sha=None, too_large=(), collapsed=(),
           generated=()) -> previous head SHA (the webhook's `oldrev`)
      set_mr_state(project, iid, state)  (opened, closed, merged, locked)
      add_commit(project, sha, ref=None)  (commits of MRs are known already)
      set_file(project, path, content, ref=None)  (ref None: any ref)
      add_member(project, user_id, username=None, access_level=30, name=None), remove_member(project, user_id)
      add_note(project, iid, body, *, author=None, system=False) -> note  (someone else's comment)
      delete_note(project, iid, note_id)
      `project` is a Project, its numeric id or its path_with_namespace.
    Read back:
      project(ref) -> Project, merge_request(project, iid) -> MergeRequest
      statuses(project=None, sha=None, include_retried=False) -> [CommitStatus entity + "retried"]
      discussions(project, iid) -> [Discussion entity], notes(project, iid) -> [Note entity], oldest first
      rejected_positions -> [{"project_id", "iid", "position", "reason"}]: diff positions refused
      requests, calls(method, path_regex), violations, take_violations(), wait_for(predicate, timeout=30)
    Fault injection (faults are consumed in the order they were added; path_regex is re.search'ed
    on the path as sent, still URL-encoded; method None or "*" matches any):
      fail_next(method, path_regex, status, times=1, *, retry_after=None, headers=None, body=None, delay=0.0)
          status None only delays. Default body: 429 -> "Retry later" with RateLimit-* headers as
          GitLab's Rack::Attack sends; otherwise {"message": "<status> <reason>"}.
      drop_next(method, path_regex, times=1): read the request, close the connection unanswered.
    """

    _handler_class = _Handler

    def __init__(
        self,
        token: str = "glpat-corgi-double-token",
        *,
        bot_username: str = "corgi-bot",
        bot_user_id: int = 9001,
        bot_name: str = "Code Corgi",
        spec_path: Path | str | None = DEFAULT_SPEC_PATH,
        instance_url: str | None = None,
        strict_diff_refs: bool = True,
    ):
        super().__init__()
        self._spec = load_spec(spec_path, _Spec, _NoSpec)
        self.validates = isinstance(self._spec, _Spec)
        self.strict_diff_refs = strict_diff_refs

        self._users: dict[int, dict] = {}
        self._tokens: dict[str, int] = {}
        self._projects: dict[int, Project] = {}
        self._mrs: dict[tuple[int, int], MergeRequest] = {}
        self._commits: dict[int, dict[str, str | None]] = {}
        self._pipelines: list[dict] = []
        self._statuses: dict[int, dict] = {}
        self._notes: dict[int, dict] = {}
        self._members: dict[tuple[int, int], dict] = {}
        self._files: dict[tuple[int, str, str | None], bytes] = {}
        self._rejected: list[dict] = []
        self._ids = {"mr": 10000, "pipeline": 500, "status": 7000, "note": 30000}

        self.bot_user = self.add_user(bot_user_id, bot_username, bot_name)
        self.add_token(token)
        self.token = token

        self._bind()
        self.api_url = self.base_url + API_PREFIX
        self.instance_url = (instance_url or self.base_url).rstrip("/")

    # ---- lifecycle (stop, context manager: ApiDouble) ------------------------------------

    def start(self) -> "GitLabDouble":
        if self._server is None:
            raise RuntimeError("a stopped GitLabDouble cannot be restarted; make a new one")
        if self._thread is None:
            self._serve("gitlab-double", 0.05)
        return self

    # ---- setup ---------------------------------------------------------------------------

    def add_user(self, user_id: int, username: str, name: str | None = None) -> dict:
        with self._cond:
            self._users[int(user_id)] = {"id": int(user_id), "username": username, "name": name or username}
            return dict(self._users[int(user_id)])

    def _user_for(self, author: Any) -> int:
        """A user id from a user id, a username (made up if new) or a dict with id/username."""
        if author is None:
            author = "alice"
        if isinstance(author, Mapping):
            uid = int(author["id"]) if "id" in author else None
            if uid is None or uid not in self._users:
                return self._user_for(author.get("username") or uid)
            return uid
        if isinstance(author, int):
            if author not in self._users:
                self.add_user(author, f"user{author}")
            return author
        for uid, user in self._users.items():
            if user["username"] == author:
                return uid
        uid = 100 + len(self._users)
        while uid in self._users:
            uid += 1
        self.add_user(uid, str(author))
        return uid

    def add_token(self, token: str, user_id: int | None = None) -> None:
        with self._cond:
            self._tokens[token] = self.bot_user["id"] if user_id is None else self._user_for(user_id)

    def revoke_token(self, token: str) -> None:
        with self._cond:
            self._tokens.pop(token, None)

    def add_project(self, project_id: int, path_with_namespace: str, *, default_branch: str = "main",
                    name: str | None = None) -> Project:
        with self._cond:
            project = Project(int(project_id), path_with_namespace, default_branch,
                              name or path_with_namespace.rsplit("/", 1)[-1], self.instance_url)
            self._projects[project.id] = project
            self._commits.setdefault(project.id, {})
            return project

    def project(self, ref: Project | int | str) -> Project:
        with self._cond:
            if isinstance(ref, Project):
                return self._projects[ref.id]
            if isinstance(ref, int) or (isinstance(ref, str) and ref.isdigit()):
                return self._projects[int(ref)]
            for project in self._projects.values():
                if project.path_with_namespace.lower() == str(ref).lower():
                    return project
            raise KeyError(f"no project {ref!r}")

    def _version(self, head_sha: str, base_sha: str, start_sha: str | None, diff: str | bytes,
                 too_large, collapsed, generated) -> _Version:
        text = diff.decode("utf-8", "replace") if isinstance(diff, bytes) else diff
        entries = split_diff(text, too_large=too_large, collapsed=collapsed, generated=generated)
        return _Version(head_sha, base_sha, start_sha or base_sha, text, entries, self.clock())

    def set_merge_request(
        self, project: Project | int | str, iid: int, *, head_sha: str, base_sha: str, diff: str | bytes,
        start_sha: str | None = None, title: str | None = None, description: str | None = None,
        state: str | None = None, source_branch: str | None = None, target_branch: str | None = None,
        author: Any = None, draft: bool | None = None, too_large: Iterable[str] = (),
        collapsed: Iterable[str] = (), generated: Iterable[str] = (),
    ) -> MergeRequest:
        """Create or update merge request `iid`. On an existing MR a new head_sha is a push: a new diff
        version is added and the earlier ones are kept (positions on them are checked against their own
        diff when strict_diff_refs is False)."""
        with self._cond:
            proj = self.project(project)
            version = self._version(head_sha, base_sha, start_sha, diff, too_large, collapsed, generated)
            key = (proj.id, int(iid))
            mr = self._mrs.get(key)
            now = self.clock()
            if state is not None and state not in ("opened", "closed", "merged", "locked"):
                raise ValueError(f"state must be opened, closed, merged or locked, not {state!r}")
            if mr is None:
                mr = MergeRequest(
                    project=proj, iid=int(iid), id=self._next_id("mr"), title=title or f"Merge request {iid}",
                    description=description or "", state=state or "opened",
                    source_branch=source_branch or f"feature-{iid}", target_branch=target_branch or proj.default_branch,
                    author=self._users[self._user_for(author)], versions=[version], created_at=now, updated_at=now,
                    draft=bool(draft),
                )
                self._mrs[key] = mr
            else:
                if mr.head_sha == head_sha:
                    mr.versions[-1] = version
                else:
                    mr.versions.append(version)
                for attr, value in (("title", title), ("description", description), ("state", state),
                                    ("source_branch", source_branch), ("target_branch", target_branch),
                                    ("draft", draft)):
                    if value is not None:
                        setattr(mr, attr, value)
                if author is not None:
                    mr.author = self._users[self._user_for(author)]
                mr.updated_at = now
            commits = self._commits.setdefault(proj.id, {})
            commits.setdefault(version.head_sha, mr.source_branch)
            commits.setdefault(version.base_sha, mr.target_branch)
            commits.setdefault(version.start_sha, mr.target_branch)
            self._cond.notify_all()
            return mr

    def push(self, project: Project | int | str, iid: int, head_sha: str, diff: str | bytes, *,
             base_sha: str | None = None, start_sha: str | None = None, too_large: Iterable[str] = (),
             collapsed: Iterable[str] = (), generated: Iterable[str] = ()) -> str:
        """New commits on the MR's source branch: a new head and diff. Returns the previous head SHA."""
        with self._cond:
            mr = self.merge_request(project, iid)
            oldrev = mr.head_sha
            self.set_merge_request(mr.project, iid, head_sha=head_sha, base_sha=base_sha or mr.base_sha,
                                   start_sha=start_sha or (None if base_sha else mr.start_sha), diff=diff,
                                   too_large=too_large, collapsed=collapsed, generated=generated)
            return oldrev

    def merge_request(self, project: Project | int | str, iid: int) -> MergeRequest:
        with self._cond:
            return self._mrs[(self.project(project).id, int(iid))]

    def set_mr_state(self, project: Project | int | str, iid: int, state: str) -> None:
        with self._cond:
            if state not in ("opened", "closed", "merged", "locked"):
                raise ValueError(f"state must be opened, closed, merged or locked, not {state!r}")
            mr = self.merge_request(project, iid)
            mr.state = state
            mr.updated_at = self.clock()

    def add_commit(self, project: Project | int | str, sha: str, ref: str | None = None) -> None:
        with self._cond:
            self._commits.setdefault(self.project(project).id, {})[sha] = ref

    def set_file(self, project: Project | int | str, path: str, content: str | bytes, ref: str | None = None) -> None:
        """A file served by GET .../repository/files/:file_path/raw (for `ref`, or any ref if None)."""
        data = content.encode("utf-8") if isinstance(content, str) else bytes(content)
        with self._cond:
            self._files[(self.project(project).id, path.strip("/"), ref)] = data

    def add_member(self, project: Project | int | str, user_id: int, username: str | None = None,
                   access_level: int = 30, name: str | None = None) -> None:
        """A member of the project (direct or inherited: GET .../members/all/:user_id finds both).
        access_level: 10 Guest, 20 Reporter, 30 Developer, 40 Maintainer, 50 Owner."""
        with self._cond:
            if int(access_level) not in ACCESS_LEVELS:
                raise ValueError(f"unknown access level {access_level}")
            uid = int(user_id)
            if uid not in self._users or username is not None:
                self.add_user(uid, username or self._users.get(uid, {}).get("username") or f"user{uid}", name)
            self._members[(self.project(project).id, uid)] = {"access_level": int(access_level),
                                                              "created_at": self.clock()}

    def remove_member(self, project: Project | int | str, user_id: int) -> None:
        with self._cond:
            self._members.pop((self.project(project).id, int(user_id)), None)

    def _new_note(self, mr: MergeRequest, body: str, *, user_id: int, type_: str | None, individual: bool,
                  system: bool = False, position: dict | None = None, discussion_id: str | None = None,
                  internal: bool = False, commit_id: str | None = None) -> dict:
        now = self.clock()
        nid = self._next_id("note")
        note = {
            "id": nid, "project_id": mr.project.id, "iid": mr.iid, "type": type_, "body": body, "system": system,
            "author_id": user_id, "created_at": now, "updated_at": now, "individual": individual,
            "discussion_id": discussion_id or hashlib.sha1(f"note-{nid}-{now}".encode()).hexdigest(),
            "position": position, "internal": internal, "commit_id": commit_id,
            "resolvable": type_ in ("DiffNote", "DiscussionNote") and not system, "history": [body],
        }
        self._notes[nid] = note
        return note

    def add_note(self, project: Project | int | str, iid: int, body: str, *, author: Any = None,
                 system: bool = False) -> dict:
        """A comment someone else wrote on the MR (an individual note), e.g. a chat command."""
        with self._cond:
            mr = self.merge_request(project, iid)
            note = self._new_note(mr, body, user_id=self._user_for(author), type_=None, individual=True, system=system)
            self._cond.notify_all()
            return self._note_obj(note)

    def delete_note(self, project: Project | int | str, iid: int, note_id: int) -> None:
        with self._cond:
            mr = self.merge_request(project, iid)
            note = self._notes.get(int(note_id))
            if note is None or (note["project_id"], note["iid"]) != (mr.project.id, mr.iid):
                raise KeyError(f"no note {note_id} on {mr.project.path_with_namespace}!{mr.iid}")
            del self._notes[int(note_id)]

    # ---- fault injection (drop_next: ApiDouble) -------------------------------------------

    def fail_next(self, method: str | None, path_regex: str, status: int | None, times: int = 1, *,
                  retry_after: int | float | str | None = None, headers: dict | None = None, body: Any = None,
                  delay: float = 0.0) -> None:
        """The next `times` matching requests get `status` (after `delay` seconds). See the class docstring."""
        headers = dict(headers or {})
        if retry_after is not None:
            headers["Retry-After"] = str(retry_after)
        super().fail_next(method, path_regex, status, times, headers, body, delay)

    # ---- inspection (requests, calls, violations, take_violations, wait_for: ApiDouble) --

    @property
    def rejected_positions(self) -> list[dict]:
        with self._cond:
            return copy.deepcopy(self._rejected)

    def statuses(self, project: Project | int | str | None = None, sha: str | None = None,
                 include_retried: bool = False) -> list[dict]:
        with self._cond:
            pid = self.project(project).id if project is not None else None
            out = []
            for status in sorted(self._statuses.values(), key=lambda s: s["id"]):
                if (pid is None or status["project_id"] == pid) and (sha is None or status["sha"] == sha) and \
                        (include_retried or not status["retried"]):
                    out.append({**self._status_obj(status), "retried": status["retried"],
                                "project_id": status["project_id"]})
            return out

    def notes(self, project: Project | int | str, iid: int) -> list[dict]:
        with self._cond:
            mr = self.merge_request(project, iid)
            return [self._note_obj(n) for n in self._mr_notes(mr)]

    def discussions(self, project: Project | int | str, iid: int) -> list[dict]:
        with self._cond:
            return [self._discussion_obj(d) for d in self._mr_discussions(self.merge_request(project, iid))]

    # ---- request handling ----------------------------------------------------------------

    def _dispatch(self, h: BaseHTTPRequestHandler) -> None:
        method, path, pairs = request_target(h)
        query = {k: v for k, v in reversed(pairs)}  # first occurrence wins for the log
        record = RecordedRequest(
            method=method, path=path, query={k: ("[redacted]" if k in ("private_token", "access_token") else v)
                                             for k, v in query.items()},
            headers={"User-Agent": h.headers.get("User-Agent"), "Content-Type": h.headers.get("Content-Type"),
                     "Accept": h.headers.get("Accept")},
            body=None, request_id=uuid.uuid4().hex[:26].upper(), at=time.time(),
        )
        raw, body_error = read_body(h)
        body, parse_error = _parse_body(h.headers.get("Content-Type"), raw)
        record.body = body if raw else None
        body_error = body_error or parse_error
        self._answer(h, record, lambda: self._process(h, method, path, pairs, body, body_error, record))

    def _internal_error(self, exc: Exception) -> _Result:
        return _Result(500, {"message": "500 Internal Server Error"})

    def _write(self, h: BaseHTTPRequestHandler, result: _Result, record: RecordedRequest) -> None:
        payload = encode_payload(result.body, _rails_json)
        headers = {
            "Content-Type": result.content_type,
            "Cache-Control": "max-age=0, private, must-revalidate",
            "Vary": "Origin",
            "X-Content-Type-Options": "nosniff",
            "X-Frame-Options": "SAMEORIGIN",
            "X-Request-Id": record.request_id,
            "X-Gitlab-Meta": json.dumps({"correlation_id": record.request_id, "version": "1"}, separators=(",", ":")),
        }
        send(h, result.status, override_headers(headers, result.headers), payload)

    def _injected(self, fault: Fault, record: RecordedRequest) -> _Result:
        headers = dict(fault.headers or {})
        lowered = {k.lower(): v for k, v in headers.items()}
        body, content_type = fault.body, "application/json"
        if body is None and fault.status == 429:
            # Rack::Attack's throttled response in GitLab (config/initializers/rack_attack.rb,
            # https://docs.gitlab.com/security/rate_limits/): plain text with RateLimit-* headers.
            retry = str(lowered.get("retry-after", "60"))
            reset = int(time.time()) + (int(float(retry)) if re.fullmatch(r"\d+(\.\d+)?", retry) else 60)
            body, content_type = "Retry later\n", "text/plain"
            defaults = {"Retry-After": retry, "RateLimit-Name": "throttle_authenticated_api",
                        "RateLimit-Limit": "2000", "RateLimit-Observed": "2001", "RateLimit-Remaining": "0",
                        "RateLimit-Reset": str(reset),
                        "RateLimit-ResetTime": datetime.fromtimestamp(reset, timezone.utc).strftime(
                            "%a, %d %b %Y %H:%M:%S GMT")}
            for key, value in defaults.items():
                if key.lower() not in lowered:
                    headers[key] = value
        elif body is None:
            body = {"message": f"{fault.status} {status_phrase(fault.status)}"}
        elif isinstance(body, (str, bytes)):
            content_type = lowered.get("content-type", "text/plain")
        return _Result(fault.status, body, content_type, headers)

    def _authenticate(self, h: BaseHTTPRequestHandler, pairs: list, record: RecordedRequest) -> dict:
        """PRIVATE-TOKEN header; GitLab also takes `Authorization: Bearer` and ?private_token=
        (https://docs.gitlab.com/api/rest/authentication/)."""
        token, kind = h.headers.get("PRIVATE-TOKEN"), "private_token"
        if token is None:
            authorization = h.headers.get("Authorization") or ""
            if authorization[:7].lower() == "bearer ":
                token, kind = authorization[7:].strip(), "bearer"
        if token is None:
            token = next((v for k, v in pairs if k in ("private_token", "access_token")), None)
            kind = "query"
        if token is None:
            raise _APIError(401, {"message": "401 Unauthorized"},
                            violation="no token (PRIVATE-TOKEN header) on an API request")
        record.auth = kind
        user_id = self._tokens.get(token)
        if user_id is None:
            record.credential = "invalid"
            raise _APIError(401, {"message": "401 Unauthorized"})
        record.credential = "valid"
        return self._users[user_id]

    def _process(self, h, method: str, path: str, pairs: list, body: dict, body_error: str | None,
                 record: RecordedRequest) -> _Result:
        route = None
        try:
            route, path_params, other_methods = match_route(_ROUTES, method, path)
            if route is None:
                if other_methods:
                    raise _APIError(405, {"error": "405 Not Allowed"},
                                    violation=f"{method} is not allowed on {path}")
                hint = ""
                if "/repository/files/" in path:
                    hint = " (file_path must be URL-encoded: %2F for '/')"
                raise _APIError(404, {"error": "404 Not Found"},
                                violation=f"no such API route in the double{hint}")
            record.operation = route.handler
            with self._cond:
                user = self._authenticate(h, pairs, record)
            if body_error is not None:
                raise _APIError(400, {"error": "The message body does not match declared format"},
                                violation=body_error)
            query = _nest(pairs)
            params: dict[str, Any] = {**copy.deepcopy(query), **copy.deepcopy(body), **path_params}
            self._check_params(route, params)
            ctx = _Ctx(h, route.method, path, route, path_params, query, params, user=user)
            with self._cond:
                if "{id}" in route.template:
                    ctx.project = self._lookup_project(path_params["id"])
                result = self._operate(route.handler, ctx)
        except _APIError as error:
            if error.violation:
                self._violate(f"{method} {path}: {error.violation}")
            return _Result(error.status, error.payload, headers=error.headers)
        if 200 <= result.status < 300 and isinstance(result.body, (dict, list)):
            self._check_response(route, path, result)
        return result

    def _check_params(self, route: _Route, params: dict) -> None:
        """Grape's parameter validation: against GitLab's description when it describes the operation,
        then against the hand-written contract (which also coerces `params` in place)."""
        decls = self._spec.request_decls(route.method, route.template)
        if decls is not None:
            flat, body = decls
            errors = _check_decls(flat + body, copy.deepcopy(params))
            if errors:
                op_id = self._spec.operation(route.method, route.template).get("operationId")
                raise _APIError(400, {"error": ", ".join(errors)},
                                violation=f"refused by GitLab's OpenAPI description ({op_id}): {', '.join(errors)}")
        errors = _check_decls(route.decls, params)
        if errors:
            raise _APIError(400, {"error": ", ".join(errors)},
                            violation=f"refused by the contract ({route.doc}): {', '.join(errors)}")
        for decl in route.decls:  # Grape fills declared defaults
            if decl.default is not None and params.get(decl.name) is None:
                params[decl.name] = decl.default

    def _check_response(self, route: _Route, path: str, result: _Result) -> None:
        problems: list[str] = []
        problems += [f"(OpenAPI) {p}"
                     for p in self._spec.response_problems(route.method, route.template, result.status, result.body)]
        if result.schema:
            validator = _HANDWRITTEN_VALIDATORS[result.schema]
            problems += [f"(contract) {p}" for p in _schema_problems(validator, result.body)]
            note_validator = self._spec.entity_validator("API_Entities_Note")
            if note_validator is not None:
                notes = {"note": lambda b: [b], "notes": lambda b: b,
                         "discussion": lambda b: b["notes"],
                         "discussions": lambda b: [n for d in b for n in d["notes"]]}[result.schema](result.body)
                for note in notes:
                    problems += [f"(OpenAPI API_Entities_Note) {p}" for p in _schema_problems(note_validator, note)]
        for problem in problems:
            self._violate(f"response: {route.method} {path} {result.status}: {problem}")

    def _lookup_project(self, ident: str) -> Project:
        """`:id` is the numeric id or the URL-encoded path_with_namespace (already decoded here)."""
        if re.fullmatch(r"\d+", ident):
            project = self._projects.get(int(ident))
        else:
            project = next((p for p in self._projects.values()
                            if p.path_with_namespace.lower() == ident.lower()), None)
        if project is None:
            raise _not_found("Project")
        return project

    def _mr(self, ctx: _Ctx, key: str = "noteable_id") -> MergeRequest:
        iid = ctx.params.get(key, ctx.params.get("merge_request_iid"))
        mr = self._mrs.get((ctx.project.id, iid))
        if mr is None:
            raise _not_found()
        return mr

    # ---- entities ----------------------------------------------------------------------------

    def _user_obj(self, user_id: int) -> dict:
        user = self._users[user_id]
        digest = hashlib.md5(user["username"].encode()).hexdigest()
        return {"id": user["id"], "username": user["username"], "name": user["name"], "state": "active",
                "locked": False, "avatar_url": f"https://www.gravatar.com/avatar/{digest}?s=80&d=identicon",
                "web_url": f"{self.instance_url}/{user['username']}"}

    def _mr_obj(self, mr: MergeRequest) -> dict:
        project = mr.project
        author = self._user_obj(mr.author["id"])
        merged = mr.state == "merged"
        closed = mr.state == "closed"
        notes_count = sum(1 for n in self._mr_notes(mr) if not n["system"])
        return {
            "id": mr.id, "iid": mr.iid, "project_id": project.id, "title": mr.title, "description": mr.description,
            "state": mr.state, "created_at": _iso_ms(mr.created_at), "updated_at": _iso_ms(mr.updated_at),
            "merged_by": author if merged else None, "merge_user": author if merged else None,
            "merged_at": _iso_ms(mr.updated_at) if merged else None,
            "closed_by": author if closed else None, "closed_at": _iso_ms(mr.updated_at) if closed else None,
            "target_branch": mr.target_branch, "source_branch": mr.source_branch,
            "user_notes_count": notes_count, "upvotes": 0, "downvotes": 0, "author": author,
            "assignees": [], "assignee": None, "reviewers": [], "source_project_id": project.id,
            "target_project_id": project.id, "labels": [], "draft": mr.draft, "imported": False,
            "imported_from": "none", "work_in_progress": mr.draft, "milestone": None,
            "merge_when_pipeline_succeeds": False, "merge_status": "can_be_merged",
            "detailed_merge_status": "mergeable" if mr.state == "opened" else "not_open", "merge_after": None,
            "sha": mr.head_sha, "merge_commit_sha": None, "squash_commit_sha": None, "discussion_locked": None,
            "should_remove_source_branch": None, "force_remove_source_branch": True,
            "prepared_at": _iso_ms(mr.created_at), "reference": f"!{mr.iid}",
            "references": {"short": f"!{mr.iid}", "relative": f"!{mr.iid}",
                           "full": f"{project.path_with_namespace}!{mr.iid}"},
            "web_url": mr.web_url,
            "time_stats": {"time_estimate": 0, "total_time_spent": 0, "human_time_estimate": None,
                           "human_total_time_spent": None},
            "squash": False, "squash_on_merge": False,
            "task_completion_status": {"count": 0, "completed_count": 0}, "has_conflicts": False,
            "blocking_discussions_resolved": True, "approvals_before_merge": None, "subscribed": False,
            "changes_count": str(len(mr.entries)), "latest_build_started_at": None, "latest_build_finished_at": None,
            "first_deployed_to_production_at": None, "pipeline": None, "head_pipeline": None,
            "diff_refs": mr.diff_refs, "merge_error": None, "first_contribution": False,
            "user": {"can_merge": True},
        }

    def _status_obj(self, status: dict) -> dict:
        return {
            "id": status["id"], "sha": status["sha"], "ref": status["ref"], "status": status["status"],
            "name": status["name"], "target_url": status["target_url"], "description": status["description"],
            "created_at": _iso_ms(status["created_at"]),
            "started_at": _iso_ms(status["started_at"]) if status["started_at"] else None,
            "finished_at": _iso_ms(status["finished_at"]) if status["finished_at"] else None,
            "allow_failure": False, "coverage": status["coverage"], "pipeline_id": status["pipeline_id"],
            "author": self._user_obj(status["author_id"]),
        }

    def _mr_notes(self, mr: MergeRequest) -> list[dict]:
        return sorted((n for n in self._notes.values() if (n["project_id"], n["iid"]) == (mr.project.id, mr.iid)),
                      key=lambda n: (n["created_at"], n["id"]))

    def _mr_discussions(self, mr: MergeRequest) -> list[list[dict]]:
        grouped: dict[str, list[dict]] = {}
        for note in self._mr_notes(mr):
            grouped.setdefault(note["discussion_id"], []).append(note)
        return list(grouped.values())

    def _note_obj(self, note: dict) -> dict:
        mr = self._mrs[(note["project_id"], note["iid"])]
        obj = {
            "id": note["id"], "type": note["type"], "body": note["body"], "attachment": None,
            "author": self._user_obj(note["author_id"]), "created_at": _iso_ms(note["created_at"]),
            "updated_at": _iso_ms(note["updated_at"]), "system": note["system"], "noteable_id": mr.id,
            "noteable_type": "MergeRequest", "project_id": note["project_id"],
        }
        if note["type"] == "DiffNote":
            obj["commit_id"] = note["commit_id"]
            obj["position"] = copy.deepcopy(note["position"])
        obj["resolvable"] = note["resolvable"]
        if note["resolvable"]:
            obj.update({"resolved": False, "resolved_by": None, "resolved_at": None})
        obj.update({"confidential": note["internal"], "internal": note["internal"], "imported": False,
                    "imported_from": "none", "noteable_iid": mr.iid, "commands_changes": {}})
        return obj

    def _discussion_obj(self, notes: list[dict]) -> dict:
        return {"id": notes[0]["discussion_id"], "individual_note": notes[0]["individual"],
                "notes": [self._note_obj(n) for n in notes]}

    # ---- pagination (https://docs.gitlab.com/api/rest/#offset-based-pagination) --------------

    def _paginate(self, ctx: _Ctx, items: list, schema: str | None = None) -> _Result:
        per_page = ctx.params.get("per_page") or 20
        per_page = 20 if per_page < 1 else min(per_page, 100)  # Kaminari: max_per_page 100
        page = max(1, ctx.params.get("page") or 1)
        total = len(items)
        total_pages = max(1, math.ceil(total / per_page))  # "Ensure there is in total at least 1 page"
        chunk = items[(page - 1) * per_page: page * per_page]
        next_page = page + 1 if page < total_pages else None
        prev_page = page - 1 if 1 < page <= total_pages else None

        # Gitlab::Pagination::OffsetHeaderBuilder: Grape's params (path params and declared defaults
        # included) .merge(page:, per_page:).to_query, keys sorted.
        link_params: dict[str, str] = {}
        for decl in ctx.route.decls:
            value = ctx.params.get(decl.name)
            if value is not None and decl.type in ("string", "integer", "number", "boolean"):
                link_params[decl.name] = str(value).lower() if isinstance(value, bool) else str(value)
        link_params["per_page"] = str(per_page)

        def href(number: int) -> str:
            query = dict(link_params, page=str(number))
            return f"{self.base_url}{ctx.path}?{urlencode(sorted(query.items()))}"

        links = []
        if prev_page:
            links.append(f'<{href(prev_page)}>; rel="prev"')
        if next_page:
            links.append(f'<{href(next_page)}>; rel="next"')
        links.append(f'<{href(1)}>; rel="first"')
        links.append(f'<{href(total_pages)}>; rel="last"')
        headers = {"X-Per-Page": str(per_page), "X-Page": str(page), "X-Next-Page": str(next_page or ""),
                   "X-Prev-Page": str(prev_page or ""), "Link": ", ".join(links), "X-Total": str(total),
                   "X-Total-Pages": str(total_pages)}
        return _Result(200, chunk, headers=headers, schema=schema)

    # ---- operations ------------------------------------------------------------------------

    def _op_get_mr(self, ctx: _Ctx) -> _Result:
        return _Result(200, self._mr_obj(self._mr(ctx, "merge_request_iid")))

    def _op_list_diffs(self, ctx: _Ctx) -> _Result:
        mr = self._mr(ctx, "merge_request_iid")
        return self._paginate(ctx, [e.api(bool(ctx.params.get("unidiff"))) for e in mr.entries])

    def _default_ref(self, project: Project, sha: str) -> str:
        return self._commits.get(project.id, {}).get(sha) or project.default_branch

    def _resolve_commit(self, project: Project, ref: str) -> str | None:
        commits = self._commits.get(project.id, {})
        if ref in commits:
            return ref
        if len(ref) >= 7 and re.fullmatch(r"[0-9a-fA-F]+", ref):
            found = [sha for sha in commits if sha.startswith(ref.lower())]
            if len(found) == 1:
                return found[0]
        return None

    def _op_post_status(self, ctx: _Ctx) -> _Result:
        """Ci::CreateCommitStatusService (gitlabhq app/services/ci/create_commit_status_service.rb) and
        CommitStatus's state machine (app/models/commit_status.rb):
        * a status is found by (pipeline, ref, name) among the *pending or running* ones; otherwise a new
          one is built in state `created` (so posting after success/failed/canceled/skipped makes a new
          status and the older one of that name becomes "retried", hidden from the list unless all=true);
        * pending = enqueue! (created -> pending); running = enqueue then run! (pending -> running);
          success! and drop! (failed) and cancel! from created/pending/running; skip! from created/pending;
        * a refused transition is 400 {"message": "Cannot transition status via :EVENT from :STATE
          (Reason(s): Status cannot transition via \\"EVENT\\")"} and changes nothing, e.g. pending twice
          or running twice (documented in the service's spec), or skipped after running.
        """
        project, params = ctx.project, ctx.params
        sha = self._resolve_commit(project, params["sha"])
        if sha is None:
            raise _not_found("Commit", violation=f"status for unknown commit {params['sha']!r}")
        candidates = sorted((p for p in self._pipelines if p["project_id"] == project.id and p["sha"] == sha),
                            key=lambda p: p["id"], reverse=True)
        if params.get("ref"):
            candidates = [p for p in candidates if p["ref"] == params["ref"]]
        if params.get("pipeline_id") is not None:
            candidates = [p for p in candidates if p["id"] == params["pipeline_id"]]
            if not candidates:
                raise _not_found("Pipeline for pipeline_id, sha and ref",
                                 violation=f"pipeline_id {params['pipeline_id']} is not a pipeline of {sha}")
        pipeline = candidates[0] if candidates else None
        ref = params.get("ref") or (pipeline["ref"] if pipeline else self._default_ref(project, sha))
        name = params.get("name") or params.get("context") or "default"
        existing = None
        if pipeline is not None:
            existing = next((s for s in sorted(self._statuses.values(), key=lambda s: -s["id"])
                             if s["pipeline_id"] == pipeline["id"] and s["name"] == name and s["ref"] == ref
                             and s["status"] in ("pending", "running") and s["author_id"] == ctx.user["id"]), None)
        now = self.clock()
        status = copy.deepcopy(existing) if existing else {
            "id": None, "project_id": project.id, "sha": sha, "ref": ref, "name": name, "status": "created",
            "target_url": None, "description": None, "coverage": None, "pipeline_id": None,
            "created_at": now, "started_at": None, "finished_at": None, "retried": False,
            "author_id": ctx.user["id"],
        }
        for key in ("target_url", "description", "coverage"):
            if params.get(key) is not None:
                status[key] = params[key]
        errors: dict[str, list[str]] = {}
        for key in ("ref", "target_url", "description"):
            if isinstance(status.get(key), str) and len(status[key]) > _MAX_STATUS_FIELD:
                errors.setdefault(key, []).append(f"is too long (maximum is {_MAX_STATUS_FIELD} characters)")
        if status["target_url"] is not None:
            parts = urlsplit(status["target_url"])
            if parts.scheme not in ("http", "https") or not parts.netloc:
                errors.setdefault("target_url", []).append("is blocked: Only allowed schemes are http, https")
        if errors:
            raise _message(400, errors, violation=f"commit status refused: {errors}")
        self._transition(status, params["state"], now)
        if pipeline is None:
            pipeline = {"id": self._next_id("pipeline"), "project_id": project.id, "sha": sha, "ref": ref}
            self._pipelines.append(pipeline)
        status["pipeline_id"] = pipeline["id"]
        if status["id"] is None:
            status["id"] = self._next_id("status")
            for other in self._statuses.values():  # CommitStatus#update_older_statuses_retried!
                if other["pipeline_id"] == pipeline["id"] and other["name"] == name and not other["retried"]:
                    other["retried"] = True
        self._statuses[status["id"]] = status
        return _Result(201, self._status_obj(status))

    @staticmethod
    def _transition(status: dict, state: str, now: float) -> None:
        def fire(event: str, allowed: tuple[str, ...], target: str) -> None:
            if status["status"] not in allowed:
                raise _message(
                    400, f"Cannot transition status via :{event} from :{status['status']} "
                         f"(Reason(s): Status cannot transition via \"{event}\")",
                    violation=f"commit status transition refused: {status['name']!r} is {status['status']}, "
                              f"asked for {state}")
            if target == "running" and status["status"] in ("created", "pending"):
                status["started_at"] = now
            if target in ("success", "failed", "canceled"):
                status["finished_at"] = now
            status["status"] = target

        if state == "pending":
            fire("enqueue", ("created",), "pending")
        elif state == "running":
            if status["status"] == "created":  # `job.enqueue` (no bang: a refused enqueue is silent)
                status["status"] = "pending"
            fire("run", ("pending",), "running")
        elif state == "success":
            fire("success", ("created", "pending", "running"), "success")
        elif state == "failed":
            fire("drop", ("created", "pending", "running"), "failed")
        elif state == "canceled":
            fire("cancel", ("created", "pending", "running"), "canceled")
        elif state == "skipped":
            fire("skip", ("created", "pending"), "skipped")
        else:  # unreachable behind the `values` check
            raise _message(400, "invalid state")

    def _op_list_statuses(self, ctx: _Ctx) -> _Result:
        project, params = ctx.project, ctx.params
        sha = self._resolve_commit(project, params["sha"])
        if sha is None:
            raise _not_found("Commit", violation=f"statuses of unknown commit {params['sha']!r}")
        pipelines = {p["id"] for p in self._pipelines if p["project_id"] == project.id and p["sha"] == sha}
        if params.get("pipeline_id") is not None:
            pipelines &= {params["pipeline_id"]}
        items = [s for s in self._statuses.values() if s["pipeline_id"] in pipelines]
        if not params.get("all"):
            items = [s for s in items if not s["retried"]]
        if params.get("ref"):
            items = [s for s in items if s["ref"] == params["ref"]]
        if params.get("stage"):
            items = [s for s in items if params["stage"] == "external"]  # generic statuses live in `external`
        if params.get("name"):
            items = [s for s in items if s["name"] == params["name"]]
        key = "pipeline_id" if params.get("order_by") == "pipeline_id" else "id"
        items.sort(key=lambda s: (s[key], s["id"]), reverse=params.get("sort") == "desc")
        return self._paginate(ctx, [self._status_obj(s) for s in items])

    def _check_note_body(self, body: str) -> None:
        if not body.strip():
            raise _message(400, "400 Bad request - Note " + _ruby_inspect({"note": ["can't be blank"]}),
                           violation="note with a blank body")
        if len(body) > _MAX_NOTE:
            raise _message(400, "400 Bad request - Note " + _ruby_inspect(
                {"note": [f"is too long (maximum is {_MAX_NOTE} characters)"]}),
                violation=f"note body of {len(body)} characters exceeds GitLab's {_MAX_NOTE}")

    def _op_list_discussions(self, ctx: _Ctx) -> _Result:
        mr = self._mr(ctx)
        return self._paginate(ctx, [self._discussion_obj(d) for d in self._mr_discussions(mr)], schema="discussions")

    def _op_create_discussion(self, ctx: _Ctx) -> _Result:
        mr = self._mr(ctx)
        body = ctx.params["body"]
        self._check_note_body(body)
        position = ctx.params.get("position")
        if position is None:
            note = self._new_note(mr, body, user_id=ctx.user["id"], type_="DiscussionNote", individual=False)
        else:
            stored = self._check_position(mr, position)
            note = self._new_note(mr, body, user_id=ctx.user["id"], type_="DiffNote", individual=False,
                                  position=stored, commit_id=ctx.params.get("commit_id"))
        return _Result(201, self._discussion_obj([note]), schema="discussion")

    def _check_position(self, mr: MergeRequest, pos: dict) -> dict:
        """Where a diff comment lands, checked as GitLab checks it (DiffNote validations, Position#line_code,
        Gitlab::Diff::File#line_for_position, Gitlab::Diff::LinesUnfolder) and as the discussions docs say
        (https://docs.gitlab.com/api/discussions/#create-a-new-thread-in-the-merge-request-diff):
        * added line: new_line only; removed line: old_line only; unchanged line: both old_line and
          new_line. The (old_line, new_line) pair must be exactly a line of the file's diff, or, for an
          unchanged line outside the hunks, a pair consistent with the hunks before it (GitLab unfolds the
          diff then) that exists in the old file.
        * base_sha/start_sha/head_sha must be the MR's current diff_refs (strict_diff_refs; otherwise
          any version the MR has had, as GitLab accepts them).
        A refused position is answered 400 "Note {:line_code=>[...]}" as GitLab does, and recorded in
        `rejected_positions` and `.violations` with the precise reason."""
        refs = {k: pos.get(k) for k in ("base_sha", "start_sha", "head_sha")}
        kind = pos.get("position_type")
        new_path, old_path = pos.get("new_path"), pos.get("old_path")
        old_line, new_line = pos.get("old_line"), pos.get("new_line")

        def refuse(reason: str, message: str = _LINE_CODE_ERROR) -> _APIError:
            self._rejected.append({"project_id": mr.project.id, "iid": mr.iid, "position": copy.deepcopy(pos),
                                   "reason": reason})
            return _message(400, message, violation=f"diff position refused: {reason}")

        if kind != "text":
            raise refuse(f"position_type {kind!r} is not supported by the double (text only)",
                         f"400 Bad request - position_type {kind} is not supported by the GitLab double")
        versions = mr.versions[-1:] if self.strict_diff_refs else list(reversed(mr.versions))
        version = next((v for v in versions if v.diff_refs == refs), None)
        if version is None:
            raise refuse(f"diff refs {refs} are not the merge request's current diff_refs {mr.diff_refs}")
        entries = version.entries
        if new_path is None and old_path is None:
            raise refuse("position has neither new_path nor old_path")
        entry = next((e for e in entries if new_path is not None and e.new_path == new_path), None) or \
            next((e for e in entries if new_path is None and e.old_path == old_path), None)
        if entry is None:
            raise refuse(f"{new_path or old_path!r} is not a file of the merge request diff")
        notes = []
        if new_path is None or old_path is None:
            notes.append("the docs require both old_path and new_path")
        elif old_path != entry.old_path:
            notes.append(f"old_path {old_path!r} is not the file's path before the change ({entry.old_path!r})")
        if entry.too_large:
            raise refuse(f"{entry.new_path} is too large for GitLab to show its diff; no line can be commented")
        if entry.binary:
            raise refuse(f"{entry.new_path} is binary; no line can be commented")
        if old_line is None and new_line is None:
            raise refuse("position has neither old_line nor new_line")
        if (old_line, new_line) not in entry.lines and not self._unfolded_line_exists(mr, version, entry,
                                                                                       old_line, new_line):
            raise refuse(self._explain_line(entry, old_line, new_line))
        for note in notes:
            self._violate(f"diff position on {entry.new_path}: {note}")
        return {"base_sha": refs["base_sha"], "start_sha": refs["start_sha"], "head_sha": refs["head_sha"],
                "old_path": old_path, "new_path": new_path, "position_type": "text",
                "old_line": old_line, "new_line": new_line, "line_range": pos.get("line_range"),
                "ignore_whitespace_change": False}

    def _unfolded_line_exists(self, mr: MergeRequest, version: _Version, entry: DiffEntry,
                              old_line: int | None, new_line: int | None) -> bool:
        if old_line is None or new_line is None or entry.new_file or entry.deleted_file or not entry.hunks:
            return False
        if old_line < 1 or new_line < 1:
            return False
        offset = 0
        for old_start, old_count, new_start, new_count in sorted(entry.hunks):
            next_old = old_start + old_count if old_count else old_start + 1
            if old_count and old_start <= old_line < next_old:
                return False  # inside a hunk: only its own lines are valid
            if old_line >= next_old:
                offset = (new_start + new_count) - next_old
        if new_line - old_line != offset:
            return False
        data = None
        for ref in (version.base_sha, version.start_sha, None):
            data = self._files.get((mr.project.id, entry.old_path, ref))
            if data is not None:
                break
        if data is not None:
            count = data.count(b"\n") + (1 if data and not data.endswith(b"\n") else 0)
            return old_line <= count
        # The old file is unknown: only lines up to the end of the last hunk surely exist.
        return old_line < max(old_start + old_count if old_count else old_start + 1
                              for old_start, old_count, _, _ in entry.hunks)

    @staticmethod
    def _explain_line(entry: DiffEntry, old_line: int | None, new_line: int | None) -> str:
        where = f"{entry.new_path} (old_line={old_line}, new_line={new_line})"
        if old_line is None:
            context = [o for (o, n), k in entry.lines.items() if k == " " and n == new_line]
            if context:
                return f"{where}: new line {new_line} is an unchanged line; GitLab needs old_line={context[0]} too"
            return f"{where}: new line {new_line} is not an added line of the diff"
        if new_line is None:
            context = [n for (o, n), k in entry.lines.items() if k == " " and o == old_line]
            if context:
                return f"{where}: old line {old_line} is an unchanged line; GitLab needs new_line={context[0]} too"
            return f"{where}: old line {old_line} is not a removed line of the diff"
        return f"{where}: no unchanged line of the file has this pair of line numbers"

    def _op_list_notes(self, ctx: _Ctx) -> _Result:
        mr = self._mr(ctx)
        notes = self._mr_notes(mr)
        filt = ctx.params.get("activity_filter")
        if filt == "only_comments":
            notes = [n for n in notes if not n["system"]]
        elif filt == "only_activity":
            notes = [n for n in notes if n["system"]]
        key = ctx.params.get("order_by") or "created_at"
        notes.sort(key=lambda n: (n[key], n["id"]), reverse=(ctx.params.get("sort") or "desc") == "desc")
        return self._paginate(ctx, [self._note_obj(n) for n in notes], schema="notes")

    def _op_create_note(self, ctx: _Ctx) -> _Result:
        mr = self._mr(ctx)
        body = ctx.params["body"]
        self._check_note_body(body)
        internal = bool(ctx.params.get("internal") or ctx.params.get("confidential"))
        note = self._new_note(mr, body, user_id=ctx.user["id"], type_=None, individual=True, internal=internal)
        return _Result(201, self._note_obj(note), schema="note")

    def _op_update_note(self, ctx: _Ctx) -> _Result:
        mr = self._mr(ctx)
        note = self._notes.get(ctx.params["note_id"])
        if note is None or (note["project_id"], note["iid"]) != (mr.project.id, mr.iid):
            raise _not_found(violation=f"update of note {ctx.params['note_id']}, which is not on this MR")
        if note["author_id"] != ctx.user["id"] or note["system"]:
            raise _message(403, "403 Forbidden", violation=f"update of note {note['id']} written by someone else")
        body = ctx.params.get("body")
        if body is not None:
            self._check_note_body(body)
            if body != note["body"]:
                note["body"] = body
                note["updated_at"] = self.clock()
                note["history"].append(body)
        return _Result(200, self._note_obj(note), schema="note")

    def _op_raw_file(self, ctx: _Ctx) -> _Result:
        project = ctx.project
        path = ctx.params["file_path"]
        ref = ctx.params.get("ref") or project.default_branch
        data = self._files.get((project.id, path, ref))
        if data is None:
            data = self._files.get((project.id, path, None))
        if data is None:
            raise _not_found("File")
        try:
            data.decode("utf-8")
            content_type = "text/plain; charset=utf-8"
        except UnicodeDecodeError:
            content_type = "application/octet-stream"
        name = path.rsplit("/", 1)[-1]
        commit = self._resolve_commit(project, ref) or hashlib.sha1(f"{project.id}:{ref}".encode()).hexdigest()
        return _Result(200, data, content_type, headers={
            "Content-Disposition": f"inline; filename=\"{name}\"; filename*=UTF-8''{quote(name)}",
            "X-Gitlab-Blob-Id": hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest(),
            "X-Gitlab-Commit-Id": commit, "X-Gitlab-Last-Commit-Id": commit,
            "X-Gitlab-Content-Sha256": hashlib.sha256(data).hexdigest(), "X-Gitlab-Encoding": "base64",
            "X-Gitlab-Execute-Filemode": "false", "X-Gitlab-File-Name": name, "X-Gitlab-File-Path": path,
            "X-Gitlab-Ref": ref, "X-Gitlab-Size": str(len(data)),
        })

    def _op_get_member(self, ctx: _Ctx) -> _Result:
        member = self._members.get((ctx.project.id, ctx.params["user_id"]))
        if member is None:
            raise _not_found()
        return _Result(200, {**self._user_obj(ctx.params["user_id"]), "access_level": member["access_level"],
                             "created_at": _iso_ms(member["created_at"]), "expires_at": None,
                             "membership_state": "active"})

    def _op_get_user(self, ctx: _Ctx) -> _Result:
        return _Result(200, {**self._user_obj(ctx.user["id"]), "bot": ctx.user["id"] == self.bot_user["id"],
                             "created_at": _iso_ms(1600000000), "bio": "", "public_email": None})


# --------------------------------------------------------------------------------------------
# Webhooks: sender, Standard Webhooks signature, payload builders
# Headers: GitLab's app/services/web_hook_service.rb (see ../shared/fixtures/gitlab/HEADERS.md);
# signature: https://www.standardwebhooks.com (spec/standard-webhooks.md, "v1" = HMAC-SHA256).

_EVENT_NAMES = {"merge_request": "Merge Request Hook", "note": "Note Hook", "push": "Push Hook",
                "tag_push": "Tag Push Hook", "pipeline": "Pipeline Hook", "build": "Job Hook"}


def _webhook_key(secret: str) -> bytes:
    """The HMAC key of a Standard Webhooks secret: base64-decode what follows an optional `whsec_`."""
    text = secret[len("whsec_"):] if secret.startswith("whsec_") else secret
    return base64.b64decode(text + "=" * (-len(text) % 4))


def sign_standard_webhook(secret: str, msg_id: str, timestamp: int | str, body: bytes | str) -> str:
    """`v1,<base64 HMAC-SHA256 of "{msg_id}.{timestamp}.{body}">` keyed by the decoded secret."""
    data = body.encode("utf-8") if isinstance(body, str) else bytes(body)
    signed = f"{msg_id}.{timestamp}.".encode("utf-8") + data
    return "v1," + base64.b64encode(hmac.new(_webhook_key(secret), signed, hashlib.sha256).digest()).decode()


def verify_standard_webhook(secret: str, msg_id: str, timestamp: int | str, body: bytes | str,
                            signature_header: str) -> bool:
    """True if any space-separated `v1,` entry of `signature_header` verifies (constant-time);
    other versions are skipped. The timestamp tolerance is the caller's business."""
    expected = sign_standard_webhook(secret, msg_id, timestamp, body).split(",", 1)[1].encode()
    ok = False
    for entry in signature_header.split():
        version, _, value = entry.partition(",")
        if version == "v1" and value:
            ok |= hmac.compare_digest(expected, value.encode())
    return ok


@dataclass
class WebhookDelivery(BaseWebhookDelivery):
    """What send_gitlab_webhook sent and what came back."""
    sent_headers: dict[str, str]
    sent_body: bytes


def send_gitlab_webhook(
    url: str, event: str, payload: Any, token: str | None = None, signing_key: str | None = None,
    idempotency_key: str | None = None, timestamp: int | None = None, *, instance: str = "https://gitlab.example.com",
    event_uuid: str | None = None, webhook_uuid: str | None = None, user_agent: str = f"GitLab/{GITLAB_VERSION}",
    extra_headers: Mapping[str, str] | None = None, timeout: float = 10.0,
) -> WebhookDelivery:
    """POST a webhook the way GitLab delivers one. `event` is the X-Gitlab-Event value ("Merge Request
    Hook", "Note Hook", ...; an object_kind such as "merge_request" is translated). `payload` is a dict
    (serialized compactly, as Rails' to_json does) or the exact body as str/bytes. `token` goes verbatim in
    X-Gitlab-Token. With `signing_key` (a `whsec_<base64>` secret) the Standard Webhooks headers are added:
    webhook-id (= Idempotency-Key), webhook-timestamp (unix seconds, `timestamp` or now), webhook-signature.
    `extra_headers` are sent first and overridden by the built-in ones, as GitLab does with custom headers."""
    # A dict is serialized as Rails does (compact, UTF-8, <>& escaped: the documented examples keep "\u0026").
    body = payload if isinstance(payload, bytes) else (
        payload.encode("utf-8") if isinstance(payload, str) else _rails_json(payload))
    key = idempotency_key or str(uuid.uuid4())
    headers: dict[str, str] = dict(extra_headers or {})
    headers.update({
        "Content-Type": "application/json",
        "User-Agent": user_agent,
        "X-Gitlab-Event": _EVENT_NAMES.get(event, event),
        "X-Gitlab-Webhook-UUID": webhook_uuid or str(uuid.uuid4()),
        "X-Gitlab-Instance": instance,
        "X-Gitlab-Event-UUID": event_uuid or str(uuid.uuid4()),
        "Idempotency-Key": key,
    })
    if token is not None:
        headers["X-Gitlab-Token"] = token.replace("\r", "").replace("\n", "")  # GitLab strips line breaks
    if signing_key is not None:
        ts = int(time.time()) if timestamp is None else int(timestamp)
        headers["webhook-id"] = key
        headers["webhook-timestamp"] = str(ts)
        headers["webhook-signature"] = sign_standard_webhook(signing_key, key, ts, body)
    return WebhookDelivery(*post(url, body, headers, timeout), headers, body)


def _hook_user(user: Any) -> dict:
    if isinstance(user, Mapping):
        username = user.get("username", "alice")
        return {"id": user.get("id", _stable_id(username)), "name": user.get("name", username), "username": username,
                "avatar_url": user.get("avatar_url", _avatar(username)),
                "email": user.get("email", f"{username}@example.com")}
    username = str(user or "alice")
    return {"id": _stable_id(username), "name": username, "username": username, "avatar_url": _avatar(username),
            "email": f"{username}@example.com"}


def _stable_id(text: str) -> int:
    return int(hashlib.sha1(text.encode()).hexdigest()[:6], 16)


def _avatar(username: str) -> str:
    return f"https://www.gravatar.com/avatar/{hashlib.md5(username.encode()).hexdigest()}?s=80&d=identicon"


def _hook_project(project: Any, instance_url: str) -> dict:
    """The `project` object of hooks (doc: webhook_events.md, "Merge request events")."""
    if isinstance(project, Project):
        pid, path, branch, name, web = (project.id, project.path_with_namespace, project.default_branch,
                                        project.name, project.web_url)
        instance = project.instance_url
    else:
        pid, path = project["id"], project["path_with_namespace"]
        branch = project.get("default_branch", "main")
        name = project.get("name", path.rsplit("/", 1)[-1])
        instance = instance_url.rstrip("/")
        web = project.get("web_url", f"{instance}/{path}")
    host = urlsplit(instance).hostname or "gitlab.example.com"
    namespace = path.rsplit("/", 1)[0] if "/" in path else path
    return {
        "id": pid, "name": name, "description": "", "web_url": web, "avatar_url": None,
        "git_ssh_url": f"git@{host}:{path}.git", "git_http_url": f"{web}.git",
        "namespace": namespace.rsplit("/", 1)[-1].replace("-", " ").title(), "visibility_level": 0,
        "path_with_namespace": path, "default_branch": branch, "ci_config_path": "", "homepage": web,
        "url": f"git@{host}:{path}.git", "ssh_url": f"git@{host}:{path}.git", "http_url": f"{web}.git",
    }


def _hook_mr_fields(mr: Any) -> dict:
    if isinstance(mr, MergeRequest):
        return {"id": mr.id, "iid": mr.iid, "title": mr.title, "description": mr.description, "state": mr.state,
                "source_branch": mr.source_branch, "target_branch": mr.target_branch, "head_sha": mr.head_sha,
                "author_id": mr.author["id"], "created_at": mr.created_at, "updated_at": mr.updated_at,
                "web_url": mr.web_url, "draft": mr.draft}
    iid = mr["iid"]
    return {"id": mr.get("id", 10000 + iid), "iid": iid, "title": mr.get("title", f"Merge request {iid}"),
            "description": mr.get("description", ""), "state": mr.get("state", "opened"),
            "source_branch": mr.get("source_branch", f"feature-{iid}"),
            "target_branch": mr.get("target_branch", "main"),
            "head_sha": mr.get("head_sha") or mr.get("sha"), "author_id": mr.get("author_id", 1),
            "created_at": mr.get("created_at", time.time()), "updated_at": mr.get("updated_at", time.time()),
            "web_url": mr.get("web_url"), "draft": mr.get("draft", False)}


_STATE_IDS = {"opened": 1, "closed": 2, "merged": 3, "locked": 4}


def _ts(value: Any) -> float:
    if isinstance(value, (int, float)):
        return value
    return datetime.fromisoformat(str(value).replace("Z", "+00:00")).timestamp()


def _last_commit(project: dict, sha: str, when: float) -> dict:
    return {"id": sha, "message": "Update the change\n", "title": "Update the change",
            "timestamp": datetime.fromtimestamp(when, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S+00:00"),
            "url": f"{project['web_url']}/-/commit/{sha}", "author": {"name": "Alice", "email": "alice@example.com"}}


def merge_request_hook(project: Any, mr: Any, action: str, oldrev: str | None = None, user: Any = None, *,
                       instance_url: str = "https://gitlab.example.com", changes: dict | None = None) -> dict:
    """A "Merge Request Hook" payload (object_kind merge_request) in the documented shape
    (https://docs.gitlab.com/user/project/integrations/webhook_events/#merge-request-events).
    `project`/`mr` are the double's Project/MergeRequest or dicts (project: id, path_with_namespace,
    optional web_url/default_branch/name; mr: iid, head_sha, optional id/title/state/branches/...).
    action: open, close, reopen, update, approved, unapproved, approval, unapproval, merge. `oldrev` (the
    previous head) is set for an update that pushed code, as GitLab does."""
    proj = _hook_project(project, instance_url)
    m = _hook_mr_fields(mr)
    web = m["web_url"] or f"{proj['web_url']}/-/merge_requests/{m['iid']}"
    created, updated = _ts(m["created_at"]), _ts(m["updated_at"])
    attributes = {
        "id": m["id"], "iid": m["iid"], "target_branch": m["target_branch"], "source_branch": m["source_branch"],
        "source_project_id": proj["id"], "author_id": m["author_id"], "assignee_ids": [], "assignee_id": None,
        "reviewer_ids": [], "title": m["title"], "created_at": iso(created), "updated_at": iso(updated),
        "last_edited_at": None, "last_edited_by_id": None, "milestone_id": None,
        "state_id": _STATE_IDS.get(m["state"], 1), "state": m["state"], "blocking_discussions_resolved": True,
        "work_in_progress": m["draft"], "draft": m["draft"], "first_contribution": False,
        "merge_status": "can_be_merged", "target_project_id": proj["id"], "description": m["description"],
        "prepared_at": iso(created), "total_time_spent": 0, "time_change": 0, "human_total_time_spent": None,
        "human_time_change": None, "human_time_estimate": None, "url": web, "source": proj, "target": proj,
        "last_commit": _last_commit(proj, m["head_sha"], updated), "labels": [], "action": action,
        "detailed_merge_status": "mergeable" if m["state"] == "opened" else "not_open",
    }
    if oldrev is not None:
        attributes["oldrev"] = oldrev
    return {
        "object_kind": "merge_request", "event_type": "merge_request", "user": _hook_user(user), "project": proj,
        "repository": {"name": proj["name"], "url": proj["url"], "description": proj["description"],
                       "homepage": proj["homepage"]},
        "object_attributes": attributes, "labels": [],
        "changes": changes if changes is not None else (
            {"updated_at": {"previous": _utc_words(created), "current": _utc_words(updated)}}
            if action == "update" else {}),
        "assignees": [], "reviewers": [],
    }


def note_hook(project: Any, mr: Any, note_body: str, user: Any = None, *, note_id: int | None = None,
              action: str = "create", instance_url: str = "https://gitlab.example.com",
              created_at: float | None = None) -> dict:
    """A "Note Hook" payload for a comment on a merge request (object_kind note, noteable_type
    MergeRequest, the MR under `merge_request`), in the documented shape
    (https://docs.gitlab.com/user/project/integrations/webhook_events/#comment-on-a-merge-request).
    Pass the note id the double gave (e.g. from add_note) as `note_id` to refer to a real note."""
    proj = _hook_project(project, instance_url)
    m = _hook_mr_fields(mr)
    author = _hook_user(user)
    web = m["web_url"] or f"{proj['web_url']}/-/merge_requests/{m['iid']}"
    nid = note_id if note_id is not None else _stable_id(f"{note_body}{time.time()}")
    when = time.time() if created_at is None else created_at
    mr_created, mr_updated = _ts(m["created_at"]), _ts(m["updated_at"])
    return {
        "object_kind": "note", "event_type": "note", "user": author, "project_id": proj["id"], "project": proj,
        "repository": {"name": proj["name"], "url": proj["url"], "description": proj["description"],
                       "homepage": proj["homepage"]},
        "object_attributes": {
            "id": nid, "note": note_body, "noteable_type": "MergeRequest", "author_id": author["id"],
            "created_at": _utc_words(when), "updated_at": _utc_words(when), "project_id": proj["id"],
            "attachment": None, "line_code": None, "commit_id": "", "noteable_id": m["id"], "system": False,
            "st_diff": None, "action": action, "url": f"{web}#note_{nid}",
        },
        "merge_request": {
            "id": m["id"], "target_branch": m["target_branch"], "source_branch": m["source_branch"],
            "source_project_id": proj["id"], "author_id": m["author_id"], "assignee_id": None, "title": m["title"],
            "created_at": _utc_words(mr_created), "updated_at": _utc_words(mr_updated), "milestone_id": None,
            "state": m["state"], "merge_status": "can_be_merged", "target_project_id": proj["id"], "iid": m["iid"],
            "description": m["description"], "position": 0, "labels": [], "source": proj, "target": proj,
            "last_commit": _last_commit(proj, m["head_sha"], mr_updated), "work_in_progress": m["draft"],
            "draft": m["draft"], "assignee": None,
            "detailed_merge_status": "mergeable" if m["state"] == "opened" else "not_open",
        },
    }
