"""Deleting an organisation through the API of a real `corgi serve`, checked by reading its stores
directly: the SQLite database and the encrypted objects directory.

Its own service (the other API tests keep their organisations): two organisations reviewed as
webhooks would cause it, then the owner of one deletes it. Every row of that organisation goes
at once, its diff objects go with the sweeper's next pass (every second here), then their rows;
the other organisation keeps everything; the audit chain still verifies, with the tombstone.
"""
import pathlib
import sqlite3
import subprocess
import time

import pytest

from corgi_service import corgi_binary
from test_api import ORG_A, ORG_B, Env, org_path, problem

TABLES_BY_FORGE_AND_LOGIN = ("pull_requests", "api_keys", "sessions", "organisation_policies", "dismissals", "dismissal_requests")


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


def test_an_owner_deletes_the_organisation_and_every_store_forgets_it_but_the_audit_log(env):
    _, owner = env.create_key(ORG_A, "owner", name="deleter")
    _, admin = env.create_key(ORG_A, "admin", name="not enough")
    _, member = env.create_key(ORG_A, "member", name="member")
    _, other_owner = env.create_key(ORG_B, "owner", name="other")
    # Data of both organisations beyond reviews: a policy and a dismissal.
    assert env.call("PUT", org_path(ORG_A, "/policy"), owner, {"fail_on": "low"}).status == 200
    assert env.call("PUT", org_path(ORG_B, "/policy"), other_owner, {"fail_on": "low"}).status == 200
    finding = env.all_findings(owner, query="&state=open")[0]
    assert env.call("POST", org_path(ORG_A, f"/findings/{finding['id']}/dismissal"), member, {"reason": "false_positive"}).status == 200
    before_a, before_b = organisation_rows(env, ORG_A), organisation_rows(env, ORG_B)
    assert before_a["findings"] > 0 and before_a["diffs"] > 0 and before_a["dismissals"] == 1 and before_b["findings"] > 0
    diff_keys = [row[0] for row in read_db(env, "SELECT object_key FROM diffs WHERE organisation = ? AND deleted_at IS NULL", ORG_A)]
    their_keys = [row[0] for row in read_db(env, "SELECT object_key FROM diffs WHERE organisation = ? AND deleted_at IS NULL", ORG_B)]
    assert diff_keys and all(f.exists() for f in object_files(env, diff_keys + their_keys))

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
                            timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "BROKEN" not in result.stdout
    # No log line names the deleted organisation's findings or diffs: metadata only.
    assert not [line for line in env.service.log_lines if '"level":"error"' in line]
