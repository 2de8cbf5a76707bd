"""``python -m cvlib`` runs the command line."""

from cvlib.cli import console

console()
