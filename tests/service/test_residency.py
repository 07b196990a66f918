"""Residency on the embedded defaults: a real `corgi serve` with two regions (US, the home region,
and EU), each with its own SQLite file and encrypted objects directory. Codertocat goes to the
default region, Octo-Org is placed in the EU by the settings. Everything is checked by reading the
stores directly: every row and every diff object of an organisation is in its region's stores and
nowhere else; its region is fixed when it is first seen (settings that move it later change
nothing); the API reaches both; export then delete in the EU empties the EU stores of it; the audit
chains of both regions verify. Settings that would put two regions in one store are refused.
"""
import io
import json
import os
import pathlib
import sqlite3
import subprocess
import tarfile

import pytest

from corgi_service import CorgiService, corgi_binary
from test_api import ORG_A, ORG_B, ORG_C, PR_B, REPO_B, REPO_B_ID, Env, org_path, problem, pull_request_event
from test_api_deletion import wait_for
from test_serve_e2e import completed_runs, new_file

ORGANISATION_TABLES = ("pull_requests", "api_keys", "sessions", "organisation_policies", "dismissals", "dismissal_requests", "exports")
SHA_B2 = "b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1"


def residency_settings(workdir: pathlib.Path, *, place_b_in_eu: bool = True) -> str:
    placements = f'["github/{ORG_B}=eu"]' if place_b_in_eu else "[]"
    return f"""residency:
  home: us
  default: us
  organisations: {placements}
  regions:
    eu:
      storage:
        database: {workdir / "eu" / "corgi.sqlite"}
        objects: {workdir / "eu" / "objects"}
"""


class Regions:
    def __init__(self, workdir: pathlib.Path):
        self.workdir = workdir
        self.home_db = workdir / "corgi.sqlite"
        self.eu_db = workdir / "eu" / "corgi.sqlite"
        self.objects = {"us": workdir / "objects", "eu": workdir / "eu" / "objects"}

    def db(self, region: str) -> pathlib.Path:
        return self.home_db if region == "us" else self.eu_db

    def read(self, region: str, sql: str, *parameters):
        uri = self.db(region).resolve().as_uri() + "?mode=ro"
        with sqlite3.connect(uri, uri=True, timeout=30) as db:
            return db.execute(sql, parameters).fetchall()

    def rows_of(self, region: str, org: str) -> dict[str, int]:
        counts = {t: self.read(region, f"SELECT COUNT(*) FROM {t} WHERE organisation = ?", org)[0][0] for t in ORGANISATION_TABLES}
        for table in ("findings", "scans", "diffs"):
            counts[table] = self.read(region, f"SELECT COUNT(*) FROM {table} WHERE organisation = ?", org)[0][0]
        # The queue's jobs (metadata of the review to run), in the region that runs them.
        counts["jobs"] = self.read(region, "SELECT COUNT(*) FROM jobs WHERE payload LIKE ?", f'%"organisation":"{org}"%')[0][0]
        counts["organisations"] = self.read(region, "SELECT COUNT(*) FROM organisations WHERE login = ?", org)[0][0]
        counts["audit_events"] = self.read(region, "SELECT COUNT(*) FROM audit_events WHERE organisation = ? "
                                                   "AND action != 'organisation.region_assigned'", org)[0][0]
        return counts

    def object_keys(self, region: str, org: str) -> list[str]:
        return [row[0] for row in self.read(region, "SELECT object_key FROM diffs WHERE organisation = ? AND deleted_at IS NULL", org)]

    def object_file(self, region: str, key: str) -> pathlib.Path:
        return self.objects[region] / (key.encode().hex() + ".obj")


def audit_verify(settings: pathlib.Path) -> subprocess.CompletedProcess:
    return subprocess.run([corgi_binary(), "audit", "verify", "--config", str(settings)], capture_output=True, text=True, timeout=60,
                          env={k: v for k, v in os.environ.items() if not k.startswith("CORGI_")})


@pytest.fixture(scope="module")
def env(github_double, tmp_path_factory):
    workdir = tmp_path_factory.mktemp("residency")
    environment = Env(workdir, github_double)
    environment.service = CorgiService(workdir, github_double, extra_settings=residency_settings(workdir))
    environment.regions = Regions(workdir)
    environment.databases = [environment.regions.home_db, environment.regions.eu_db]
    with environment.service:
        environment.populate()
        yield environment


