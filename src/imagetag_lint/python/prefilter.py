"""Which Python files can hold a finding: a bytes search, so most files are never parsed.

A file is parsed only when it names a builder, a loader or a deploy sink (or a configured
producer); libcst is imported only once such a file turns up.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

# Command lists naming docker/podman or a cluster loader, the docker SDK, pytest-kind,
# Kubernetes clients (kubernetes, kr8s, lightkube, kubectl) and manifests with an `image:` line
# or an "image" key. Files that only call a builder or a deploy helper by name are found by the
# second pass (see lint.py).
TOKENS = (
    rb"[\"'](?:docker|podman|k3d|minikube|kubectl)[\"']",
    rb"[\"']kind[\"']\s*,\s*[\"']load[\"']",  # "kind" alone is a common dict key
    rb"\.images\.build\b",
    rb"\bload_docker_image\b",
    rb"\bV1Container\b",
    rb"\bContainer\(",
    rb"\.gen\(",
    rb"\bcreate_namespaced_",
    rb"(?:^|\n)[ \t]*(?:-[ \t]+)?image:[ \t]",
)
# An "image" key is common (cards, thumbnails); it counts beside a "containers" key only.
IMAGE_KEY = re.compile(rb"[\"']image[\"']\s*(?:\]\s*=|:)")
CONTAINERS = b"containers"


@lru_cache(maxsize=8)
def _pattern(names: tuple[str, ...]) -> re.Pattern[bytes]:
    extra = tuple(rb"\b" + re.escape(name.encode()) + rb"\b" for name in names)
    return re.compile(b"|".join(TOKENS + extra))


def wants(source: bytes, producer_names: Iterable[str] = ()) -> bool:
    """Does this Python file mention anything the image-flow rules look at?"""
    if _pattern(tuple(sorted(producer_names))).search(source) is not None:
        return True
    return CONTAINERS in source and IMAGE_KEY.search(source) is not None
