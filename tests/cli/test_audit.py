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


AUDIT_TABLE = """CREATE TABLE audit_events (
    id INTEGER PRIMARY KEY, occurred_at TEXT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,
    target TEXT NOT NULL, organisation TEXT, metadata TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL)"""


def test_verify_detects_a_row_edited_in_the_file(corgi, tmp_path):
    # Rows in the plain (unsealed) form of docs/audit-log.md, as written before the audit key
    # existed; the sealed form is pinned by tests/adversarial/test_audit_log_shows_every_change.py.
    database = tmp_path / "corgi.sqlite"
    db = sqlite3.connect(database)
    db.execute(AUDIT_TABLE)
    previous = GENESIS
    for i, (action, meta) in enumerate([("webhook.accepted", {"delivery": "d1", "pr": "7"}),
                                        ("scan.completed", {"findings": "3", "sha": "abc123"}),
                                        ("diff.deleted", {"object": "diffs/1"})], start=1):
        previous = append(db, i, previous, "service", action, "octo/repo#7", "octo", meta)
    db.commit()
    ok = corgi("audit", "verify", "--database", database)
    assert ok.returncode == 0, ok.stdout
    assert b"3 events" in ok.stdout
    assert b"cannot be detected" in ok.stdout  # no checkpoint with --database alone, said plainly

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
