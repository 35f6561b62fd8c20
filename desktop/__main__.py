"""`python -m desktop` is the `tandem` command."""

import sys

from desktop.cli import main

sys.exit(main())
