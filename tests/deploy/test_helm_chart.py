"""The Helm chart (deploy/helm/code-corgi), rendered offline with Helm's own engine and checked
as an operator's security review would check it.

- Rendering: helm-python-sdk (PyPI) binds Helm's official Go SDK, so the templates, the values
  coalescing and values.schema.json are Helm's code, as `helm template` would run them (Helm is
  no Debian package and no other download is reachable here).
- Validation: every manifest against Kubernetes' OpenAPI schemas with kubernetes-validate in
  strict mode (unknown fields refused), for the two newest Kubernetes versions it knows; the
  ServiceMonitor, a CRD Kubernetes does not know, against the prometheus-operator models of
  cloudcoil-models-prometheus-operator (generated from the CRD's schema), with unknown fields
  refused as well.
- Security: no pod runs as root or without runAsNonRoot, writes its root filesystem, keeps a
  capability, runs without the RuntimeDefault seccomp profile or takes a secret through the
  environment; workers receive no traffic (no Service, no ingress rule, a default deny).
  Each check is also shown to catch the violation it names (test_checks_catch_violations).
- The settings file the chart renders is read by the real `corgi` binary.

The tools come from scripts/setup; without them these tests skip, and fail under
CORGI_REQUIRE_SERVERS=1 (scripts/test, CI).
"""
from __future__ import annotations

import copy
import importlib
import json
import os
import pathlib
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
HELM_DIR = ROOT / "deploy" / "helm"
CHART = HELM_DIR / "code-corgi"
EXAMPLES = HELM_DIR / "examples"
sys.path.insert(0, str(HELM_DIR))

import render as chart  # noqa: E402  (deploy/helm/render.py)

RELEASE, NAMESPACE = "corgi", "code-corgi"
FULLNAME = f"{RELEASE}-code-corgi"
POD_KINDS = {"Deployment", "StatefulSet", "Job", "CronJob", "DaemonSet", "ReplicaSet", "Pod"}


def _tool(module: str, package: str):
    """Imports a test tool; a missing one skips the test, or fails it when servers and tools are
    required (scripts/test sets CORGI_REQUIRE_SERVERS=1)."""
    try:
        return importlib.import_module(module)
    except ImportError:
        message = f"{package} is not installed (scripts/setup installs it from PyPI)"
        if os.environ.get("CORGI_REQUIRE_SERVERS") == "1":
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture(scope="module")
def helm():
    return _tool("helm_python", "helm-python-sdk")


@pytest.fixture(scope="module")
def kubernetes_validate():
    return _tool("kubernetes_validate", "kubernetes-validate")


@pytest.fixture(scope="module")
def service_monitor_model():
    return _tool("cloudcoil.models.prometheus_operator.v1", "cloudcoil-models-prometheus-operator").ServiceMonitor


def merge(base: dict, override: dict) -> dict:
    merged = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def example(name: str) -> dict:
    return yaml.safe_load((EXAMPLES / name).read_text())


def variants() -> dict[str, dict]:
    """The renderings every check runs on: the documented examples, and the other combinations of
    mode and secret source."""
    embedded = example("embedded.yaml")
    distributed = example("distributed.yaml")
    vault = example("distributed-vault.yaml")
    return {
        "embedded-existing-secret": embedded,
        "embedded-vault": merge(embedded, {
            "secrets": {"source": "vault", "vault": {"roles": {"server": "corgi-server"}, "files": {"server": [
                {"name": "github-private-key", "path": "secret/data/corgi/github", "key": "private_key"},
                {"name": "github-webhook-secret", "path": "secret/data/corgi/github", "key": "webhook_secret"},
                {"name": "storage-encryption-key", "path": "secret/data/corgi/storage", "key": "key"},
                {"name": "fingerprint-key", "path": "secret/data/corgi/fingerprint", "key": "key"},
                {"name": "audit-checkpoint-key", "path": "secret/data/corgi/audit", "key": "key"}]}}},
            "networkPolicy": {"egress": {"vault": {"ports": [8200], "to": [{"ipBlock": {"cidr": "10.50.0.0/24"}}]}}},
            "listener": {"tls": {"existingSecret": "corgi-listener-tls"}},
            "serviceMonitor": {"tlsConfig": {"ca": {"secret": {"name": "corgi-ca", "key": "ca.crt"}},
                                             "serverName": "corgi-code-corgi-server.code-corgi.svc"}},
        }),
        "distributed-existing-secret": distributed,
        "distributed-vault": vault,
        "distributed-fixed-workers": merge(distributed, {"worker": {"autoscaling": {"enabled": False}, "replicas": 3},
                                                         "networkPolicy": {"ingress": {"namespaces": [], "metricsNamespaces": []}}}),
        "embedded-regions": merge(embedded, {
            "settings": {"residency": {"organisations": ["github/acme-eu=eu"], "regions": {"eu": {}}}},
            "secrets": {"existingSecret": {"regions": {"eu": {"server": "corgi-server-eu"}}}},
        }),
        "region-workers-only": region_workers(distributed),
    }


def region_workers(distributed: dict) -> dict:
    """A release of one region's workers alone: the home release's gateway and migration serve
    every region; these workers' settings name the EU's database and stream."""
    values = merge(distributed, {
        "gateway": {"enabled": False}, "migrate": {"enabled": False},
        "settings": {"database": {"host": "postgres-eu.databases.svc"},
                     "queue": {"stream": "CORGI_SCANS_EU", "subject": "corgi.scans.eu", "consumer": "corgi-workers-eu"}},
    })
    values["settings"].pop("residency")
    values["secrets"]["existingSecret"].pop("regions")
    return values


VARIANTS = variants()
_rendered: dict[str, list[dict]] = {}


def rendered(name: str) -> list[dict]:
    """Every manifest of a variant (hooks included), rendered once per session."""
    if name not in _rendered:
        _rendered[name] = chart.manifests(VARIANTS[name], release=RELEASE, namespace=NAMESPACE)
    return _rendered[name]


def by_kind(manifests: list[dict], kind: str) -> list[dict]:
    return [m for m in manifests if m["kind"] == kind]


def one(manifests: list[dict], kind: str, name: str) -> dict:
    found = [m for m in manifests if m["kind"] == kind and m["metadata"]["name"] == name]
    assert len(found) == 1, f"expected one {kind} {name}, found {len(found)}"
    return found[0]


def pod_template(manifest: dict) -> dict | None:
    kind = manifest["kind"]
    if kind == "Pod":
        return manifest
    if kind == "CronJob":
        return manifest["spec"]["jobTemplate"]["spec"]["template"]
    if kind in POD_KINDS:
        return manifest["spec"]["template"]
    return None


