"""`python -m bot` is the `nashir` command."""

import sys

from bot.cli import main

sys.exit(main())
