#!/usr/bin/env python3
"""Deterministic Python tree for the benchmark (see bench/README.md).

    python bench/generate_python.py OUT [--files 2000] [--seed 7]

About 2,000 modules of ordinary application code (services, models, utilities; a few mention
an "image" key or run git in a subprocess, as real code does) and 1% pytest-kind E2E harness
code: conftest.py files with session fixtures that build images (docker CLI and docker SDK),
helpers that deploy them, and tests, some of which drop the built name (planted IMG001 findings,
whose stale deployments are their related places) or deploy a fixed copy of it (planted IMG002).
BENCH_MANIFEST.json at the root lists the planted findings.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
from pathlib import Path
from typing import Any

WORDS = ("order", "invoice", "customer", "ledger", "report", "session", "catalog", "payment",
         "shipment", "profile", "account", "metric", "review", "coupon", "stock", "tenant")

ORDINARY = '''"""{title} service: validation, persistence and formatting of {word} records."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable

log = logging.getLogger(__name__)

DEFAULT_LIMIT = {limit}


class {cls}Error(Exception):
    """A {word} record failed validation."""


class {cls}Repository:
    def __init__(self, store: dict[str, dict[str, object]]) -> None:
        self.store = store

    def get(self, key: str) -> dict[str, object] | None:
        return self.store.get(key)

    def put(self, key: str, record: dict[str, object]) -> None:
        validate_{word}(record)
        self.store[key] = dict(record)
        log.debug("stored %s", key)

    def page(self, offset: int = 0, limit: int = DEFAULT_LIMIT) -> list[dict[str, object]]:
        keys = sorted(self.store)[offset : offset + limit]
        return [self.store[k] for k in keys]


def validate_{word}(record: dict[str, object]) -> None:
    for field in ("id", "name", "created"):
        if field not in record:
            raise {cls}Error(f"missing {{field}}")
    if not str(record["name"]).strip():
        raise {cls}Error("empty name")


def summarise(records: Iterable[dict[str, object]]) -> dict[str, int]:
    counts: dict[str, int] = {{}}
    for record in records:
        kind = str(record.get("kind", "other"))
        counts[kind] = counts.get(kind, 0) + 1
    return counts


def to_json(records: list[dict[str, object]]) -> str:
    return json.dumps(records, sort_keys=True, indent=2)
'''

# Real code mentions these tokens without deploying anything: the prefilter lets them through.
LOOKALIKE = '''

def thumbnail_card(title: str, url: str) -> dict[str, str]:
    return {{"title": title, "image": url, "alt": title.lower()}}


def current_revision() -> str:
    import subprocess

    return subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()
'''

CONFTEST = '''import subprocess
import uuid

import docker
import pytest
from kubernetes import client, config
from pytest_kind import KindCluster


@pytest.fixture(scope="session")
def kind_cluster():
    cluster = KindCluster("{name}-e2e")
    cluster.create()
    yield cluster
    cluster.delete()


@pytest.fixture(scope="session")
def {name}_image(kind_cluster):
    tag = f"acme/{name}:e2e-{{uuid.uuid4().hex[:8]}}"
    image, _ = docker.from_env().images.build(path="{name}/", tag=tag)
    kind_cluster.load_docker_image(image.tags[0])
    return image.tags[0]


@pytest.fixture(scope="session")
def core_api(kind_cluster):
    config.load_kube_config(config_file=str(kind_cluster.kubeconfig_path))
    return client.CoreV1Api()
'''

HELPERS = '''import subprocess
import time

from kubernetes import client


def build_{name}_worker():
    tag = f"acme/{name}-worker:{{time.time_ns()}}"
    subprocess.run(["docker", "build", "-t", tag, "worker/"], check=True)
    subprocess.run(["kind", "load", "docker-image", tag], check=True)
    return tag


def deploy(core_api, namespace, image):
    container = client.V1Container(name="{name}", image=image, image_pull_policy="Never")
    core_api.create_namespaced_pod(namespace, client.V1Pod(spec=client.V1PodSpec(containers=[container])))
'''

TESTS = '''from helpers import build_{name}_worker, deploy


def test_{name}_starts(core_api, {name}_image):
    deploy(core_api, "default", {name}_image)


def test_{name}_worker(core_api):
    build_{name}_worker()  # planted IMG001
    deploy(core_api, "default", "acme/{name}-worker:latest")  # the drop's related place


def test_{name}_upgrade(core_api, {name}_image):  # planted IMG001
    deploy(core_api, "default", "acme/{name}:latest")  # the drop's related place


def test_{name}_pinned(core_api):
    deploy(core_api, "default", "acme/{name}:latest")  # planted IMG002
'''


def generate(out: Path, files: int = 2000, seed: int = 7) -> dict[str, Any]:
    rng = random.Random(seed)
    if out.exists():
        shutil.rmtree(out)
    planted: list[dict[str, Any]] = []
    written = {"files": 0, "bytes": 0, "e2e_files": 0}

    def write(path: str, text: str) -> None:
        target = out / path
        target.parent.mkdir(parents=True, exist_ok=True)
        clean = []
        for number, line in enumerate(text.splitlines(), 1):
            code, _, mark = line.partition("  # planted ")
            if mark:
                planted.append({"path": path, "line": number, "rule": mark, "kind": "python"})
            clean.append(code if mark else line)
        data = "\n".join(clean) + "\n"
        target.write_text(data)
        written["files"] += 1
        written["bytes"] += len(data.encode())

    suites = max(1, files // 100 // 3)  # three harness files per suite: 1% of the tree
    for index in range(suites):
        name = f"{rng.choice(WORDS)}{index}"
        for file, template in (("conftest.py", CONFTEST), ("helpers.py", HELPERS), (f"test_{name}.py", TESTS)):
            write(f"e2e/{name}/{file}", template.format(name=name))
            written["e2e_files"] += 1
    for index in range(files - written["files"]):
        word = rng.choice(WORDS)
        package = f"app/{rng.choice(WORDS)}s/sub{index % 17}"
        text = ORDINARY.format(title=word.title(), word=word, cls=word.title(), limit=rng.randint(10, 500))
        if rng.random() < 0.03:
            text += LOOKALIKE.format()
        write(f"{package}/{word}_{index}.py", text)
    manifest = {"python_files": written["files"], "python_bytes": written["bytes"],
                "e2e_files": written["e2e_files"], "planted": planted}
    (out / "BENCH_MANIFEST.json").write_text(json.dumps(manifest, indent=1) + "\n")
    return manifest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    manifest = generate(args.out, args.files, args.seed)
    print(f"{manifest['python_files']} Python files, {manifest['e2e_files']} of E2E harness code, "
          f"{len(manifest['planted'])} planted findings")


if __name__ == "__main__":
    main()