def settings_of(manifests: list[dict], configmap: str = f"{FULLNAME}-settings") -> dict:
    return yaml.safe_load(one(manifests, "ConfigMap", configmap)["data"]["corgi.yml"])


# ---------------------------------------------------------------------------------------------
# The security checks, as functions returning what they found, so that
# test_checks_catch_violations can show each one refuses what it names.

# corgi refuses these environment variables as secrets (SecretStore.refuseEnvironmentSecrets).
SECRET_LIKE_ENV = re.compile(r"^(CORGI_.*(SECRET|KEY|TOKEN|PASSWORD).*|GITHUB_WEBHOOK_SECRET|GITHUB_PRIVATE_KEY|"
                             r"GITHUB_APP_PRIVATE_KEY|WEBHOOK_SECRET)$", re.IGNORECASE)


def pod_violations(manifest: dict, manifests: list[dict]) -> list[str]:
    """What is wrong with a workload's pod: root, writable root filesystem, capabilities,
    seccomp, privilege escalation, secrets through the environment, API tokens."""
    template = pod_template(manifest)
    where = f"{manifest['kind']} {manifest['metadata']['name']}"
    spec = template["spec"]
    pod = spec.get("securityContext") or {}
    problems = []
    if pod.get("runAsNonRoot") is not True:
        problems.append(f"{where}: the pod lacks runAsNonRoot: true")
    for field in ("runAsUser", "runAsGroup", "fsGroup"):
        if not isinstance(pod.get(field), int) or pod[field] == 0:
            problems.append(f"{where}: the pod's {field} is {pod.get(field)!r}, not a non-zero id")
    if (pod.get("seccompProfile") or {}).get("type") != "RuntimeDefault":
        problems.append(f"{where}: the pod's seccomp profile is not RuntimeDefault")
    for flag in ("hostNetwork", "hostPID", "hostIPC"):
        if spec.get(flag):
            problems.append(f"{where}: {flag}")
    if spec.get("automountServiceAccountToken") is not False:
        problems.append(f"{where}: the ServiceAccount token is mounted")
    account = spec.get("serviceAccountName")
    if not account or account == "default":
        problems.append(f"{where}: no dedicated ServiceAccount")
    else:
        accounts = [m for m in manifests if m["kind"] == "ServiceAccount" and m["metadata"]["name"] == account]
        if len(accounts) != 1 or accounts[0].get("automountServiceAccountToken") is not False:
            problems.append(f"{where}: ServiceAccount {account} is not rendered with automountServiceAccountToken: false")
    volumes = {v["name"]: v for v in spec.get("volumes") or []}
    for volume in volumes.values():
        if "hostPath" in volume:
            problems.append(f"{where}: hostPath volume {volume['name']}")
    for container in (spec.get("initContainers") or []) + spec["containers"]:
        name = f"{where} container {container['name']}"
        context = container.get("securityContext") or {}
        if context.get("runAsNonRoot") is False:
            problems.append(f"{name}: runAsNonRoot: false")
        for field in ("runAsUser", "runAsGroup"):
            value = context.get(field, pod.get(field))
            if not isinstance(value, int) or value == 0:
                problems.append(f"{name}: runs with {field} {value!r}")
        if context.get("readOnlyRootFilesystem") is not True:
            problems.append(f"{name}: the root filesystem is writable")
        if context.get("allowPrivilegeEscalation") is not False:
            problems.append(f"{name}: privilege escalation is allowed")
        if context.get("privileged"):
            problems.append(f"{name}: privileged")
        capabilities = context.get("capabilities") or {}
        if "ALL" not in (capabilities.get("drop") or []) or capabilities.get("add"):
            problems.append(f"{name}: capabilities are not all dropped")
        seccomp = (context.get("seccompProfile") or pod.get("seccompProfile") or {}).get("type")
        if seccomp != "RuntimeDefault":
            problems.append(f"{name}: seccomp profile {seccomp!r}")
        for variable in container.get("env") or []:
            if "secretKeyRef" in (variable.get("valueFrom") or {}):
                problems.append(f"{name}: secret through environment variable {variable['name']} (secretKeyRef)")
            if SECRET_LIKE_ENV.match(variable["name"]):
                problems.append(f"{name}: environment variable {variable['name']} is named as a secret")
        for source in container.get("envFrom") or []:
            if "secretRef" in source:
                problems.append(f"{name}: secrets through the environment (envFrom secretRef {source['secretRef'].get('name')})")
        for mount in container.get("volumeMounts") or []:
            volume = volumes.get(mount["name"], {})
            if ("secret" in volume or "projected" in volume) and mount.get("readOnly") is not True:
                problems.append(f"{name}: secret volume {mount['name']} mounted writable")
        if "vault-token" in {m["name"] for m in container.get("volumeMounts") or []}:
            problems.append(f"{name}: the Vault login token is mounted into corgi's container")
    return problems


def selects(selector: dict, labels: dict) -> bool:
    """Whether a LabelSelector (matchLabels and matchExpressions) selects these labels."""
    for key, value in (selector.get("matchLabels") or {}).items():
        if labels.get(key) != value:
            return False
    for expression in selector.get("matchExpressions") or []:
        key, operator, values = expression["key"], expression["operator"], expression.get("values") or []
        if operator == "In" and labels.get(key) not in values:
            return False
        if operator == "NotIn" and labels.get(key) in values:
            return False
        if operator == "Exists" and key not in labels:
            return False
        if operator == "DoesNotExist" and key in labels:
            return False
    return True


def pod_labels(manifests: list[dict], component: str) -> list[dict]:
    return [pod_template(m)["metadata"]["labels"] for m in manifests
            if m["kind"] in POD_KINDS and pod_template(m)["metadata"]["labels"].get("app.kubernetes.io/component") == component]


