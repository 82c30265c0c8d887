"""Image references as text, the same for every language the tool reads."""

from __future__ import annotations

import re


def repository(image: str) -> str:
    """`localhost/acme/app:v1@sha256:...` -> `acme/app`: the path without host prefix and tag."""
    image = image.split("@", 1)[0]
    slash = image.rfind("/")
    colon = image.rfind(":")
    if colon > slash:
        image = image[:colon]
    return image.removeprefix("localhost/")


_RELEASE_TAG = re.compile(r"v?\d+(\.\d+){1,3}([-+][0-9A-Za-z.-]+)?")


def published_release(image: str) -> bool:
    """Is image a release a registry publishes (`ghcr.io/acme/shop-api:v1.4.0`, or pinned by a
    digest)? A host that names a remote registry and a version tag: the cluster pulls it, so it
    is never a stale reference to a local build, whatever repository it shares with one (the
    first step of an upgrade test). A Docker Hub name without a host is not one: a local build
    may carry a version tag."""
    host, slash, _ = image.partition("/")
    if not slash or not ("." in host or ":" in host) or host.split(":", 1)[0] in ("localhost", "127.0.0.1"):
        return False
    if "@sha256:" in image:
        return True
    reference = image.rsplit("/", 1)[-1]
    _, colon, tag = reference.partition(":")
    return bool(colon) and _RELEASE_TAG.fullmatch(tag) is not None
