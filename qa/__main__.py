"""`python -m qa` runs the same CLI as `qa`."""

import sys

from qa.cli import main

sys.exit(main())
