"""`python -m qa_service ...`: see qa_service.cli."""

import sys

from .cli import main

sys.exit(main())
