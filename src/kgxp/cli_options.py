"""Option types the command line's commands share: an argument refused by argparse itself.

A refused value ends the command with argparse's usage line and exit status 2, the
convention of every other usage error, before any file is read:

>>> parser = argparse.ArgumentParser(prog="kgxp run", exit_on_error=False)
>>> _ = parser.add_argument("--seed", type=seed_option)
>>> parser.parse_args(["--seed", "7"]).seed
7
>>> parser.parse_args(["--seed", "-1"])
Traceback (most recent call last):
argparse.ArgumentError: argument --seed: seed must be a whole number ≥ 0, got -1
"""

from __future__ import annotations

import argparse

from kgxp.model.arguments import seed_argument

__all__ = ["seed_option"]


def seed_option(text: str) -> int:
    """A ``--seed`` value: a whole number ≥ 0, as the library's ``seed`` arguments take."""
    try:
        return seed_argument(int(text))
    except ValueError:
        # int("x") says "invalid literal for int() with base 10": say what a seed is instead.
        raise argparse.ArgumentTypeError(f"seed must be a whole number ≥ 0, got {text}") from None
