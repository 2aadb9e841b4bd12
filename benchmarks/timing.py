"""Wall-clock seconds of one action, its result freed before the next (benchmark helper)."""

from __future__ import annotations

import gc
import time
from collections.abc import Callable


def seconds_of(action: Callable[[], object]) -> float:
    """Seconds ``action()`` took; what it returned is dropped and collected afterwards,
    outside the timing, so the next run starts from the same heap."""
    started = time.perf_counter()
    kept = action()
    elapsed = time.perf_counter() - started
    del kept
    gc.collect()
    return elapsed
