"""Progress reporting for long runs: the round and semesters of :func:`kgxp.simulate`,
the rounds of :func:`kgxp.run_rounds`, the draws of :func:`kgxp.lottery_odds`.

A simulation of many semesters (R7–R10) over a whole county takes seconds to
minutes; an analyst in a notebook wants a bar, a service wants a callback it
can forward to its own job tracker. ``progress`` takes three forms:

* ``False`` (the default): nothing is reported and nothing is imported;
* ``True``: a ``tqdm.auto`` bar (a widget in Jupyter, text in a terminal);
  tqdm is optional (``pip install 'kgxp[notebook]'``);
* a callable ``(done, total, label) -> None``, called after each step with the
  steps done so far; the last call has ``done == total``.

Progress only observes: it is told about steps after they happen and never
feeds anything back, so results are identical with or without it (I12).

>>> seen = []
>>> tracker = Tracker.start(lambda done, total, label: seen.append((done, total, label)), 2, "demo")
>>> tracker.advance("round")
>>> tracker.advance("2026-autumn")
>>> tracker.close()
>>> seen
[(1, 2, 'round'), (2, 2, '2026-autumn')]
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeAlias

from kgxp._internal.extras import require

__all__ = ["Progress", "ProgressCallback", "Tracker"]

ProgressCallback: TypeAlias = Callable[[int, int, str], None]
"""Called as ``callback(done, total, label)`` after each step."""

Progress: TypeAlias = bool | ProgressCallback
"""What a ``progress=`` argument accepts: ``False``, ``True`` (a tqdm bar) or a callback."""


class Tracker:
    """Counts steps of one run and reports them to a bar or a callback.

    Build it with :meth:`start`; call :meth:`advance` after each step and
    :meth:`close` at the end (closing twice is harmless), or use it as a context
    manager, which closes it however the block ends.
    """

    def __init__(self, total: int, callback: ProgressCallback | None, bar: Any = None) -> None:
        self.total = total
        self.done = 0
        self._callback = callback
        self._bar = bar

    @classmethod
    def start(
        cls, progress: Progress, total: int, description: str, *, unit: str = "step"
    ) -> Tracker:
        """A tracker for ``total`` steps, reporting as ``progress`` asks.

        ``True`` needs tqdm: it raises :class:`~kgxp.MissingExtraError` naming the
        ``notebook`` extra before any work starts, not halfway through a run.
        """
        if total < 0:
            raise ValueError("total must be >= 0")
        if progress is True:
            auto = require("tqdm.auto", "notebook", "progress=True")
            return cls(total, None, auto.tqdm(total=total, desc=description, unit=unit))
        if progress is False:
            return cls(total, None)
        if callable(progress):
            return cls(total, progress)
        raise TypeError(f"progress must be True, False or a callable, got {progress!r}")

    def advance(self, label: str, steps: int = 1) -> None:
        """``steps`` more done (a round, a semester, a batch of lottery draws); ``label``
        names them."""
        self.done += steps
        if self._bar is not None:
            self._bar.set_postfix_str(label, refresh=False)
            self._bar.update(steps)
        if self._callback is not None:
            self._callback(self.done, self.total, label)

    def close(self) -> None:
        """Finish the bar, if any."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def __enter__(self) -> Tracker:
        return self

    def __exit__(self, *exc_info: object) -> None:
        # Closed on errors too: a failed run must not leave a half-drawn bar behind.
        self.close()