def worker_traffic_violations(manifests: list[dict]) -> list[str]:
    """Ways a worker could receive traffic: a Service selecting it, a port, a NetworkPolicy rule
    letting traffic in, or no default deny."""
    problems = []
    workers = [m for m in manifests if m["kind"] in POD_KINDS
               and pod_template(m)["metadata"]["labels"].get("app.kubernetes.io/component") == "worker"]
    if not workers:
        return ["no worker is rendered"]
    for worker in workers:
        labels = pod_template(worker)["metadata"]["labels"]
        for container in pod_template(worker)["spec"]["containers"]:
            if container.get("ports"):
                problems.append(f"worker container {container['name']} declares ports")
        for service in by_kind(manifests, "Service"):
            selector = service["spec"].get("selector") or {}
            if selector and selects({"matchLabels": selector}, labels):
                problems.append(f"Service {service['metadata']['name']} selects the workers")
        policies = [p for p in by_kind(manifests, "NetworkPolicy") if selects(p["spec"]["podSelector"], labels)]
        for policy in policies:
            types = policy["spec"].get("policyTypes") or ["Ingress"]
            if "Ingress" in types and policy["spec"].get("ingress"):
                problems.append(f"NetworkPolicy {policy['metadata']['name']} lets traffic into the workers")
        default_deny = [p for p in policies
                        if set(p["spec"].get("policyTypes") or []) >= {"Ingress", "Egress"}
                        and not p["spec"].get("ingress") and not p["spec"].get("egress")]
        if not default_deny:
            problems.append("no default-deny NetworkPolicy (Ingress and Egress, no rules) selects the workers")
    return problems


# ---------------------------------------------------------------------------------------------
# Rendering and strict validation.

@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_chart_renders_and_lints(helm, variant):
    manifests = rendered(variant)
    assert manifests, "nothing rendered"
    report = helm.lint(str(CHART), VARIANTS[variant], strict=True, namespace=NAMESPACE)
    errors = [m for m in report["messages"] if m["severity"] >= 2 and m["error"] != "icon is recommended"]
    assert not errors and not report["errors"], report


def kubernetes_versions(kubernetes_validate) -> list[str]:
    from kubernetes_validate import utils
    versions = sorted(set(utils.all_versions()), key=utils.Version)
    return versions[-2:]


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_every_manifest_validates_strictly(helm, kubernetes_validate, service_monitor_model, variant):
    from kubernetes_validate import utils
    versions = kubernetes_versions(kubernetes_validate)
    assert len(versions) == 2
    checked = 0
    for manifest in rendered(variant):
        if manifest["kind"] == "ServiceMonitor":
            assert manifest["apiVersion"] == "monitoring.coreos.com/v1"
            # The CRD's schema (as generated models); a field the CRD does not know is dropped by
            # the model, so the round trip must give back exactly what was rendered.
            model = service_monitor_model.model_validate(manifest)
            assert model.model_dump(by_alias=True, exclude_unset=True, mode="json") == manifest, \
                "the ServiceMonitor has fields its CRD does not define"
            checked += 1
            continue
        for version in versions:
            try:
                kubernetes_validate.validate(manifest, version, strict=True)
            except utils.ValidationError as error:
                pytest.fail(f"{manifest['kind']} {manifest['metadata']['name']} is invalid for Kubernetes {version}: "
                            f"{'.'.join(map(str, error.path))}: {error.message}")
            except utils.SchemaNotFoundError:
                pytest.fail(f"no Kubernetes {version} schema for {manifest['apiVersion']} {manifest['kind']}")
        checked += 1
    assert checked == len(rendered(variant))


def test_strict_validation_refuses_unknown_fields(helm, kubernetes_validate, service_monitor_model):
    """The validators are not lenient: an unknown field fails them."""
    from kubernetes_validate import utils
    manifests = rendered("distributed-existing-secret")
    gateway = copy.deepcopy(one(manifests, "Deployment", f"{FULLNAME}-gateway"))
    gateway["spec"]["template"]["spec"]["containers"][0]["securityContext"]["readOnlyRootFS"] = True
    with pytest.raises(utils.ValidationError):
        kubernetes_validate.validate(gateway, kubernetes_versions(kubernetes_validate)[-1], strict=True)
    monitor = copy.deepcopy(by_kind(manifests, "ServiceMonitor")[0])
    monitor["spec"]["endpoints"][0]["scrapeEvery"] = "30s"
    model = service_monitor_model.model_validate(monitor)
    assert model.model_dump(by_alias=True, exclude_unset=True, mode="json") != monitor
    monitor["spec"]["endpoints"][0].pop("scrapeEvery")
    monitor["spec"]["endpoints"][0]["scheme"] = "gopher"
    with pytest.raises(Exception):
        service_monitor_model.model_validate(monitor)


# ---------------------------------------------------------------------------------------------
# Security properties.

@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_no_pod_runs_as_root_writes_its_root_or_takes_secrets_from_the_environment(helm, variant):
    manifests = rendered(variant)
    workloads = [m for m in manifests if m["kind"] in POD_KINDS]
    assert workloads
    problems = [problem for workload in workloads for problem in pod_violations(workload, manifests)]
    assert not problems, "\n".join(problems)
    for manifest in manifests:
        assert manifest["kind"] != "Secret", "the chart must not carry secrets: they are mounted from Secrets or Vault"


@pytest.mark.parametrize("variant", [v for v in sorted(VARIANTS) if v.startswith(("distributed", "region"))])
def test_workers_receive_no_traffic(helm, variant):
    manifests = rendered(variant)
    problems = worker_traffic_violations(manifests)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_only_the_listener_accepts_connections_on_its_port(helm, variant):
    manifests = rendered(variant)
    listener = "server" if variant.startswith("embedded") else "gateway"
    port = 8080
    for policy in by_kind(manifests, "NetworkPolicy"):
        rules = policy["spec"].get("ingress") or []
        if not rules:
            continue
        selector = policy["spec"]["podSelector"]
        assert selector["matchLabels"].get("app.kubernetes.io/component") == listener, policy["metadata"]["name"]
        for rule in rules:
            assert rule["ports"] == [{"port": port, "protocol": "TCP"}]
    for service in by_kind(manifests, "Service"):
        assert service["spec"]["selector"]["app.kubernetes.io/component"] == listener
    for ingress in by_kind(manifests, "Ingress"):
        for rule in ingress["spec"]["rules"]:
            for path in rule["http"]["paths"]:
                assert path["backend"]["service"]["name"] == f"{FULLNAME}-{listener}"
                assert path["path"] not in {"/metrics", "/healthz", "/readyz", "/"}
    # Every pod of the release is under the default deny.
    deny = one(manifests, "NetworkPolicy", f"{FULLNAME}-default-deny")
    for manifest in manifests:
        template = pod_template(manifest)
        if template is not None:
            assert selects(deny["spec"]["podSelector"], template["metadata"]["labels"])


