"""`python -m diffsync_operator.cli`: the same as the `diffsync` console script."""

import sys

from diffsync_operator.cli import main

sys.exit(main())
