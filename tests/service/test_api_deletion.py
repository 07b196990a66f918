"""Exporting and then deleting an organisation through the API of a real `corgi serve`, checked by
reading its stores directly: the SQLite database and the encrypted objects directory.

Its own service (the other API tests keep their organisations): two organisations reviewed as
webhooks would cause it; the owner of one exports it (the archive is read with `tarfile` and
checked against the API and the manifest), then deletes it. Every row of that organisation goes
at once, its diff objects go with the sweeper's next pass (every second here), then their rows;
the other organisation keeps everything; the audit chain still verifies, with the tombstone.
"""
import hashlib
import io
import json
import os
import pathlib
import sqlite3
import subprocess
import tarfile
import time

import pytest

from corgi_service import corgi_binary
from test_api import ORG_A, ORG_B, Env, org_path, problem
from test_serve_e2e import GITHUB_TOKEN, STRIPE_KEY

TABLES_BY_FORGE_AND_LOGIN = ("pull_requests", "api_keys", "sessions", "organisation_policies", "dismissals", "dismissal_requests",
                             "exports")
ARCHIVE_FILES = ["manifest.json", "organisation.json", "repositories.json", "pull_requests.json", "findings.json",
                 "dismissal_requests.json", "policy.json", "api_keys.json", "members.json", "audit_events.json"]


@pytest.fixture(scope="module")
def env(github_double, tmp_path_factory):
    environment = Env(tmp_path_factory.mktemp("deletion"), github_double)
    with environment.service:
        environment.populate()
        yield environment


def read_db(env: Env, sql: str, *parameters):
    uri = pathlib.Path(env.service.database).resolve().as_uri() + "?mode=ro"
    with sqlite3.connect(uri, uri=True, timeout=30) as db:
        return db.execute(sql, parameters).fetchall()


def organisation_rows(env: Env, org: str) -> dict[str, int]:
    counts = {table: read_db(env, f"SELECT COUNT(*) FROM {table} WHERE forge = 'github' AND organisation = ?", org)[0][0]
              for table in TABLES_BY_FORGE_AND_LOGIN}
    for table in ("findings", "scans"):
        counts[table] = read_db(env, f"SELECT COUNT(*) FROM {table} WHERE organisation = ?", org)[0][0]
    counts["diffs"] = read_db(env, "SELECT COUNT(*) FROM diffs WHERE organisation = ?", org)[0][0]
    counts["organisations"] = read_db(env, "SELECT COUNT(*) FROM organisations WHERE login = ?", org)[0][0]
    return counts


def object_files(env: Env, keys: list[str]) -> list[pathlib.Path]:
    """The objects directory's files of `keys` (short keys are stored under their hex name)."""
    root = env.service.workdir / "objects"
    return [root / (key.encode().hex() + ".obj") for key in keys]


def wait_for(condition, what: str, timeout: float = 30):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def test_an_owner_exports_then_deletes_the_organisation_and_every_store_forgets_it_but_the_audit_log(env):
    _, owner = env.create_key(ORG_A, "owner", name="deleter")
    _, admin = env.create_key(ORG_A, "admin", name="not enough")
    _, member = env.create_key(ORG_A, "member", name="member")
    _, other_owner = env.create_key(ORG_B, "owner", name="other")
    # Data of both organisations beyond reviews: a policy and a dismissal.
    assert env.call("PUT", org_path(ORG_A, "/policy"), owner, {"fail_on": "low"}).status == 200
    assert env.call("PUT", org_path(ORG_B, "/policy"), other_owner, {"fail_on": "low"}).status == 200
    finding = env.all_findings(owner, query="&state=open")[0]
    assert env.call("POST", org_path(ORG_A, f"/findings/{finding['id']}/dismissal"), member, {"reason": "false_positive"}).status == 200
    before_b = organisation_rows(env, ORG_B)
    assert before_b["findings"] > 0
    diff_keys = [row[0] for row in read_db(env, "SELECT object_key FROM diffs WHERE organisation = ? AND deleted_at IS NULL", ORG_A)]
    their_keys = [row[0] for row in read_db(env, "SELECT object_key FROM diffs WHERE organisation = ? AND deleted_at IS NULL", ORG_B)]
    assert diff_keys and all(f.exists() for f in object_files(env, diff_keys + their_keys))

    archive = export_and_check(env, owner, admin, member, other_owner)
    before_a = organisation_rows(env, ORG_A)
    assert before_a["exports"] == 2 and json.loads(archive.extractfile("findings.json").read())
    assert before_a["findings"] > 0 and before_a["diffs"] > 0 and before_a["dismissals"] == 1
    # Only the organisation's owner may: an admin is refused, another organisation's owner finds nothing.
    problem(env.call("DELETE", org_path(ORG_A), admin), 403)
    problem(env.call("DELETE", org_path(ORG_A), other_owner), 404)
    problem(env.call("DELETE", org_path(ORG_A)), 401)
    assert organisation_rows(env, ORG_A) == before_a

    reply = env.call("DELETE", org_path(ORG_A), owner)
    assert reply.status == 200 and reply.headers["Cache-Control"] == "no-store", reply
    deletion = reply.json
    assert deletion["organisation"] == {"forge": "github", "login": ORG_A}
    assert deletion["removed"]["findings"] == before_a["findings"] and deletion["removed"]["reviews"] == before_a["scans"]
    assert deletion["removed"]["api_keys"] == before_a["api_keys"] == 3 and deletion["diffs_expired"] == len(diff_keys)
    assert deletion["removed"]["exports"] == 2

    # Its keys stop at once, the caller's own first.
    for key in (owner, admin, member):
        problem(env.get("/api/v1/me", key), 401)
    # Every row is gone from the database, read directly; the diff rows once their objects are.
    wait_for(lambda: not any(f.exists() for f in object_files(env, diff_keys)), "the sweeper to delete the diff objects")
    wait_for(lambda: organisation_rows(env, ORG_A)["diffs"] == 0, "the sweeper to forget the diff rows")
    assert organisation_rows(env, ORG_A) == {table: 0 for table in before_a}
    # The other organisation keeps everything.
    assert organisation_rows(env, ORG_B) == before_b
    assert all(f.exists() for f in object_files(env, their_keys))
    assert env.get(org_path(ORG_B, "/findings"), other_owner).status == 200

    # The audit log keeps its rows and the tombstone; the chain verifies with the key and checkpoint.
    tombstone = read_db(env, "SELECT actor, action, organisation, json_extract(metadata, '$.findings'), hash FROM audit_events WHERE id = ?",
                        deletion["audit_event_id"])[0]
    assert tombstone[1:4] == ("organisation.deleted", ORG_A, str(before_a["findings"])) and tombstone[0].startswith("api-key:")
    assert tombstone[4].startswith("h1:"), "the tombstone is sealed with the audit key"
    assert read_db(env, "SELECT COUNT(*) FROM audit_events WHERE organisation = ? AND action = 'scan.recorded'", ORG_A)[0][0] > 0
    result = subprocess.run([corgi_binary(), "audit", "verify", "--config", str(env.service.settings)], capture_output=True, text=True,
                            timeout=60, env={k: v for k, v in os.environ.items() if not k.startswith("CORGI_")})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "BROKEN" not in result.stdout
    # No log line names the deleted organisation's findings or diffs: metadata only.
    assert not [line for line in env.service.log_lines if '"level":"error"' in line]


