"""Property-based tests of the REST API with schemathesis (its CLI, `st run`), against a real
`corgi serve` holding reviewed pull requests, with the document the service itself serves at GET
/api/v1/openapi.json (tests/service/test_api.py checks that it is docs/api/openapi.json).

Two runs, each of the examples, coverage, fuzzing and stateful phases with a bounded number of
examples per operation: one without a key (every protected operation must answer the documented
401), one with an owner key of the organisation that has the data. Both run every check, among
them `not_a_server_error` (no 5xx), `response_schema_conformance`, `status_code_conformance`,
`content_type_conformance`, `response_headers_conformance`, `negative_data_rejection`,
`positive_data_acceptance`, `ignored_auth` and `unsupported_method` (a method a documented path
does not take answers 405 with `Allow`).
"""
import json
import re
import subprocess
import sys
import textwrap
import time

import pytest

from test_api import ORG_A, Env, env  # noqa: F401 (env is a fixture: the same populated service)

EXAMPLES = 25  # per operation and phase: both runs take about 10-20 s each
TIMEOUT = 110  # seconds for one run; a run that takes longer fails





# Operations an owner run leaves out: deleting the organisation would end the run (its own key
# goes with it). The anonymous run calls it (401); tests/service/test_api_deletion.py covers the
# rest of what it answers, against the stores themselves.
DESTRUCTIVE_OPERATIONS = ["deleteOrganisation"]


def config(finding_ids: list[int], fail_on: list[str], request_ids: list[int] = (), disabled: list[str] = (),
           export_ids: list[int] = ()) -> str:
    """Most generated paths name the organisation with the data, and most finding and dismissal
    request ids are real (some finding ids another organisation's); the rest stay random, as a
    caller's typos would be."""
    disabled_operations = "".join(f"""
        [[operations]]
        include-operation-id = "{name}"
        enabled = false
        """ for name in disabled)
    return textwrap.dedent(f"""\
        [dictionaries.organisation]
        values = [{json.dumps(ORG_A)}]

        [dictionaries.forge]
        values = ["github"]

        [dictionaries.finding]
        values = {json.dumps(finding_ids)}

        [dictionaries.request]
        values = {json.dumps(list(request_ids) or [1])}

        [dictionaries.export]
        values = {json.dumps(list(export_ids) or [1])}

        [parameters]
        "path.organisation" = {{ dictionary = "organisation", probability = 0.85 }}
        "path.forge" = {{ dictionary = "forge", probability = 0.85 }}

        [[operations]]
        include-path-regex = "/findings/"
        parameters = {{ "path.id" = {{ dictionary = "finding", probability = 0.8 }} }}

        [[operations]]
        include-path-regex = "/dismissal-requests/"
        parameters = {{ "path.id" = {{ dictionary = "request", probability = 0.8 }} }}

        [[operations]]
        include-path-regex = "/exports/"
        parameters = {{ "path.id" = {{ dictionary = "export", probability = 0.8 }} }}

        {disabled_operations}
        [warnings]
        fail-on = {json.dumps(fail_on)}
        """)


def hooks(protected_key_id: int) -> str:
    """The run's own key stays alive: no generated DELETE aims at it (the keys the run creates are
    fair game). Left out as well:
    - an export as SARIF without `repository`: the document says in prose that SARIF needs it, as
      OpenAPI cannot make one query parameter depend on another;
    - a dismissal with an `until` day: the document says in prose that the day must be after
      today and at most 1095 days ahead, which JSON Schema cannot say of a date;
    - a policy whose `ignore_paths` hold glob syntax (brackets, braces, backslashes): the document
      says in prose that each glob must compile, which no JSON Schema pattern can say."""
    return textwrap.dedent(f"""\
        import schemathesis


        @schemathesis.hook
        def filter_case(context, case):
            method, query = case.method.upper(), case.query or {{}}
            if method == "DELETE" and str((case.path_parameters or {{}}).get("id")) == "{protected_key_id}":
                return False
            if method == "GET" and case.operation.path.endswith("/findings/export") and query.get("format") == "sarif" \\
                    and "repository" not in query:
                return False
            if method == "POST" and case.operation.path.endswith("/dismissal") and isinstance(case.body, dict) \\
                    and isinstance(case.body.get("until"), str):
                return False
            if method == "PUT" and case.operation.path.endswith("/policy") and isinstance(case.body, dict) \\
                    and isinstance(case.body.get("ignore_paths"), list) \\
                    and any(isinstance(g, str) and any(c in g for c in "[]{{}}\\\\") for g in case.body["ignore_paths"]):
                return False
            return True
        """)


