"""Pause Python's cyclic garbage collector while a round, a verification or a parse runs (internal).

A round builds hundreds of thousands of small objects (outcomes, reasons,
per-candidate lists) on top of a scenario of millions. Every few thousand
allocations the collector runs, and every time the survivors grow by a quarter
it traverses *every* tracked object, the scenario included: a quarter of
``run_round``'s time for 10,000 teachers and a third for 100,000, for nothing,
since kgxp's stages create no reference cycles (their garbage is freed by
reference counting as usual while the collector is paused).

The pause is process-wide, as the collector is. Nested and concurrent pauses
(threads running rounds at once) share one: the collector is disabled when the
first starts and re-enabled when the last ends, and only if it was enabled
before the first; a program that disabled it itself keeps it disabled.

Re-enabling alone would only move the cost: everything allocated during the
pause is still in the youngest generation, so the first allocation after it
starts a collection that traverses all of it (~30 ms after parsing 10,000
teachers, a fifth of the parse) only to promote what survives, the stage's
output. So, before re-enabling, the tracked objects move straight to the
oldest generation (``gc.freeze()`` then ``gc.unfreeze()``: together, that is
all they do), where only full collections visit them; cyclic garbage among
them, if any, is still freed by the next one. Skipped when the program has
frozen objects itself (``gc.freeze`` before forking), which must stay frozen.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["collector_paused"]

_lock = threading.Lock()
_active = 0  # pauses in progress
_reenable = False  # whether the collector was enabled when the first of them began


@contextmanager
def collector_paused() -> Iterator[None]:
    """Disable the cyclic garbage collector for the ``with`` block (see the module doc)."""
    global _active, _reenable
    with _lock:
        if _active == 0:
            _reenable = gc.isenabled()
            gc.disable()
        _active += 1
    try:
        yield
    finally:
        with _lock:
            _active -= 1
            if _active == 0 and _reenable:
                if gc.get_freeze_count() == 0:
                    gc.freeze()  # promote the pause's objects untraversed (see the module doc)
                    gc.unfreeze()
                gc.enable()