def export_and_check(env: Env, owner: str, admin: str, member: str, other_owner: str) -> tarfile.TarFile:
    """Owners and admins export; members and other organisations cannot. The archive holds what
    the API shows of the organisation and nothing else: no other tenant, no secret, no code."""
    problem(env.call("POST", org_path(ORG_A, "/exports"), member), 403)
    problem(env.call("POST", org_path(ORG_A, "/exports"), other_owner), 404)
    assert env.call("POST", org_path(ORG_A, "/exports"), admin).status == 202
    reply = env.call("POST", org_path(ORG_A, "/exports"), owner)
    assert reply.status == 202 and reply.json["state"] == "pending" and reply.json["requested_by"].startswith("api-key:"), reply
    location = reply.headers["Location"]
    assert location == org_path(ORG_A, f"/exports/{reply.json['id']}")
    problem(env.get(location.replace(ORG_A, ORG_B), other_owner), 404)
    problem(env.get(location, member), 403)
    wait_for(lambda: env.ok(location, owner)["state"] == "ready", "the export to be built")
    export = env.ok(location, owner)
    download = env.get(location + "/archive", owner)
    assert download.status == 200 and download.content_type == "application/x-tar", download
    assert download.headers["Content-Disposition"] == f'attachment; filename="corgi-export-github-{ORG_A}-{export["id"]}.tar"'
    assert len(download.body) == export["bytes"] and hashlib.sha256(download.body).hexdigest() == export["sha256"]
    problem(env.get(location.replace(ORG_A, ORG_B) + "/archive", other_owner), 404)

    archive = tarfile.open(fileobj=io.BytesIO(download.body))
    assert archive.getnames() == ARCHIVE_FILES
    assert all(member_.isfile() and member_.mode == 0o600 for member_ in archive.getmembers())
    manifest = json.loads(archive.extractfile("manifest.json").read())
    assert manifest["organisation"] == {"forge": "github", "login": ORG_A} and manifest["export_id"] == export["id"]
    for entry in manifest["files"]:
        contents = archive.extractfile(entry["name"]).read()
        assert len(contents) == entry["bytes"] and hashlib.sha256(contents).hexdigest() == entry["sha256"], entry["name"]
    # The same findings as the API shows, and only this organisation's rows anywhere.
    findings = json.loads(archive.extractfile("findings.json").read())
    assert sorted(f["id"] for f in findings) == sorted(f["id"] for f in env.all_findings(owner))
    trail = json.loads(archive.extractfile("audit_events.json").read())
    assert trail and {row["metadata"]["forge"] for row in trail} == {"github"}
    assert not [row for row in trail if ORG_B in json.dumps(row)], "another organisation's row in the trail"
    assert "organisation.export_requested" in {row["action"] for row in trail}
    assert {key["role"] for key in json.loads(archive.extractfile("api_keys.json").read())} >= {"owner", "admin", "member"}
    assert json.loads(archive.extractfile("policy.json").read())["fail_on"] == "low"
    # No secret: neither an API key, nor a secret the reviews found, nor the diff's code.
    for secret in env.secrets + [GITHUB_TOKEN, STRIPE_KEY]:
        assert secret.encode() not in download.body and secret[8:24].encode() not in download.body
    assert ORG_B.encode() not in download.body
    # Requested, built and downloaded: each in the audit log.
    actions = [row[0] for row in read_db(env, "SELECT action FROM audit_events WHERE organisation = ? AND target LIKE 'export:%'", ORG_A)]
    assert actions.count("organisation.exported") == 2 and actions.count("organisation.export_downloaded") == 1, actions
    return archive