def test_egress_goes_only_to_the_named_destinations(helm):
    manifests = rendered("distributed-existing-secret")
    values = VARIANTS["distributed-existing-secret"]
    expected = {
        "worker": ["dns", "postgres", "nats", "s3", "forges"],   # ai has no peers in this example
        "gateway": ["dns", "postgres", "nats"],
        "migrate": ["dns", "postgres"],
    }
    defaults = yaml.safe_load((CHART / "values.yaml").read_text())["networkPolicy"]["egress"]
    egress = merge(defaults, values["networkPolicy"]["egress"])
    for component, destinations in expected.items():
        policy = one(manifests, "NetworkPolicy", f"{FULLNAME}-{component}")
        rules = policy["spec"]["egress"]
        assert [rule["to"] for rule in rules] == [egress[d]["to"] for d in destinations], component
        for rule, destination in zip(rules, destinations):
            ports = {p["port"] for p in rule["ports"]}
            assert ports == set(egress[destination]["ports"]), (component, destination)
            protocols = {p["protocol"] for p in rule["ports"]}
            assert protocols == ({"UDP", "TCP"} if destination == "dns" else {"TCP"})
    embedded = one(rendered("embedded-existing-secret"), "NetworkPolicy", f"{FULLNAME}-server")
    assert [rule["to"] for rule in embedded["spec"]["egress"]] == [defaults["dns"]["to"], defaults["forges"]["to"]]
    vault = one(rendered("distributed-vault"), "NetworkPolicy", f"{FULLNAME}-worker")
    assert vault["spec"]["egress"][-1]["to"] == VARIANTS["distributed-vault"]["networkPolicy"]["egress"]["vault"]["to"]


def test_checks_catch_violations(helm):
    """Each security check refuses the violation it is named for, so a green run means something."""
    manifests = rendered("distributed-existing-secret")
    gateway = one(manifests, "Deployment", f"{FULLNAME}-gateway")

    def violations_after(change) -> list[str]:
        copied = copy.deepcopy(manifests)
        target = one(copied, "Deployment", f"{FULLNAME}-gateway")
        change(target["spec"]["template"]["spec"], copied)
        return pod_violations(target, copied)

    assert not pod_violations(gateway, manifests)
    container = lambda spec: spec["containers"][0]  # noqa: E731
    cases = {
        "runAsUser 0": lambda spec, _: spec["securityContext"].update(runAsUser=0),
        "container runAsUser 0": lambda spec, _: container(spec)["securityContext"].update(runAsUser=0),
        "no runAsNonRoot": lambda spec, _: spec["securityContext"].pop("runAsNonRoot"),
        "writable root": lambda spec, _: container(spec)["securityContext"].update(readOnlyRootFilesystem=False),
        "escalation": lambda spec, _: container(spec)["securityContext"].pop("allowPrivilegeEscalation"),
        "capability": lambda spec, _: container(spec)["securityContext"]["capabilities"].update(add=["NET_ADMIN"]),
        "no drop": lambda spec, _: container(spec)["securityContext"].pop("capabilities"),
        "seccomp": lambda spec, _: (spec["securityContext"].pop("seccompProfile"),
                                    container(spec)["securityContext"].pop("seccompProfile")),
        "secretKeyRef": lambda spec, _: container(spec)["env"].append(
            {"name": "DB", "valueFrom": {"secretKeyRef": {"name": "corgi-gateway", "key": "postgres-password"}}}),
        "envFrom secretRef": lambda spec, _: container(spec).update(envFrom=[{"secretRef": {"name": "corgi-gateway"}}]),
        "secret-named variable": lambda spec, _: container(spec)["env"].append({"name": "CORGI_WEBHOOK_SECRET", "value": "x"}),
        "token mounted": lambda spec, _: spec.update(automountServiceAccountToken=True),
        "default account": lambda spec, _: spec.update(serviceAccountName="default"),
        "writable secret": lambda spec, _: [m.pop("readOnly") for m in container(spec)["volumeMounts"] if m["name"] == "secrets"],
    }
    for name, change in cases.items():
        assert violations_after(change), f"the pod check misses: {name}"

    assert not worker_traffic_violations(manifests)
    worker_labels = pod_labels(manifests, "worker")[0]
    selector = {k: worker_labels[k] for k in ("app.kubernetes.io/name", "app.kubernetes.io/instance", "app.kubernetes.io/component")}
    service = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "workers"},
               "spec": {"selector": selector, "ports": [{"port": 80}]}}
    assert worker_traffic_violations(manifests + [service])
    opened = copy.deepcopy(manifests)
    one(opened, "NetworkPolicy", f"{FULLNAME}-worker")["spec"]["ingress"] = [{"ports": [{"port": 8080}]}]
    assert worker_traffic_violations(opened)
    allow_all = {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "allow-all"},
                 "spec": {"podSelector": {}, "policyTypes": ["Ingress"], "ingress": [{}]}}
    assert worker_traffic_violations(manifests + [allow_all])
    without_deny = [m for m in manifests if m["metadata"]["name"] != f"{FULLNAME}-default-deny"]
    assert worker_traffic_violations(without_deny)
    ported = copy.deepcopy(manifests)
    pod_template(one(ported, "Deployment", f"{FULLNAME}-worker"))["spec"]["containers"][0]["ports"] = [{"containerPort": 9090}]
    assert worker_traffic_violations(ported)


# ---------------------------------------------------------------------------------------------
# What each mode renders.

def test_embedded_mode_is_one_statefulset_with_its_volume(helm):
    manifests = rendered("embedded-existing-secret")
    assert not by_kind(manifests, "Deployment") and not by_kind(manifests, "Job") and not by_kind(manifests, "HorizontalPodAutoscaler")
    server = one(manifests, "StatefulSet", f"{FULLNAME}-server")
    assert server["spec"]["replicas"] == 1
    claim = server["spec"]["volumeClaimTemplates"][0]
    assert claim["metadata"]["name"] == "data" and claim["spec"]["resources"]["requests"]["storage"] == "20Gi"
    container = server["spec"]["template"]["spec"]["containers"][0]
    assert container["command"] == ["corgi"] and container["args"] == ["serve", "--config", "/etc/corgi/corgi.yml"]
    mounts = {m["name"]: m for m in container["volumeMounts"]}
    settings = settings_of(manifests)
    assert settings["storage"] == {"database": "/var/lib/corgi/corgi.sqlite", "objects": "/var/lib/corgi/objects"}
    assert mounts["data"]["mountPath"] == "/var/lib/corgi"
    assert mounts["secrets"]["mountPath"] == settings["secrets"]["directory"] == "/var/run/secrets/corgi"
    assert mounts["settings"]["mountPath"] == "/etc/corgi" and mounts["settings"]["readOnly"] is True
    assert mounts["scratch"]["mountPath"] == "/tmp"
    volumes = {v["name"]: v for v in server["spec"]["template"]["spec"]["volumes"]}
    assert volumes["secrets"]["secret"]["secretName"] == "corgi-server"
    assert volumes["scratch"]["emptyDir"]["sizeLimit"] == "512Mi"
    assert settings["server"] == {"host": "0.0.0.0", "port": 8080}
    for probe, path in (("livenessProbe", "/healthz"), ("readinessProbe", "/readyz"), ("startupProbe", "/healthz")):
        assert container[probe]["httpGet"]["path"] == path and container[probe]["httpGet"]["port"] == "http"
    service = one(manifests, "Service", f"{FULLNAME}-server")
    assert service["spec"]["ports"][0]["targetPort"] == "http"
    monitor = by_kind(manifests, "ServiceMonitor")[0]
    assert monitor["spec"]["endpoints"][0]["path"] == "/metrics"
    assert monitor["metadata"]["labels"]["release"] == "kube-prometheus-stack"
    assert not by_kind(manifests, "PodDisruptionBudget")


