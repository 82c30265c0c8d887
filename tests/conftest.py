from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from hypothesis import settings

settings.register_profile("ci", max_examples=150, deadline=None)
settings.register_profile("dev", max_examples=60, deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")

# The fixture corpora are code to lint, not tests to run (the Python ones look like pytest suites).
collect_ignore = ["fixtures"]


@pytest.fixture(autouse=True, scope="session")
def _cache_outside_the_checkout(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Runs that lint the corpora in place keep their cache in a scratch directory, not beside the
    corpora's config files (tests of the cache's own location unset this)."""
    before = os.environ.get("IMAGETAG_LINT_CACHE_DIR")
    os.environ["IMAGETAG_LINT_CACHE_DIR"] = str(tmp_path_factory.mktemp("imagetag-lint-cache"))
    yield
    if before is None:
        del os.environ["IMAGETAG_LINT_CACHE_DIR"]
    else:
        os.environ["IMAGETAG_LINT_CACHE_DIR"] = before
