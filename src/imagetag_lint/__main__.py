from __future__ import annotations

from imagetag_lint.cli import main

raise SystemExit(main())
