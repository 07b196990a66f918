"""Promise 1 (docs/security.md): whoever can write the database but not read the audit key cannot
change the audit log's history unseen — not by editing, deleting (first, middle, last, the last
few, all), swapping, forging, replacing or rewriting rows with recomputed hashes.

A real `corgi serve` writes the log (ping webhooks, each audited), then stops; the attacker edits the
SQLite file with its triggers dropped, and `corgi audit verify --config` must name the first
position that is no longer the original. The sealed format is recomputed here independently of the
Swift code (docs/audit-log.md), so the test also pins it, and forged rows are computed the way a
forger without the key would: every digest right, the seal from a key of their own.
"""
import hashlib
import hmac
import json
import re
import shutil
import sqlite3

import pytest

from adversarial import CorgiService, run_corgi

GENESIS = "0" * 64
EVENTS = 6


def length_prefixed(field: str) -> bytes:
    data = field.encode()
    return len(data).to_bytes(8, "big") + data


def sealed_hash(key: bytes, previous: str, row_id: int, occurred_at: str, actor: str, action: str, target: str,
                organisation: str | None, metadata: dict) -> str:
    canonical = json.dumps(metadata, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    fields = [previous, str(row_id), occurred_at, actor, action, target,
              "0" if organisation is None else "1" + organisation, canonical]
    digest = hashlib.sha256(b"".join(length_prefixed(f) for f in fields)).hexdigest()
    seal = hmac.new(key, length_prefixed(digest), hashlib.sha256).hexdigest()
    return f"h1:{digest}:{seal}"


FORGERS_KEY = b"k" * 32


def forged_row(row_id: int, previous: str, actor: str = "mallory", target: str = "hook 1"):
    occurred = "2026-12-06T00:00:00.000Z"
    digest = sealed_hash(FORGERS_KEY, previous, row_id, occurred, actor, "webhook.ping", target, None, {})
    return (row_id, occurred, actor, "webhook.ping", target, None, "{}", previous, digest)


def insert(db, row, verb="INSERT"):
    db.execute(f"{verb} INTO audit_events (id, occurred_at, actor, action, target, organisation, metadata, prev_hash, hash) "
               "VALUES (?,?,?,?,?,?,?,?,?)", row)


def drop_triggers(db):
    for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_events'").fetchall():
        db.execute(f"DROP TRIGGER {name}")


@pytest.fixture(scope="module")
def pristine(tmp_path_factory):
    """A log of six events written by a real `corgi serve`, with its checkpoint, stopped cleanly."""
    from github_double import GitHubDouble
    workdir = tmp_path_factory.mktemp("audit-pristine")
    github = GitHubDouble(app_id=12345)
    github.start()
    try:
        with CorgiService(workdir, github) as service:
            for i in range(EVENTS):
                body = json.dumps({"zen": "Keep it logically awesome.", "hook_id": 100 + i,
                                   "hook": {"id": 100 + i, "type": "App", "app_id": 12345}}).encode()
                status, answer = service.deliver("ping", body)
                assert status == 202, answer
    finally:
        github.stop()
    return workdir


@pytest.fixture
def deployment(pristine, tmp_path):
    """A copy of the pristine deployment (database, checkpoint, secrets) and settings that reach it."""
    shutil.copytree(pristine, tmp_path / "d")
    root = tmp_path / "d"
    settings = root / "audit.yml"
    settings.write_text(f"storage:\n  database: {root / 'corgi.sqlite'}\n  objects: {root / 'objects'}\n"
                        f"secrets:\n  directory: {root / 'secrets'}\n")
    return root, settings


def verify(settings):
    return run_corgi("audit", "verify", "--config", settings)


def first_broken(result) -> int | None:
    match = re.search(rb"BROKEN at event (\d+)", result.stdout)
    return int(match.group(1)) if match else None


def rows(db):
    return db.execute("SELECT id, occurred_at, actor, action, target, organisation, metadata, prev_hash, hash "
                      "FROM audit_events ORDER BY id").fetchall()


def test_the_service_seals_every_event_and_verify_with_the_settings_finds_it_intact(deployment):
    root, settings = deployment
    key = (root / "secrets" / "audit-checkpoint-key").read_text().strip().encode()
    db = sqlite3.connect(root / "corgi.sqlite")
    events = rows(db)
    db.close()
    assert [r[0] for r in events] == list(range(1, EVENTS + 1))
    previous = GENESIS
    for (row_id, occurred, actor, action, target, organisation, metadata, prev_hash, digest) in events:
        assert prev_hash == previous
        assert digest == sealed_hash(key, previous, row_id, occurred, actor, action, target, organisation, json.loads(metadata))
        previous = digest
    checkpoint = (root / "corgi.sqlite.audit-checkpoint").read_text().split()
    assert checkpoint[:3] == ["v1", str(EVENTS), previous]
    result = verify(settings)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{EVENTS} events".encode() in result.stdout


ATTACKS = {
    # name: (what the attacker does to the file, the first position verify must name)
    "edit": (lambda db, ev: db.execute("UPDATE audit_events SET metadata = '{\"app\":\"666\"}' WHERE id = 3"), 3),
    "delete_first": (lambda db, ev: db.execute("DELETE FROM audit_events WHERE id = 1"), 1),
    "delete_middle": (lambda db, ev: db.execute("DELETE FROM audit_events WHERE id = 3"), 3),
    "delete_last": (lambda db, ev: db.execute("DELETE FROM audit_events WHERE id = 6"), 6),
    "delete_last_three": (lambda db, ev: db.execute("DELETE FROM audit_events WHERE id >= 4"), 4),
    "delete_all": (lambda db, ev: db.execute("DELETE FROM audit_events"), 1),
    "swap": (lambda db, ev: [db.execute(s) for s in ("UPDATE audit_events SET id = 1000 WHERE id = 2",
                                                     "UPDATE audit_events SET id = 2 WHERE id = 3",
                                                     "UPDATE audit_events SET id = 3 WHERE id = 1000")], 2),
    "forged_insert_without_triggers": (lambda db, ev: insert(db, forged_row(7, ev[-1][8])), 7),
    "replace_last_with_recomputed_hash": (lambda db, ev: insert(db, forged_row(6, ev[4][8]), "INSERT OR REPLACE"), 6),
    "rewrite_from_row_3": (lambda db, ev: rewrite_from(db, ev, 3), 3),
}


def rewrite_from(db, events, k):
    db.execute(f"DELETE FROM audit_events WHERE id >= {k}")
    previous = events[k - 2][8]
    for row in events[k - 1:]:
        forged = forged_row(row[0], previous, actor="mallory" if row[0] == k else row[2], target=row[4])
        insert(db, forged)
        previous = forged[8]


@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_verify_names_the_first_tampered_event(deployment, attack):
    root, settings = deployment
    db = sqlite3.connect(root / "corgi.sqlite")
    events = rows(db)
    drop_triggers(db)
    tamper, first_bad = ATTACKS[attack]
    tamper(db, events)
    db.commit()
    db.close()
    result = verify(settings)
    assert result.returncode == 1, result.stdout + result.stderr
    assert first_broken(result) == first_bad, result.stdout


def test_a_forged_event_chained_to_the_head_passes_the_triggers_but_not_verify(deployment):
    root, settings = deployment
    db = sqlite3.connect(root / "corgi.sqlite")
    events = rows(db)
    insert(db, forged_row(7, events[-1][8]))  # triggers in place: id and link are right
    db.commit()
    db.close()
    result = verify(settings)
    assert result.returncode == 1 and first_broken(result) == 7, result.stdout


def test_the_database_refuses_replace_upsert_and_out_of_sequence_inserts(deployment):
    root, _ = deployment
    db = sqlite3.connect(root / "corgi.sqlite")
    events = rows(db)
    attempts = [
        lambda: insert(db, forged_row(6, events[4][8]), "INSERT OR REPLACE"),
        lambda: insert(db, forged_row(6, events[4][8]), "REPLACE"),
        lambda: db.execute("INSERT INTO audit_events VALUES (?,?,?,?,?,?,?,?,?) ON CONFLICT(id) DO UPDATE SET hash = excluded.hash",
                           forged_row(6, events[4][8])),
        lambda: insert(db, forged_row(9, events[-1][8])),  # a gap
        lambda: insert(db, forged_row(7, events[2][8])),  # not linked to the head
    ]
    for attempt in attempts:
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            attempt()
    db.rollback()
    assert rows(db) == events
    db.close()


def test_a_checkpoint_removed_or_forged_is_reported(deployment):
    root, settings = deployment
    anchor = root / "corgi.sqlite.audit-checkpoint"
    parts = anchor.read_text().split()
    forged = hmac.new(FORGERS_KEY, b"".join(length_prefixed(f) for f in ["corgi-audit-checkpoint-v1", "3", parts[2], parts[3]]),
                      hashlib.sha256).hexdigest()
    anchor.write_text(f"v1 3 {parts[2]} {parts[3]} {forged}\n")
    result = verify(settings)
    assert result.returncode == 1 and b"not signed with this audit key" in result.stdout, result.stdout
    anchor.unlink()
    result = verify(settings)
    assert result.returncode == 1 and b"no checkpoint" in result.stdout, result.stdout


def test_the_database_alone_says_plainly_that_it_cannot_see_truncation(deployment):
    root, _ = deployment
    database = root / "corgi.sqlite"
    result = run_corgi("audit", "verify", "--database", database)
    assert result.returncode == 0, result.stdout + result.stderr
    assert b"cannot be detected" in result.stdout
    db = sqlite3.connect(database)
    drop_triggers(db)
    db.execute("DELETE FROM audit_events WHERE id >= 4")
    db.commit()
    db.close()
    # Without the checkpoint, the shorter log is a valid log: said so, not hidden.
    result = run_corgi("audit", "verify", "--database", database)
    assert result.returncode == 0 and b"3 events" in result.stdout and b"cannot be detected" in result.stdout


def test_verify_opens_read_only_and_never_adds_tables_to_a_foreign_file(tmp_path):
    foreign = tmp_path / "other.sqlite"
    db = sqlite3.connect(foreign)
    db.execute("CREATE TABLE notes (body TEXT)")
    db.execute("INSERT INTO notes VALUES ('mine')")
    db.commit()
    db.close()
    before = hashlib.sha256(foreign.read_bytes()).hexdigest()
    result = run_corgi("audit", "verify", "--database", foreign)
    assert result.returncode == 2, result.stdout + result.stderr
    assert b"not a Code Corgi database" in result.stderr
    assert b"intact" not in result.stdout
    assert hashlib.sha256(foreign.read_bytes()).hexdigest() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other.sqlite"]