def test_each_organisation_lives_only_in_its_region_and_the_api_reaches_both(env):
    regions: Regions = env.regions
    a_home, a_eu = regions.rows_of("us", ORG_A), regions.rows_of("eu", ORG_A)
    b_home, b_eu = regions.rows_of("us", ORG_B), regions.rows_of("eu", ORG_B)
    assert a_home["findings"] > 0 and a_home["scans"] > 0 and a_home["diffs"] > 0 and a_home["audit_events"] > 0, a_home
    assert b_eu["findings"] > 0 and b_eu["scans"] > 0 and b_eu["diffs"] > 0 and b_eu["audit_events"] > 0, b_eu
    assert b_eu["jobs"] > 0, "the webhook itself was recorded and queued in the EU"
    assert set(b_home.values()) == {0}, f"Octo-Org in the home region's database: {b_home}"
    assert set(a_eu.values()) == {0}, f"Codertocat in the EU database: {a_eu}"
    # The home region keeps the directory, and only it.
    assert sorted(regions.read("us", "SELECT forge, organisation, region FROM organisation_regions")) == \
        [("github", ORG_A, "us"), ("github", ORG_B, "eu")]
    assert regions.read("eu", "SELECT COUNT(*) FROM organisation_regions")[0][0] == 0
    # Diff objects: each in its region's directory, none in the other's.
    for region, org, other in (("us", ORG_A, "eu"), ("eu", ORG_B, "us")):
        keys = regions.object_keys(region, org)
        assert keys and all(regions.object_file(region, k).exists() for k in keys)
        assert not any(regions.object_file(other, k).exists() for k in keys)
    # Keys made by the command line land in the organisation's region; the API serves both.
    _, key_a = env.create_key(ORG_A, "owner", name="a")
    _, key_b = env.create_key(ORG_B, "owner", name="b")
    assert regions.read("eu", "SELECT COUNT(*) FROM api_keys WHERE organisation = ?", ORG_B)[0][0] == 1
    assert regions.read("us", "SELECT COUNT(*) FROM api_keys WHERE organisation = ?", ORG_B)[0][0] == 0
    assert env.ok(org_path(ORG_A), key_a)["region"] == "us"
    assert env.ok(org_path(ORG_B), key_b)["region"] == "eu"
    assert len(env.all_findings(key_b, org=ORG_B)) == b_eu["findings"]
    problem(env.get(org_path(ORG_A), key_b), 404)
    # Each region's audit chain verifies, in the service and with `corgi audit verify`.
    assert env.ok(org_path(ORG_B, "/audit-events/verification"), key_b)["intact"] is True
    result = audit_verify(env.service.settings)
    assert result.returncode == 0 and "intact" in result.stdout, result.stdout + result.stderr


def test_a_region_is_fixed_when_first_seen_whatever_the_settings_say_later(env, tmp_path):
    """The settings stop placing Octo-Org in the EU; after a restart its next review still lands there."""
    regions: Regions = env.regions
    env.service.stop()
    settings = env.service.settings.read_text().replace(f'["github/{ORG_B}=eu"]', "[]")
    env.service.settings.write_text(settings)
    env.service.start()
    before = regions.rows_of("eu", ORG_B)["scans"]
    env.github.set_pull(REPO_B, PR_B, SHA_B2, "main", new_file("app/more.py", ["import os"]))
    status, body = env.service.deliver("pull_request", pull_request_event("synchronize", REPO_B, REPO_B_ID, PR_B, SHA_B2, 2))
    assert (status, body.get("status")) == (202, "queued"), body
    env.github.wait_for(lambda d: completed_runs(d, SHA_B2))
    env.service.wait_idle()
    assert regions.rows_of("eu", ORG_B)["scans"] == before + 1
    assert set(regions.rows_of("us", ORG_B).values()) == {0}
    assert regions.read("us", "SELECT region FROM organisation_regions WHERE organisation = ?", ORG_B) == [("eu",)]


