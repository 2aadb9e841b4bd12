"""Pause Python's cyclic garbage collector while a round, a verification or a parse runs (internal).

A round builds hundreds of thousands of small objects (outcomes, reasons,
per-candidate lists) on top of a scenario of millions. Every few thousand
allocations the collector runs, and every time the survivors grow by a quarter
it traverses *every* tracked object, the scenario included: a quarter of
``run_round``'s time for 10,000 teachers and a third for 100,000, for nothing,
since kgxp's stages create no reference cycles (their garbage is freed by
reference counting as usual while the collector is paused).

The pause is process-wide, as the collector is, so it is surprising in a
multi-threaded program: while one thread runs a round, another thread's reference
cycles (a web framework's request objects, say) would pile up uncollected. Hence
the setting (:func:`set_collector_pause`, docs/service.md):

- ``"auto"`` (the default): pause only while the calling thread is the process's
  only thread — a script, the CLI, a benchmark — or its other threads are the helpers
  of a process pool it started while it was alone (``collector_paused(alone=True)``:
  a sweep's results unpickled). A service's worker threads, a notebook kernel (which
  runs helper threads) or any program with a second thread keeps its collector
  running, at the price of the speed above;
- ``"always"``: pause whatever the threads (a program that knows its threads
  create no cycles worth collecting during a round);
- ``"never"``: never touch the collector.

Nested and concurrent pauses (threads running rounds at once under ``"always"``)
share one: the collector is disabled when the first starts and re-enabled when
the last ends, and only if it was enabled before the first; a program that
disabled it itself keeps it disabled.

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
from typing import Literal, get_args

__all__ = ["CollectorPause", "collector_paused", "set_collector_pause", "would_pause"]

CollectorPause = Literal["auto", "always", "never"]

_lock = threading.Lock()
_active = 0  # pauses in progress
_reenable = False  # whether the collector was enabled when the first of them began
_setting: CollectorPause = "auto"


def set_collector_pause(setting: CollectorPause) -> CollectorPause:
    """Choose when kgxp pauses the garbage collector during its stages; returns the old setting.

    ``"auto"`` (default) pauses only in a single-threaded process, ``"always"``
    whatever the threads, ``"never"`` not at all (docs/service.md). Results never
    depend on it; only the time does.

    >>> import kgxp
    >>> kgxp.set_collector_pause("never")
    'auto'
    >>> kgxp.set_collector_pause("auto")
    'never'
    """
    global _setting
    if setting not in get_args(CollectorPause):
        raise ValueError(
            f"collector pause must be one of {get_args(CollectorPause)}, not {setting!r}"
        )
    with _lock:
        previous, _setting = _setting, setting
    return previous


def would_pause(*, alone: bool = False) -> bool:
    """Whether :func:`collector_paused` (with the same ``alone``) would pause now."""
    if _setting == "auto":
        return alone or threading.active_count() == 1
    return _setting == "always"


@contextmanager
def collector_paused(*, alone: bool = False) -> Iterator[None]:
    """Disable the cyclic garbage collector for the ``with`` block (see the module doc).

    ``alone``: the caller knows that every other thread of the process is a helper of
    its own that makes no reference cycles — the threads of a process pool it started
    while it was the process's only thread — so ``"auto"`` pauses as it would in a
    single-threaded process.
    """
    global _active, _reenable
    if not would_pause(alone=alone):
        yield
        return
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
