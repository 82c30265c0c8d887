from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("ci", max_examples=150, deadline=None)
settings.register_profile("dev", max_examples=60, deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")

# The fixture corpora are code to lint, not tests to run (the Python ones look like pytest suites).
collect_ignore = ["fixtures"]