def test_distributed_mode_renders_gateway_workers_and_the_migrate_hook(helm):
    manifests = rendered("distributed-existing-secret")
    assert not by_kind(manifests, "StatefulSet")
    gateway = one(manifests, "Deployment", f"{FULLNAME}-gateway")
    worker = one(manifests, "Deployment", f"{FULLNAME}-worker")
    assert gateway["spec"]["replicas"] == 2
    assert "replicas" not in worker["spec"], "the autoscaler owns the workers' count"
    args = lambda m: pod_template(m)["spec"]["containers"][0]["args"]  # noqa: E731
    assert args(gateway) == ["gateway", "--config", "/etc/corgi/corgi.yml"]
    assert args(worker) == ["worker", "--config", "/etc/corgi/corgi.yml"]
    assert "ports" not in pod_template(worker)["spec"]["containers"][0]
    assert "livenessProbe" not in pod_template(worker)["spec"]["containers"][0]
    # Ready when listening: a gateway answers 202 "deferred" while NATS is away, so /readyz (which
    # then fails) must not take it out of the Service.
    assert pod_template(gateway)["spec"]["containers"][0]["readinessProbe"]["httpGet"]["path"] == "/healthz"
    assert [s["metadata"]["name"] for s in by_kind(manifests, "Service")] == [f"{FULLNAME}-gateway"]
    ingress = one(manifests, "Ingress", FULLNAME)
    assert ingress["spec"]["rules"][0]["host"] == "corgi.example.com"
    assert {p["path"] for p in ingress["spec"]["rules"][0]["http"]["paths"]} == {"/webhooks", "/api", "/auth"}
    budgets = {b["metadata"]["name"]: b["spec"] for b in by_kind(manifests, "PodDisruptionBudget")}
    assert budgets[f"{FULLNAME}-gateway"]["minAvailable"] == 1
    assert budgets[f"{FULLNAME}-worker"]["maxUnavailable"] == 1
    # Each process gets its own Secret and its own ServiceAccount.
    secret_names = {}
    for workload in (gateway, worker, one(manifests, "Job", f"{FULLNAME}-migrate")):
        spec = pod_template(workload)["spec"]
        component = pod_template(workload)["metadata"]["labels"]["app.kubernetes.io/component"]
        assert spec["serviceAccountName"] == f"{FULLNAME}-{component}"
        secret_names[component] = {v["name"]: v["secret"]["secretName"] for v in spec["volumes"] if "secret" in v}
    assert secret_names == {"gateway": {"secrets": "corgi-gateway", "secrets-eu": "corgi-gateway-eu"},
                            "worker": {"secrets": "corgi-worker"},
                            "migrate": {"secrets": "corgi-migrate", "secrets-eu": "corgi-migrate-eu"}}
    settings = settings_of(manifests)
    assert settings["residency"]["regions"]["eu"]["secrets"]["directory"] == "/var/run/secrets/corgi-eu"
    assert "storage" not in settings
    assert settings["database"]["host"] == "postgres.databases.svc"
    config = one(manifests, "ConfigMap", f"{FULLNAME}-settings")
    assert "postgres-ca.pem" in config["data"] and "nats-ca.pem" in config["data"]


def test_migration_runs_as_a_pre_install_and_pre_upgrade_hook(helm):
    manifests = rendered("distributed-existing-secret")
    job = one(manifests, "Job", f"{FULLNAME}-migrate")
    hook = job["metadata"]["annotations"]
    assert hook["helm.sh/hook"] == "pre-install,pre-upgrade"
    assert pod_template(job)["spec"]["containers"][0]["args"] == ["migrate", "--config", "/etc/corgi/corgi.yml"]
    assert pod_template(job)["spec"]["restartPolicy"] == "Never"
    # What the Job needs exists before it: hooks of a lower weight, not release resources (which
    # Helm creates only after the pre-install hooks).
    job_weight = int(hook["helm.sh/hook-weight"])
    for kind in ("ServiceAccount", "ConfigMap", "NetworkPolicy"):
        resource = one(manifests, kind, f"{FULLNAME}-migrate")
        annotations = resource["metadata"]["annotations"]
        assert annotations["helm.sh/hook"] == "pre-install,pre-upgrade"
        assert int(annotations["helm.sh/hook-weight"]) < job_weight
    assert pod_template(job)["spec"]["serviceAccountName"] == f"{FULLNAME}-migrate"
    volumes = {v["name"]: v for v in pod_template(job)["spec"]["volumes"]}
    assert volumes["settings"]["configMap"]["name"] == f"{FULLNAME}-migrate"
    assert settings_of(manifests, f"{FULLNAME}-migrate") == settings_of(manifests)
    assert not by_kind(rendered("region-workers-only"), "Job")


def test_workers_scale_on_the_queue_depth(helm):
    manifests = rendered("distributed-existing-secret")
    hpa = one(manifests, "HorizontalPodAutoscaler", f"{FULLNAME}-worker")
    assert hpa["spec"]["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": f"{FULLNAME}-worker"}
    assert (hpa["spec"]["minReplicas"], hpa["spec"]["maxReplicas"]) == (2, 20)
    [metric] = hpa["spec"]["metrics"]
    assert metric["type"] == "External"
    assert metric["external"]["metric"]["name"] == "corgi_queue_pending"
    assert metric["external"]["metric"]["selector"] == {"matchLabels": {"service": f"{FULLNAME}-gateway"}}
    assert metric["external"]["target"] == {"type": "AverageValue", "averageValue": "4"}
    # The gauge is the one the gateway really exports.
    metrics_source = (ROOT / "Sources" / "CorgiService" / "Observability" / "ServiceMetrics.swift").read_text()
    assert '"corgi_queue_pending"' in metrics_source
    fixed = rendered("distributed-fixed-workers")
    assert not by_kind(fixed, "HorizontalPodAutoscaler")
    assert one(fixed, "Deployment", f"{FULLNAME}-worker")["spec"]["replicas"] == 3


