"""Which Python files can hold a finding: a bytes search, so most files are never parsed.

A file is parsed only when it names a builder, a loader or a deploy sink (or a configured
producer); libcst is imported only once such a file turns up.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

# docker/podman builds, the docker SDK, kind/k3d/minikube loaders, pytest-kind, Kubernetes
# clients (kubernetes, kr8s, lightkube) and YAML manifests with an `image:` line.
TOKENS = (
    rb"\bbuild\b",
    rb"\.images\.build\b",
    rb"\bload_docker_image\b",
    rb"docker-image",
    rb"\bimage\b[\"']?\s*[:=]",
    rb"V1Container\b",
)


@lru_cache(maxsize=8)
def _pattern(names: tuple[str, ...]) -> re.Pattern[bytes]:
    extra = tuple(rb"\b" + re.escape(name.encode()) + rb"\b" for name in names)
    return re.compile(b"|".join(TOKENS + extra))


def wants(source: bytes, producer_names: Iterable[str] = ()) -> bool:
    """Does this Python file mention anything the image-flow rules look at?"""
    return _pattern(tuple(sorted(producer_names))).search(source) is not None
