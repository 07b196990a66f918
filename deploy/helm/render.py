#!/usr/bin/env python3
"""Renders the Code Corgi chart offline, as `helm template` would, with Helm's own engine.

Helm is not a Debian package, and this machine reaches no download site for its binary, so the
chart is rendered through helm-python-sdk (PyPI): Python bindings over libhelm_c, a C ABI around
Helm's official Go SDK (v4). The templates, the values coalescing and values.schema.json's
validation are Helm's code, not a re-implementation; `helm template` / `helm install` with the
real binary read the same chart.

    python3 deploy/helm/render.py [-f VALUES.yaml ...] [--set-json KEY=JSON ...]
                                  [--release NAME] [--namespace NS] [--upgrade] > manifests.yaml

prints every manifest (hooks included, NOTES.txt left out) as one YAML stream with
`# Source:` comments; a value the schema refuses, or a template's `fail`, exits 1 naming it.
"""
from __future__ import annotations

import argparse
import json
import pathlib
import re
import sys
from typing import Any

CHART = pathlib.Path(__file__).resolve().parent / "code-corgi"


def _deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def render_templates(values: dict[str, Any] | None = None, *, release: str = "corgi", namespace: str = "code-corgi",
                     upgrade: bool = False, chart: pathlib.Path = CHART) -> dict[str, str]:
    """Template path -> rendered text, from Helm's engine (schema validation included)."""
    import helm_python

    with helm_python.Chart.load(str(chart)) as loaded:
        return loaded.render(values or {}, name=release, namespace=namespace,
                             is_install=not upgrade, is_upgrade=upgrade)


def render(values: dict[str, Any] | None = None, **options: Any) -> list[dict[str, Any]]:
    """The rendered manifests in template order, each as {"source": template path, "manifest": object}."""
    import yaml

    documents = []
    for source, text in sorted(render_templates(values, **options).items()):
        if source.endswith("NOTES.txt"):
            continue
        for document in yaml.safe_load_all(text):
            if document:
                documents.append({"source": source, "manifest": document})
    return documents


def manifests(values: dict[str, Any] | None = None, **options: Any) -> list[dict[str, Any]]:
    return [entry["manifest"] for entry in render(values, **options)]


def main(argv: list[str] | None = None) -> int:
    import yaml

    parser = argparse.ArgumentParser(description="Render the Code Corgi chart with Helm's engine (helm-python-sdk).")
    parser.add_argument("-f", "--values", action="append", default=[], help="a values file (several merge in order)")
    parser.add_argument("--set-json", action="append", default=[], metavar="KEY=JSON",
                        help="one value, e.g. --set-json 'worker.autoscaling.maxReplicas=20'")
    parser.add_argument("--release", default="corgi")
    parser.add_argument("--namespace", default="code-corgi")
    parser.add_argument("--upgrade", action="store_true", help="render as an upgrade (.Release.IsUpgrade)")
    arguments = parser.parse_args(argv)

    values: dict[str, Any] = {}
    for path in arguments.values:
        values = _deep_merge(values, yaml.safe_load(pathlib.Path(path).read_text()) or {})
    for assignment in arguments.set_json:
        key, _, text = assignment.partition("=")
        node: dict[str, Any] = {}
        cursor = node
        parts = key.split(".")
        for part in parts[:-1]:
            cursor = cursor.setdefault(part, {})
        cursor[parts[-1]] = json.loads(text)
        values = _deep_merge(values, node)
    try:
        rendered = render_templates(values, release=arguments.release, namespace=arguments.namespace,
                                    upgrade=arguments.upgrade)
    except ImportError:
        print("render.py: helm-python-sdk is not installed (scripts/setup installs it: pip install helm-python-sdk)",
              file=sys.stderr)
        return 2
    except Exception as error:  # the SDK's HelmError family: schema refusals, template failures
        print(f"render.py: {error}", file=sys.stderr)
        return 1
    for source, text in sorted(rendered.items()):
        if source.endswith("NOTES.txt") or not text.strip():
            continue
        for document in re.split(r"(?m)^---[ \t]*$", text):
            if document.strip():
                print(f"---\n# Source: {source}\n{document.strip()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
