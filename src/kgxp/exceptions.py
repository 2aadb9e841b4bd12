"""kgxp's exceptions: few, structured, each subclassing the fitting built-in.

Every layer raises them (the private helpers included), so the hierarchy sits at the
base of the package and imports nothing else of kgxp.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import attrs

__all__ = [
    "KgxpError",
    "MissingExtraError",
    "OutputError",
    "Problem",
    "RosterWarning",
    "ScenarioError",
]


class KgxpError(Exception):
    """Base class of every error kgxp raises on purpose."""


@attrs.frozen
class Problem:
    """One thing wrong with an input, precise enough to fix without reading code.

    ``record`` says where (``"teachers[12]"``, ``"file"``), ``record_id`` the
    record's own id when it has one, ``field`` the offending field, ``rule``
    the domain rule the check enforces (``"R1"``) when there is one.
    """

    record: str
    field: str
    message: str
    record_id: str | None = None
    rule: str | None = None
    code: str = "invalid"

    def __str__(self) -> str:
        where = self.record if self.record_id is None else f"{self.record} (id={self.record_id})"
        rule = f" [{self.rule}]" if self.rule else ""
        return f"{where}.{self.field}: {self.message}{rule}"


class ScenarioError(KgxpError, ValueError):
    """A scenario (or a file holding one) is invalid; ``problems`` lists every problem found.

    Nothing is run on an invalid scenario: every entry point that takes a
    scenario validates it first and raises this with all problems at once.
    """

    def __init__(self, problems: Iterable[Problem], *, summary: str = "invalid scenario") -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        self.summary = summary
        super().__init__(self._render())

    def _render(self) -> str:
        count = len(self.problems)
        head = f"{self.summary}: {count} problem{'s' if count != 1 else ''}"
        return "\n".join([head, *(f"  - {p}" for p in self.problems)])

    def codes(self) -> Sequence[str]:
        """The problem codes, in order: handy for tests and for grouping in a UI."""
        return [p.code for p in self.problems]


class MissingExtraError(KgxpError, ImportError):
    """An optional package is needed; ``extra`` names the kgxp extra that installs it."""

    def __init__(self, module: str, extra: str, feature: str) -> None:
        self.module = module
        self.extra = extra
        super().__init__(
            f"{feature} needs the optional package {module!r}: pip install 'kgxp[{extra}]'"
        )


class OutputError(KgxpError, OSError):
    """kgxp will not write a file: it exists already, or the path cannot hold it.

    Raised before anything is written when the target is known to be wrong
    (an existing file, a folder that is a file), so nothing is half-written.
    """


class RosterWarning(KgxpError, UserWarning):
    """Something in a roster read with ``strict=False`` that would otherwise be an error."""