def run_schemathesis(env: Env, workdir, name: str, fail_on: list[str], headers: dict | None = None,
                     protected_key_id: int = 0, request_ids: list[int] = (), disabled: list[str] = (),
                     export_ids: list[int] = ()) -> subprocess.CompletedProcess:
    workdir.mkdir()
    (workdir / "schemathesis.toml").write_text(config(sorted(env.finding_ids), fail_on, request_ids, disabled, export_ids))
    (workdir / f"corgi_hooks_{name}.py").write_text(hooks(protected_key_id))
    # The document as the service serves it, kept in a file: loaded from its URL, schemathesis would
    # leave out the operation that serves it.
    (workdir / "openapi.json").write_text(json.dumps(env.ok_public("/api/v1/openapi.json")))
    argv = [sys.executable, "-m", "schemathesis.cli", "--config-file", str(workdir / "schemathesis.toml"), "--no-color",
            "run", str(workdir / "openapi.json"), "--url", env.service.url,
            "--checks", "all",
            "--phases", "examples,coverage,fuzzing,stateful", "--max-examples", str(EXAMPLES), "--workers", "1",
            "--request-timeout", "10", "--generation-database", "none"]
    for header, value in (headers or {}).items():
        argv += ["--header", f"{header}: {value}"]
    environment = {"PATH": "/usr/bin:/bin", "HOME": str(workdir), "PYTHONPATH": str(workdir),
                   "SCHEMATHESIS_HOOKS": f"corgi_hooks_{name}"}
    try:
        return subprocess.run(argv, capture_output=True, text=True, cwd=workdir, env=environment, timeout=TIMEOUT)
    except subprocess.TimeoutExpired as expired:
        pytest.fail(f"schemathesis ran longer than {TIMEOUT} s:\n{expired.stdout}")


def operations_tested(result: subprocess.CompletedProcess) -> int:
    found = re.search(r"Tested:\s+(\d+)", result.stdout)
    return int(found.group(1)) if found else 0


def document_operations(env: Env) -> int:
    document = env.ok_public("/api/v1/openapi.json")
    return sum(1 for item in document["paths"].values() for method in item if method != "parameters")


def test_schemathesis_without_a_key(env, tmp_path):
    result = run_schemathesis(env, tmp_path / "anonymous", "anonymous", fail_on=["unsupported_regex", "unresolvable_reference"])
    assert result.returncode == 0, result.stdout[-20000:] + result.stderr[-3000:]
    assert operations_tested(result) == document_operations(env) > 1, result.stdout[-5000:]


def test_schemathesis_with_an_owner_key(env, tmp_path):
    key_id, key = env.create_key(ORG_A, "owner", name="schemathesis")
    # Four eyes on, with requests pending by a member, so the run reaches approvals and rejections
    # (the owner is not their requester) and dismissals answer 202.
    _, member = env.create_key(ORG_A, "member", name="schemathesis requester")
    assert env.call("PUT", f"/api/v1/orgs/github/{ORG_A}/policy", key, {"four_eyes": True}).status == 200
    request_ids = []
    # Two open findings only, so dismissing the others still reaches a 202: one request by a member
    # (the run may approve it), one by the run's own key (four eyes refuse its approval, so a
    # rejection still finds it pending).
    open_findings = env.all_findings(key, query="&state=open")
    assert len(open_findings) >= 4
    for finding, requester in zip(open_findings[:2], (member, key)):
        reply = env.call("POST", f"/api/v1/orgs/github/{ORG_A}/findings/{finding['id']}/dismissal", requester, {"reason": "wont_fix"})
        assert reply.status == 202, reply
        request_ids.append(reply.json["id"])
    # A ready export, so its state and archive answer 200 (exports the run requests may still be pending: 409).
    export = env.call("POST", f"/api/v1/orgs/github/{ORG_A}/exports", key)
    assert export.status == 202, export
    deadline = time.monotonic() + 30
    while env.get(f"/api/v1/orgs/github/{ORG_A}/exports/{export.json['id']}", key).json["state"] != "ready":
        assert time.monotonic() < deadline, "the export was not built"
        time.sleep(0.1)
    # missing_auth: operations that only ever answered 401/403; missing_test_data: only 404s. Either
    # would mean the run never reached what it is meant to test.
    result = run_schemathesis(env, tmp_path / "owner", "owner", headers={"Authorization": f"Bearer {key}"}, protected_key_id=key_id,
                              fail_on=["missing_auth", "missing_test_data", "unsupported_regex", "unresolvable_reference",
                                       "dictionary_mismatch"], request_ids=request_ids, disabled=DESTRUCTIVE_OPERATIONS,
                              export_ids=[export.json["id"]])
    assert result.returncode == 0, result.stdout[-20000:] + result.stderr[-3000:]
    assert operations_tested(result) == document_operations(env) - len(DESTRUCTIVE_OPERATIONS) > 1, result.stdout[-5000:]
    assert env.get("/api/v1/me", key).status == 200, "the run's own key was revoked: the run lost its authentication"
    # No request of the run made the service log a failure.
    assert not [line for line in env.service.log_lines if '"level":"error"' in line or '"level":"critical"' in line]