def test_vault_variant_renders_agent_annotations_and_no_secret_volume(helm):
    values = VARIANTS["distributed-vault"]["secrets"]["vault"]
    manifests = rendered("distributed-vault")
    for workload in (m for m in manifests if m["kind"] in POD_KINDS):
        template = pod_template(workload)
        component = template["metadata"]["labels"]["app.kubernetes.io/component"]
        annotations = template["metadata"]["annotations"]
        assert annotations["vault.hashicorp.com/agent-inject"] == "true"
        assert annotations["vault.hashicorp.com/role"] == values["roles"][component]
        assert annotations["vault.hashicorp.com/auth-path"] == "auth/kubernetes"
        assert annotations["vault.hashicorp.com/secret-volume-path"] == "/var/run/secrets/corgi"
        assert annotations["vault.hashicorp.com/agent-inject-containers"] == "corgi"
        assert annotations["vault.hashicorp.com/agent-service-account-token-volume-name"] == "vault-token"
        assert (annotations.get("vault.hashicorp.com/agent-pre-populate-only") == "true") == (workload["kind"] == "Job")
        files = values["files"][component]
        injected = sorted(k.rsplit("/agent-inject-secret-", 1)[1] for k in annotations if "/agent-inject-secret-" in k)
        assert injected == sorted(f["name"] for f in files)
        for entry in files:
            name = entry["name"]
            assert annotations[f"vault.hashicorp.com/agent-inject-secret-{name}"] == entry["path"]
            assert annotations[f"vault.hashicorp.com/agent-inject-file-{name}"] == name
            assert annotations[f"vault.hashicorp.com/agent-inject-template-{name}"] == (
                f'{{{{- with secret "{entry["path"]}" -}}}}{{{{ index .Data.data "{entry["key"]}" }}}}{{{{- end -}}}}')
        volumes = {v["name"]: v for v in template["spec"]["volumes"]}
        assert not any("secret" in v for v in volumes.values())
        token = volumes["vault-token"]["projected"]["sources"][0]["serviceAccountToken"]
        assert token["audience"] == "vault" and token["expirationSeconds"] == 3600
    gateway = pod_template(one(manifests, "Deployment", f"{FULLNAME}-gateway"))["metadata"]["annotations"]
    assert not any(k.endswith("github-private-key") for k in gateway), "the gateway never holds the App's key"
    # One Vault path per process: a Vault policy grants a path, so sharing one would let the
    # gateway's role read the workers' keys.
    paths = {component: {f["path"] for f in files} for component, files in values["files"].items() if files}
    for component, mine in paths.items():
        for other, theirs in paths.items():
            assert other == component or not mine & theirs, (component, other)


def test_listener_tls_is_served_from_a_mounted_secret(helm):
    manifests = rendered("embedded-vault")
    settings = settings_of(manifests)
    tls = settings["server"]["tls"]
    server = pod_template(one(manifests, "StatefulSet", f"{FULLNAME}-server"))["spec"]
    mount = next(m for m in server["containers"][0]["volumeMounts"] if m["name"] == "listener-tls")
    assert tls == {"certificate": f"{mount['mountPath']}/tls.crt", "key": f"{mount['mountPath']}/tls.key"}
    assert next(v for v in server["volumes"] if v["name"] == "listener-tls")["secret"]["secretName"] == "corgi-listener-tls"
    assert server["containers"][0]["readinessProbe"]["httpGet"]["scheme"] == "HTTPS"
    endpoint = by_kind(manifests, "ServiceMonitor")[0]["spec"]["endpoints"][0]
    assert endpoint["scheme"] == "https" and endpoint["tlsConfig"]["serverName"] == "corgi-code-corgi-server.code-corgi.svc"


def test_a_settings_change_rolls_the_pods(helm):
    before = rendered("distributed-existing-secret")
    after = chart.manifests(merge(VARIANTS["distributed-existing-secret"], {"settings": {"policy": {"fail_on": "critical"}}}),
                            release=RELEASE, namespace=NAMESPACE)
    checksum = lambda ms: pod_template(one(ms, "Deployment", f"{FULLNAME}-worker"))["metadata"]["annotations"]["checksum/settings"]  # noqa: E731
    assert checksum(before) != checksum(after)


# ---------------------------------------------------------------------------------------------
# The values schema.

def without(values: dict, *path: str) -> dict:
    copied = copy.deepcopy(values)
    node = copied
    for key in path[:-1]:
        node = node[key]
    node.pop(path[-1])
    return copied


EMBEDDED = example("embedded.yaml")
DISTRIBUTED = example("distributed.yaml")
VAULT = example("distributed-vault.yaml")