def test_export_then_delete_in_a_region_empties_that_regions_stores_of_it(env):
    regions: Regions = env.regions
    _, owner = env.create_key(ORG_B, "owner", name="deleter")
    keys = regions.object_keys("eu", ORG_B)
    a_before = regions.rows_of("us", ORG_A)
    reply = env.call("POST", org_path(ORG_B, "/exports"), owner)
    assert reply.status == 202, reply
    location = reply.headers["Location"]
    wait_for(lambda: env.ok(location, owner)["state"] == "ready", "the export to be built")
    download = env.get(location + "/archive", owner)
    assert download.status == 200, download
    organisation = json.loads(tarfile.open(fileobj=io.BytesIO(download.body)).extractfile("organisation.json").read())
    assert organisation["organisation"]["login"] == ORG_B and organisation["region"] == "eu"
    assert regions.read("eu", "SELECT COUNT(*) FROM exports WHERE organisation = ?", ORG_B)[0][0] == 1
    assert regions.read("us", "SELECT COUNT(*) FROM exports")[0][0] == 0, "the EU organisation's archive was kept in the US"

    reply = env.call("DELETE", org_path(ORG_B), owner)
    assert reply.status == 200, reply
    wait_for(lambda: not any(regions.object_file("eu", k).exists() for k in keys), "the EU sweeper to delete the diff objects")
    wait_for(lambda: regions.rows_of("eu", ORG_B)["diffs"] == 0, "the EU sweeper to forget the diff rows")
    left = regions.rows_of("eu", ORG_B)
    # The audit trail stays (with the tombstone); finished jobs stay in the queue's history.
    kept = ("audit_events", "jobs")
    assert {t: n for t, n in left.items() if t not in kept} == {t: 0 for t in left if t not in kept}, left
    assert regions.read("eu", "SELECT COUNT(*) FROM audit_events WHERE organisation = ? AND action = 'organisation.deleted'", ORG_B)[0][0] == 1
    assert regions.rows_of("us", ORG_A) == a_before, "the other region was touched"
    result = audit_verify(env.service.settings)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("region_section, message", [
    ("    eu:\n      storage:\n        database: {home_db}\n        objects: {workdir}/eu/objects\n", "share a database file"),
    ("    eu:\n      storage:\n        database: {workdir}/eu/corgi.sqlite\n        objects: {workdir}/objects\n", "share an objects directory"),
    ("    apac:\n      storage:\n        database: {workdir}/apac.sqlite\n        objects: {workdir}/apac\n", "names no stores"),
], ids=["shared-database", "shared-objects", "unbound-region"])
def test_settings_that_would_blur_two_regions_are_refused_at_start(github_double, tmp_path, region_section, message):
    service = CorgiService(tmp_path, github_double, extra_settings=(
        f"residency:\n  organisations: [\"github/{ORG_B}=eu\"]\n  regions:\n"
        + region_section.format(home_db=tmp_path / "corgi.sqlite", workdir=tmp_path)))
    result = subprocess.run([corgi_binary(), "serve", "--config", str(service.settings)], capture_output=True, text=True, timeout=60,
                            env={k: v for k, v in os.environ.items() if not k.startswith("CORGI_")})
    assert result.returncode != 0 and message in result.stderr, result.stderr
    assert not (tmp_path / "corgi.sqlite").exists(), "nothing is written before the settings are accepted"


def test_turning_residency_on_keeps_every_organisation_where_its_data_already_is(github_double, tmp_path):
    """A deployment that ran with one region, restarted with residency placing Octo-Org in the EU:
    Octo-Org's data is in the home region, so it is recorded there and stays; an organisation
    never seen before goes where the settings place it."""
    environment = Env(tmp_path, github_double)
    regions = Regions(tmp_path)
    with environment.service:
        environment.populate()
    settings = environment.service.settings
    settings.write_text(settings.read_text() + residency_settings(tmp_path).replace(
        f'["github/{ORG_B}=eu"]', f'["github/{ORG_B}=eu", "github/{ORG_C}=eu"]'))
    with environment.service:
        assert sorted(regions.read("us", "SELECT organisation, region FROM organisation_regions")) == [(ORG_A, "us"), (ORG_B, "us")]
        assert not any("outside its region" in line for line in environment.service.log_lines)
        _, key_b = environment.create_key(ORG_B, "owner", name="b")
        assert environment.ok(org_path(ORG_B), key_b)["region"] == "us" and environment.ok(org_path(ORG_B), key_b)["pull_requests"] == 1
        _, key_c = environment.create_key(ORG_C, "owner", name="c")
        assert environment.ok(org_path(ORG_C), key_c)["region"] == "eu"
        assert regions.read("eu", "SELECT COUNT(*) FROM api_keys WHERE organisation = ?", ORG_C)[0][0] == 1
        assert regions.rows_of("eu", ORG_B)["api_keys"] == 0
