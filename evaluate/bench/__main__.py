"""`python -m evaluate.bench ...`: see evaluate.bench.cli."""

import sys

from .cli import main

sys.exit(main())