BAD_VALUES = {
    "unknown mode": (merge(EMBEDDED, {"mode": "cluster"}), "/mode"),
    "root user": (merge(EMBEDDED, {"podSecurity": {"runAsUser": 0}}), "/podSecurity/runAsUser"),
    "root group": (merge(EMBEDDED, {"podSecurity": {"runAsGroup": 0}}), "/podSecurity/runAsGroup"),
    "root fsGroup": (merge(EMBEDDED, {"podSecurity": {"fsGroup": 0}}), "/podSecurity/fsGroup"),
    "user id as a string": (merge(EMBEDDED, {"podSecurity": {"runAsUser": "1000"}}), "/podSecurity/runAsUser"),
    "privileged port": (merge(EMBEDDED, {"listener": {"port": 80}}), "/listener/port"),
    "bad digest": (merge(EMBEDDED, {"image": {"digest": "sha256:abc"}}), "/image/digest"),
    "bad pull policy": (merge(EMBEDDED, {"image": {"pullPolicy": "Sometimes"}}), "/image/pullPolicy"),
    "unknown value (env)": (merge(EMBEDDED, {"extraEnv": [{"name": "GITHUB_WEBHOOK_SECRET", "value": "x"}]}), "extraEnv"),
    "secret in the settings": (merge(EMBEDDED, {"settings": {"github": {"webhook_secret": "0123456789abcdef"}}}), "webhook_secret"),
    "password in the settings": (merge(DISTRIBUTED, {"settings": {"database": {"password": "hunter2hunter2"}}}), "password"),
    "credentials in a NATS URL": (merge(DISTRIBUTED, {"settings": {"queue": {"servers": ["nats://u:p@nats:4222"]}}}),
                                  "/settings/queue/servers/0"),
    "chart-owned secrets.directory": (merge(EMBEDDED, {"settings": {"secrets": {"directory": "/tmp"}}}), "secrets"),
    "chart-owned storage": (merge(EMBEDDED, {"settings": {"storage": {"database": "/tmp/x.sqlite"}}}), "storage"),
    "chart-owned server.port": (merge(EMBEDDED, {"settings": {"server": {"port": 9000}}}), "port"),
    "unknown severity": (merge(EMBEDDED, {"settings": {"policy": {"fail_on": "severe"}}}), "/settings/policy/fail_on"),
    "non-numeric App id": (merge(EMBEDDED, {"settings": {"github": {"app_id": "acme"}}}), "/settings/github/app_id"),
    "App id as a number": (merge(EMBEDDED, {"settings": {"github": {"app_id": 123456}}}), "/settings/github/app_id"),
    "plain http to GitHub": (merge(EMBEDDED, {"settings": {"github": {"api_url": "http://api.github.com"}}}),
                             "/settings/github/api_url"),
    "no forge": (without(EMBEDDED, "settings", "github"), "/settings"),
    "database in embedded mode": (merge(EMBEDDED, {"settings": {"database": {"host": "pg"}}}), "/settings/database"),
    "unknown secret source": (merge(EMBEDDED, {"secrets": {"source": "env"}}), "/secrets/source"),
    "embedded without its Secret": (merge(EMBEDDED, {"secrets": {"existingSecret": {"server": ""}}}), "/secrets/existingSecret/server"),
    "distributed without database.host": (without(DISTRIBUTED, "settings", "database", "host"), "/settings/database"),
    "distributed without queue": (without(DISTRIBUTED, "settings", "queue"), "/settings"),
    "distributed without S3": (without(DISTRIBUTED, "settings", "objects"), "/settings"),
    "distributed without the workers' Secret": (merge(DISTRIBUTED, {"secrets": {"existingSecret": {"worker": ""}}}),
                                                "/secrets/existingSecret/worker"),
    "distributed without PostgreSQL egress": (merge(DISTRIBUTED, {"networkPolicy": {"egress": {"postgres": {"to": []}}}}),
                                              "/networkPolicy/egress/postgres/to"),
    "Vault without Vault egress": (merge(VAULT, {"networkPolicy": {"egress": {"vault": {"to": []}}}}),
                                   "/networkPolicy/egress/vault/to"),
    "Vault without the gateway's role": (merge(VAULT, {"secrets": {"vault": {"roles": {"gateway": ""}}}}),
                                         "/secrets/vault/roles/gateway"),
    "a file corgi does not read": (merge(VAULT, {"secrets": {"vault": {"files": {"gateway": [
        {"name": "github-token", "path": "secret/data/x", "key": "y"}]}}}}), "/secrets/vault/files/gateway/0/name"),
    "the App's key for the gateway": (merge(VAULT, {"secrets": {"vault": {"files": {"gateway": [
        {"name": "github-private-key", "path": "secret/data/x", "key": "y"}]}}}}), "/secrets/vault/files/gateway/0/name"),
    "the migration password for a worker": (merge(VAULT, {"secrets": {"vault": {"files": {"worker": [
        {"name": "postgres-migration-password", "path": "secret/data/x", "key": "y"}]}}}}), "/secrets/vault/files/worker/0/name"),
    "no workers at the minimum": (merge(DISTRIBUTED, {"worker": {"autoscaling": {"minReplicas": 0}}}),
                                  "/worker/autoscaling/minReplicas"),
    "Ingress without a host": (merge(DISTRIBUTED, {"ingress": {"host": ""}}), "/ingress/host"),
    "bad scrape interval": (merge(DISTRIBUTED, {"serviceMonitor": {"interval": "often"}}), "/serviceMonitor/interval"),
    "unknown region": (merge(DISTRIBUTED, {"settings": {"residency": {"regions": {"mars": {"database": {"name": "x"}}}}}}), "mars"),
    "settings file replaced": (merge(DISTRIBUTED, {"extraConfigFiles": {"corgi.yml": "github: {}"}}), "corgi.yml"),
    "replicas as a word": (merge(DISTRIBUTED, {"gateway": {"replicas": "two"}}), "/gateway/replicas"),
    "a CIDR that is not one": (merge(DISTRIBUTED, {"networkPolicy": {"egress": {"forges": {"to": [{"ipBlock": {"cidr": "anywhere"}}]}}}}),
                               "/networkPolicy/egress/forges/to/0/ipBlock/cidr"),
    "Vault annotations by hand": (merge(DISTRIBUTED, {"gateway": {"podAnnotations": {"vault.hashicorp.com/role": "admin"}}}),
                                  "vault.hashicorp.com/role"),
}


@pytest.mark.parametrize("case", sorted(BAD_VALUES))
def test_schema_refuses_bad_values(helm, case):
    values, where = BAD_VALUES[case]
    with pytest.raises(helm.HelmValuesError) as refused:
        chart.render_templates(values, release=RELEASE, namespace=NAMESPACE)
    message = str(refused.value)
    assert "values don't meet the specifications of the schema" in message
    assert where in message, message


@pytest.mark.parametrize("case,message", [
    ({"worker": {"autoscaling": {"minReplicas": 5, "maxReplicas": 2}}}, "maxReplicas must be at least"),
    ({"secrets": {"existingSecret": {"regions": {"apac": {"gateway": "corgi-gateway-apac"}}}}}, "residency.regions.apac names no stores"),
])
def test_templates_refuse_what_the_schema_cannot_say(helm, case, message):
    with pytest.raises(helm.HelmRenderError) as refused:
        chart.render_templates(merge(DISTRIBUTED, case), release=RELEASE, namespace=NAMESPACE)
    assert message in str(refused.value)


def test_the_default_values_name_what_is_missing(helm):
    """Installing with no values at all stops before rendering, naming the forge and the Secret."""
    with pytest.raises(helm.HelmValuesError) as refused:
        chart.render_templates({}, release=RELEASE, namespace=NAMESPACE)
    assert "missing property 'github'" in str(refused.value)
    assert "/secrets/existingSecret/server" in str(refused.value)


