"""``python -m cvlib`` runs the command line."""

import sys

from cvlib.cli import main

sys.exit(main())
