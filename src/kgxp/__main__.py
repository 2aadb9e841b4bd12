"""``python -m kgxp``: the command line."""

from kgxp.cli import run

run()
