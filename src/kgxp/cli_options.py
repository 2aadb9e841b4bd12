"""Option types the command line's commands share: an argument refused by argparse itself.

A refused value ends the command with argparse's usage line and exit status 2, the
convention of every other usage error, before any file is read or written:

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
from collections.abc import Callable

from kgxp.model.arguments import rows_argument, seed_argument

__all__ = ["rows_option", "seed_option"]


def _whole_option(check: Callable[[object], int], name: str) -> Callable[[str], int]:
    """An argparse type: the text as a whole number that ``check`` (a kgxp.model.arguments
    check) accepts, refused in the library's words — not int()'s "invalid literal"."""

    def option(text: str) -> int:
        try:
            return check(int(text))
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"{name} must be a whole number ≥ 0, got {text}"
            ) from None

    option.__name__ = name  # argparse names the type in some messages
    return option


seed_option = _whole_option(seed_argument, "seed")
"""A ``--seed`` value: a whole number ≥ 0, as the library's ``seed`` arguments take."""

rows_option = _whole_option(rows_argument, "rows")
"""A ``--rows`` value: how many rows to list, a whole number ≥ 0 (0 lists none)."""