def test_every_value_is_documented():
    """Each key of values.yaml is described: by a comment on its line or just above it, or, for
    the keys inside a described block (resources.requests, say), by that block's comment."""
    lines = (CHART / "values.yaml").read_text().splitlines()
    described: list[tuple[int, bool]] = []  # the enclosing keys: (indent, described)
    undescribed = []
    for number, line in enumerate(lines):
        match = re.match(r"^( *)(- )?([A-Za-z][A-Za-z0-9.]*):", line)
        if not match:
            continue
        indent = len(match.group(1))
        while described and described[-1][0] >= indent:
            described.pop()
        if match.group(2):  # a list item's fields are the value of a described key
            described.append((indent, True))
            continue
        own = "#" in line or (number > 0 and lines[number - 1].strip().startswith("#"))
        inherited = bool(described) and described[-1][1]
        if not (own or inherited):
            undescribed.append(f"values.yaml:{number + 1}: {line.strip()}")
        described.append((indent, own or inherited))
    assert not undescribed, "values without a description:\n" + "\n".join(undescribed)


# ---------------------------------------------------------------------------------------------
# The rendered settings are what corgi reads.

def corgi_binary() -> str:
    path = os.environ.get("CORGI_BIN") or str(ROOT / ".build" / "debug" / "corgi")
    if not os.path.exists(path):
        message = f"corgi binary not found at {path}: build first (scripts/test does)"
        if os.environ.get("CORGI_REQUIRE_SERVERS") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return path


def clean_environment(container: dict, scratch: pathlib.Path) -> dict:
    """The container's own environment (the chart's, with /tmp moved to a scratch directory) and
    PATH; nothing else of this machine's (no CORGI_* variables)."""
    environment = {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}
    for variable in container.get("env") or []:
        environment[variable["name"]] = variable["value"].replace("/tmp", str(scratch))
    return environment


@pytest.mark.parametrize("process,workload", [("gateway", "Deployment"), ("worker", "Deployment"), ("migrate", "Job")])
def test_corgi_accepts_the_distributed_settings(helm, tmp_path, process, workload):
    """corgi reads the rendered settings file to the end: with an empty secrets directory the
    first thing it refuses is a missing secret, after every setting was read and checked."""
    binary = corgi_binary()
    manifests = rendered("distributed-existing-secret")
    configmap = f"{FULLNAME}-migrate" if process == "migrate" else f"{FULLNAME}-settings"
    config = one(manifests, "ConfigMap", configmap)["data"]
    settings = yaml.safe_load(config["corgi.yml"])
    secrets = tmp_path / "secrets"
    secrets.mkdir()
    settings["secrets"]["directory"] = str(secrets)
    for name, content in config.items():  # the files beside the settings file, as mounted
        (tmp_path / name).write_text(content)
    (tmp_path / "corgi.yml").write_text(yaml.safe_dump(settings))
    container = pod_template(one(manifests, workload, f"{FULLNAME}-{process}"))["spec"]["containers"][0]
    assert container["args"][0] == process
    result = subprocess.run([binary, *container["args"][:2], str(tmp_path / "corgi.yml")], capture_output=True, text=True,
                            timeout=60, env=clean_environment(container, tmp_path), cwd=tmp_path)
    assert result.returncode != 0
    assert f"missing secret: {secrets}/" in result.stderr, result.stderr


def relocate(value, moves: dict[str, pathlib.Path]):
    """The settings with the pod's paths (volume, secret mounts) moved under this test's directory."""
    if isinstance(value, dict):
        return {key: relocate(item, moves) for key, item in value.items()}
    if isinstance(value, list):
        return [relocate(item, moves) for item in value]
    if isinstance(value, str):
        for prefix, target in moves.items():
            if value == prefix or value.startswith(prefix + "/") or value.startswith(prefix + "-"):
                return str(target) + value[len(prefix):]
    return value


def test_corgi_serve_runs_from_the_embedded_settings(helm, tmp_path):
    """The embedded StatefulSet's settings (with a second region) start corgi serve, which
    answers /healthz and /readyz: only the paths the pod mounts (the volume, the secrets, /tmp)
    and the address are moved here."""
    binary = corgi_binary()
    if shutil.which("openssl") is None:
        pytest.fail("openssl is needed for the development secrets (scripts/setup installs it)")
    manifests = rendered("embedded-regions")
    container = pod_template(one(manifests, "StatefulSet", f"{FULLNAME}-server"))["spec"]["containers"][0]
    mounts = {m["name"]: m["mountPath"] for m in container["volumeMounts"]}
    assert mounts["data"] == "/var/lib/corgi" and mounts["secrets-eu"] == mounts["secrets"] + "-eu"
    settings = relocate(settings_of(manifests), {"/var/lib/corgi": tmp_path / "data",
                                                 mounts["secrets"]: tmp_path / "secrets"})
    subprocess.run([str(ROOT / "scripts" / "dev-secrets"), str(tmp_path / "secrets")], check=True, capture_output=True)
    (tmp_path / "secrets-eu").mkdir()
    subprocess.run(["openssl", "rand", "-base64", "-out", str(tmp_path / "secrets-eu" / "storage-encryption-key"), "32"], check=True)
    assert settings["residency"]["regions"]["eu"]["secrets"]["directory"] == str(tmp_path / "secrets-eu")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    data = tmp_path / "data"
    settings["server"].update(host="127.0.0.1", port=port)
    (tmp_path / "corgi.yml").write_text(yaml.safe_dump(settings))
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    process = subprocess.Popen([binary, *container["args"][:2], str(tmp_path / "corgi.yml")],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=clean_environment(container, scratch))
    try:
        answers = {}
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and len(answers) < 2:
            if process.poll() is not None:
                pytest.fail(f"corgi serve exited: {process.stderr.read().decode(errors='replace')[-2000:]}")
            for path in ("/healthz", "/readyz"):
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=2) as response:
                        answers[path] = (response.status, json.loads(response.read()))
                except OSError:
                    pass
            time.sleep(0.2)
        assert answers.get("/healthz", (0,))[0] == 200, answers
        assert answers.get("/readyz", (0,))[0] == 200 and answers["/readyz"][1]["status"] == "ready", answers
        assert (data / "corgi.sqlite").exists() and (data / "regions" / "eu" / "corgi.sqlite").exists()
        assert (scratch / "corgi-cache").is_dir(), "the rule cache goes to the scratch volume (CORGI_CACHE_DIR)"
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
