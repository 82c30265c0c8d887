"""Which Python files can hold a finding: a bytes search, so most files are never parsed.

A file is parsed only when it names a builder, a loader or a deploy sink (or a configured
producer); libcst is imported only once such a file turns up.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

# Command lists naming docker/podman/buildah/nerdctl or a cluster loader, the docker SDK, pytest-kind,
# Kubernetes clients (kubernetes, kr8s, lightkube, kubectl) and manifests with an `image:` line.
# Each token is a literal the file must hold (a C-speed `in`) and, for the common words, a
# regular expression that says more. Files that only call a builder
# or a deploy helper by name are found by the second pass (see lint.py).
TOKENS: tuple[tuple[bytes, bytes | None], ...] = (
    # a program word ends a string of a command list (`["docker", "build", ...]`) or starts a
    # shell line (`f"docker build -t {tag} ."`)
    # or names a command object of sh or plumbum (`sh.docker.build(`, `docker["build", ...]`)
    (b"docker", rb"docker[\"']|docker[ \t]+build|docker(?:\.|[\[(]\s*[\"'])(?:build|tag)\b"),
    (b"podman", rb"podman[\"']|podman[ \t]+build|podman(?:\.|[\[(]\s*[\"'])(?:build|tag)\b"),
    (b"buildah", rb"buildah[\"']|buildah[ \t]+(?:bud|build)"),
    (b"nerdctl", rb"nerdctl[\"']|nerdctl[ \t]+build"),
    (b"k3d", rb"k3d[\"']|k3d[ \t]+image[ \t]+import"),
    (b"minikube", rb"minikube[\"']|minikube[ \t]+image[ \t]+load"),
    # pytest-kind's `kind_cluster.kubectl("apply", ...)` too
    (b"kubectl", rb"kubectl[\"']|kubectl[ \t]+(?:apply|create|replace)|kubectl\(\s*[\"'](?:apply|create|replace)[\"']"),
    # `kind load docker-image`: "kind" alone is a common dict key, "docker-image" is rare
    (b"docker-image", rb"kind[\"']\s*,\s*[\"']load[\"']|kind[ \t]+load[ \t]+docker-image|kind(?:\.load\(|[\[(]\s*[\"']load[\"'])"),
    (b".images.build", None),
    (b"load_docker_image", None),
    (b"V1Container", None),
    (b"Container(", None),
    (b".gen(", None),
    (b"create_namespaced_", None),
    (b"image:", rb"image:[ \t]"),
)
# An "image" key is common (cards, thumbnails); it counts beside a "containers" key only.
IMAGE_KEY = re.compile(rb"[\"']image[\"']\s*(?:\]\s*=|:)")
CONTAINERS = b"containers"


@lru_cache(maxsize=8)
def _tokens(names: tuple[str, ...]) -> tuple[tuple[bytes, re.Pattern[bytes] | None], ...]:
    compiled = [(literal, re.compile(pattern) if pattern else None) for literal, pattern in TOKENS]
    compiled += [(name.encode(), re.compile(re.escape(name.encode()) + rb"\b")) for name in names]
    return tuple(compiled)


def wants(source: bytes, producer_names: Iterable[str] = ()) -> bool:
    """Does this Python file mention anything the image-flow rules look at?"""
    for literal, pattern in _tokens(tuple(sorted(producer_names))):
        if literal in source and (pattern is None or pattern.search(source) is not None):
            return True
    return CONTAINERS in source and IMAGE_KEY.search(source) is not None
