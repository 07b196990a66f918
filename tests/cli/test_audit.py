"""`corgi audit verify` against a database edited directly in the SQLite file.

The rows are written here by an independent implementation of the documented chain
(docs/audit-log.md), so the test also pins the hash format.
"""
import hashlib
import json
import sqlite3

GENESIS = "0" * 64


def chain_hash(previous, row_id, occurred_at, actor, action, target, organisation, metadata):
    h = hashlib.sha256()
    canonical = json.dumps(metadata, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    for field in [previous, str(row_id), occurred_at, actor, action, target, organisation or "", canonical]:
        h.update(field.encode() + b"\0")
    return h.hexdigest()


def append(db, row_id, previous, actor, action, target, organisation, metadata):
    occurred = f"2026-11-22T10:00:0{row_id}.000Z"
    digest = chain_hash(previous, row_id, occurred, actor, action, target, organisation, metadata)
    db.execute("INSERT INTO audit_events VALUES (?,?,?,?,?,?,?,?,?)",
               (row_id, occurred, actor, action, target, organisation,
                json.dumps(metadata, sort_keys=True, separators=(",", ":")), previous, digest))
    return digest


def test_verify_detects_a_row_edited_in_the_file(corgi, tmp_path):
    database = tmp_path / "corgi.sqlite"
    sqlite3.connect(database).close()
    # corgi creates the schema (and its triggers) on first open.
    created = corgi("audit", "verify", "--database", database)
    assert created.returncode == 0 and b"0 events" in created.stdout

    db = sqlite3.connect(database)
    previous = GENESIS
    for i, (action, meta) in enumerate([("webhook.accepted", {"delivery": "d1", "pr": "7"}),
                                        ("scan.completed", {"findings": "3", "sha": "abc123"}),
                                        ("diff.deleted", {"object": "diffs/1"})], start=1):
        previous = append(db, i, previous, "service", action, "octo/repo#7", "octo", meta)
    db.commit()
    ok = corgi("audit", "verify", "--database", database)
    assert ok.returncode == 0, ok.stdout
    assert b"3 events" in ok.stdout

    # The application cannot edit the log: the triggers refuse.
    try:
        db.execute("UPDATE audit_events SET actor = 'mallory' WHERE id = 2")
        raise AssertionError("UPDATE was allowed")
    except sqlite3.DatabaseError as error:
        assert "append-only" in str(error)

    # Someone with the file drops the trigger and edits a row.
    db.execute("DROP TRIGGER audit_events_no_update")
    db.execute("UPDATE audit_events SET metadata = '{\"findings\":\"0\",\"sha\":\"abc123\"}' WHERE id = 2")
    db.commit()
    db.close()
    broken = corgi("audit", "verify", "--database", database)
    assert broken.returncode == 1
    assert b"BROKEN at event 2" in broken.stdout


def test_verify_missing_database_is_a_usage_error(corgi, tmp_path):
    result = corgi("audit", "verify", "--database", tmp_path / "nope.sqlite")
    assert result.returncode == 2
    assert b"database not found" in result.stderr
