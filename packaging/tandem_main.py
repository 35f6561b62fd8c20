"""Entry point of the frozen app: the `tandem` command, window and all."""

import sys

from desktop.cli import main

if __name__ == "__main__":
    sys.exit(main())
