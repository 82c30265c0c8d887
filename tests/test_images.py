"""Image references as text: which ones a remote registry publishes (an upgrade test's release)."""

from __future__ import annotations

import pytest

from imagetag_lint.images import published_release, pulled_release


@pytest.mark.parametrize("image", [
    "ghcr.io/acme/shop-api:v1.4.0",
    "ghcr.io/acme/shop-api:1.4",
    "ghcr.io/acme/shop-api:v2.0.0-rc1",
    "quay.io/acme/shop-api@sha256:4f1c0ffee0ddba11c0ffee0ddba11c0ffee0ddba11c0ffee0ddba11c0ffee0dd",
    "registry.gitlab.com/acme/shop-api:1.2.3",
    "myregistry.example.com:443/acme/shop-api:v2.0",
])
def test_a_remote_registry_s_version_is_a_published_release(image: str) -> None:
    assert published_release(image)


@pytest.mark.parametrize("image", [
    "ghcr.io/acme/shop-api:latest",  # no version
    "ghcr.io/acme/shop-api:e2e",
    "ghcr.io/acme/shop-api:v1.4.0-dev",  # a development build
    "acme/shop-api:v1.4.0",  # no host: a local build may carry a version tag
    "localhost/acme/shop-api:v1.4.0",
    "localhost:5001/shop-api:v1.2.3",  # the local registries a suite pushes to
    "kind-registry:5000/shop-api:v1.2.3",
    "registry.localhost:5000/shop-api:v1.2.3",
    "host.docker.internal:5000/shop-api:v1.2.3",
    "192.168.1.5:5000/shop-api:v1.0",
    "[::1]:5000/shop-api:v1.0",
])
def test_a_local_or_unversioned_reference_is_not(image: str) -> None:
    assert not published_release(image)


def test_a_build_that_versions_the_repository_makes_other_versions_stale() -> None:
    assert pulled_release("ghcr.io/acme/shop-api:v1.4.0", ["ghcr.io/acme/shop-api:e2e-1234"])
    assert not pulled_release("example.com/shop-api:v0.0.0", ["example.com/shop-api:v0.0.1"])
