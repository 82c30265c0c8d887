"""Image references as text, the same for every language the tool reads."""

from __future__ import annotations

import re
from collections.abc import Iterable


def repository(image: str) -> str:
    """`localhost/acme/app:v1@sha256:...` -> `acme/app`: the path without host prefix and tag."""
    image = image.split("@", 1)[0]
    slash = image.rfind("/")
    colon = image.rfind(":")
    if colon > slash:
        image = image[:colon]
    return image.removeprefix("localhost/")


_RELEASE_TAG = re.compile(r"v?\d+(\.\d+){1,3}(-(rc|alpha|beta)\.?\d*)?")
# hosts of registries on this machine or its network, where a suite pushes what it builds
_LOCAL_HOST = re.compile(r"(localhost|127(\.\d+){3}|\[::1\]|10(\.\d+){3}|192\.168(\.\d+){2}|172\.(1[6-9]|2\d|3[01])(\.\d+){2}"
                         r"|.*\.(localhost|local|internal|lan|home\.arpa|test))(:\d+)?")


def published_release(image: str) -> bool:
    """Is image a release a remote registry publishes (`ghcr.io/acme/shop-api:v1.4.0`, or pinned
    by a digest)? A host with a domain that is not this machine's or its network's, and a version
    tag (`v1.4.0`, `1.4`, `v2.0.0-rc1`) or a digest: the cluster pulls it, so beside a build of
    another repository that shares its path it is not a stale reference to that build (the first
    step of an upgrade test). Callers still treat a repository a build makes, host included, as
    local. A Docker Hub name without a host is not one: a local build may carry a version tag."""
    host, slash, _ = image.partition("/")
    if not slash or "." not in host or _LOCAL_HOST.fullmatch(host.lower()):
        return False
    return "@sha256:" in image or version_tagged(image)


def version_tagged(image: str) -> bool:
    """Does the reference carry a version tag (`:v1.4.0`, `:1.4`, `:v2.0.0-rc1`)?"""
    reference = image.split("@", 1)[0].rsplit("/", 1)[-1]
    _, colon, tag = reference.partition(":")
    return bool(colon) and _RELEASE_TAG.fullmatch(tag) is not None


def pulled_release(image: str, built: Iterable[str]) -> bool:
    """Is image a published release (see `published_release`) that no build of the linted code
    tags with a version of its own? `built` holds the references the builds make, as far as
    their text is fixed. A build of that repository under a version tag (kubebuilder's
    `example.com/shop-api:v0.0.1`) makes its other versions stale copies after all."""
    if not published_release(image):
        return False
    wanted = repository(image)
    return not any(repository(reference) == wanted and version_tagged(reference) for reference in built)
