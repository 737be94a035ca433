"""`python -m evaluate ...`: see evaluate.cli."""

import sys

from .cli import main

sys.exit(main())
